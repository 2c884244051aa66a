"""The methodology page: the method's parameters and the indicator
definitions, as frozen with the published runs, in plain English."""

from __future__ import annotations

from dataclasses import dataclass

from indicators.models import Direction, Domain
from ratings import frozen_definitions, funnels

from ..formatting import format_number
from .report_card import core_target

DOMAIN_WORDS = dict(Domain.choices)
DIRECTION_WORDS = dict(Direction.choices)


@dataclass(frozen=True)
class IndicatorDefinitionRow:
    code: str
    name: str
    domain: str  # the domain in words, or that it is a context indicator
    weight: str
    direction: str
    target: str  # "at least 95", or "" when it is not a core target
    adjusted: str  # "Yes" or "No"
    types: list[str]  # the types whose runs used this definition


def indicator_rows(runs, indicator_names: dict) -> list[IndicatorDefinitionRow]:
    """Every indicator of the year as the published runs froze it (never today's
    definitions), once per distinct definition, naming the types that used it.
    Performance indicators by domain and code, then context indicators."""
    rows: dict[tuple, dict] = {}
    for run in runs:
        for definition in frozen_definitions.run_definitions(run).values():
            fields = frozen_definitions.as_dict(definition)
            del fields["organisation_types"]  # the runs' types say which types it was used for
            group = rows.setdefault(tuple(sorted(fields.items())), {"definition": definition, "types": []})
            group["types"].append(run.organisation_type.plural_name or run.organisation_type.name)
    ordered = sorted(rows.values(), key=lambda group: (not group["definition"].is_performance,
                                                       group["definition"].domain, group["definition"].code))
    return [_row(group["definition"], group["types"], indicator_names) for group in ordered]


def _row(definition, types: list[str], indicator_names: dict) -> IndicatorDefinitionRow:
    performance = definition.is_performance
    return IndicatorDefinitionRow(
        code=definition.code, name=indicator_names.get(definition.code, definition.code),
        domain=DOMAIN_WORDS.get(definition.domain, definition.domain) if performance
        else "Context: not scored, used to adjust for deprivation",
        weight=format_number(definition.weight) if performance else "",
        direction=DIRECTION_WORDS.get(definition.direction, definition.direction),
        target=core_target(definition), adjusted="Yes" if definition.adjust_for_deprivation else "No",
        types=types)


def sections(runs, indicator_names: dict) -> list[dict]:
    """The year's parameters in plain English, one section per distinct set
    (normally one set covers every type)."""
    groups: dict[str, dict] = {}
    for run in runs:
        # The method's version changes the rules as much as a parameter does.
        key = repr((sorted(run.parameters.items()), is_version_1(run.engine_version)))
        group = groups.setdefault(key, {"parameters": run.parameters, "types": [], "engine_versions": set()})
        group["types"].append(run.organisation_type.plural_name or run.organisation_type.name)
        group["engine_versions"].add(run.engine_version)
    return [{"types": group["types"], "engine_versions": sorted(group["engine_versions"]),
             "rules": parameter_sentences(group["parameters"], indicator_names,
                                          version_1=is_version_1(min(group["engine_versions"])))}
            for group in groups.values()]


def is_version_1(engine_version: str) -> bool:
    """Runs of method version 1 judged core targets and improvement on adjusted
    figures, and had no `missing_core_data`: their page says what they did."""
    return str(engine_version).split(".")[0] == "1"


def parameter_sentences(params: dict, indicator_names: dict, *, version_1: bool = False) -> list[tuple[str, str]]:
    """(rule, sentence) pairs, in the order of the method's steps."""
    share = format_number(params["green_share"] * 100, 1)
    coverage = format_number(params["min_coverage"] * 100, 1)
    improvement = format_number(params["improvement_weight"] * 100, 1)
    level = format_number(100 - params["improvement_weight"] * 100, 1)
    red = params["red_core_failures"]
    weights = params.get("domain_weights") or {}
    equal = len(set(weights.values())) <= 1
    deprivation = indicator_names.get(params["deprivation_indicator"], params["deprivation_indicator"])
    not_green = params.get("missing_core_data", "failure") == "not_green"
    if version_1:
        core = (f"Failing {red} or more core national targets makes an organisation red. Targets were judged on "
                f"the figures after the adjustment for deprivation. A missing figure for a core target counts "
                f"as a failure. Failing any core target rules out green.")
        improvement_rule = (f"The final score is {level}% the level score for the year and {improvement}% the "
                            f"improvement score since the year before, measured on adjusted figures (the level "
                            f"score alone when there is no figure for the year before).")
    else:
        core = (f"Core national targets are judged on the figures as reported, never on adjusted ones: a target "
                f"is a standard every organisation must meet. Failing {red} or more core national targets makes "
                f"an organisation red, and failing any rules out green. "
                + ("A missing figure for a core target is not counted as a failure, but an organisation with one "
                   "cannot be green (missing core data: not green)." if not_green else
                   "A missing figure for a core target counts as a failure, shown as \"no data\" (missing core "
                   "data: failure)."))
        improvement_rule = (f"The final score is {level}% the level score for the year and {improvement}% the "
                            f"improvement score since the year before, measured on the figures as reported. An "
                            f"organisation with no figures to compare with the year before counts as average "
                            f"improvement (an improvement score of 0), and its report card says so.")
    q_words = (f"The number of green places is {share}% of the rated organisations of each type, rounded down. "
               f"The candidates for green are the organisations that failed no core national target"
               + (" and reported every core target figure" if not_green and not version_1 else "")
               + ". The candidates with the best final scores fill the green places; candidates tied with the "
                 "last of them are all green.")
    return [
        ("Who is rated", f"An organisation is rated only if it reported at least {coverage}% of the performance "
                         f"indicators that apply to its type. Others are shown as not rated, with the reason."),
        ("Fair comparison", "Each organisation is compared only with organisations of the same type."),
        ("Adjustment for deprivation",
         f"Indicators marked for adjustment are adjusted for the deprivation of the population served "
         f"(using {deprivation}): the typical effect of deprivation across organisations of the type is "
         f"estimated and removed, so an organisation serving a deprived area is not marked down for that."
         if params["value_added"] else "No adjustment for deprivation was made this year."),
        ("Core national targets", core),
        ("Scores", f"Each indicator is turned into a standard score (how far above or below the average of its "
                   f"type, in standard deviations), limited to between −{format_number(params['clip_z'])} and "
                   f"+{format_number(params['clip_z'])} so that one extreme figure cannot dominate."),
        ("Domains", "Scores are averaged within each of the four domains (service quality, efficiency, access "
                    "and patient experience), and the domains are "
                    + ("weighted equally." if equal else "weighted: " + ", ".join(
                        f"{DOMAIN_WORDS.get(d, d)} {format_number(w)}" for d, w in weights.items()) + ".")),
        ("Improvement", improvement_rule
         if params["improvement_weight"] else "Improvement did not count: the final score is the level score."),
        ("Green", q_words),
        ("Yellow", "Every other rated organisation is yellow."),
    ] + ([] if version_1 else [
        ("Band certainty", certainty_sentence(params)),
    ])


def funnel_explanation(runs) -> dict | None:
    """Funnel limits in plain English, with the figures the year's runs used
    (their stored limits and winsorising), and the indicators that had them;
    None when no run of the year stored any (runs stored before they were kept)."""
    with_funnels = [run for run in runs if run.funnels]
    if not with_funnels:
        return None
    z_values = sorted({tuple(stored.get("limits", ())) for run in with_funnels for stored in run.funnels.values()})
    overdispersed = sorted({code for run in with_funnels for code, stored in run.funnels.items() if stored["tau2"] > 0})
    counted = sorted({code for run in with_funnels for code in run.funnels})
    low, high = funnels.WINSOR_PERCENTILES
    return {
        "limits": [format_number(z) for z in (z_values[0] if len(z_values) == 1 else ())],
        "low": low, "high": high, "counted": len(counted), "overdispersed": len(overdispersed),
    }


def certainty_sentence(params: dict) -> str:
    """The simulation behind each report card's "How sure is this rating?", in plain English, with the year's
    draws and seed (spec, "Band certainty" and "Significance of a band change")."""
    draws, seed = params.get("uncertainty_draws", 0), params.get("uncertainty_seed", 0)
    if not draws:
        return "No band certainty was simulated for these ratings."
    return (f"Every figure made of a count out of a population (a proportion or a rate) carries chance: in "
            f"another year of the same underlying performance the count would have come out a little "
            f"differently. To see how much that chance matters, the year's ratings were worked out again "
            f"{draws:,} times (simulated years, seed {seed}): each time every such figure, this year's and last "
            f"year's, was redrawn from what its count and population make likely (a Jeffreys Beta for a "
            f"proportion, a Gamma for a rate), figures without a count stayed as reported, and the whole method "
            f"above was run again, adjustment, core targets and green places included. A band's certainty is "
            f"the share of simulated years that gave the same band: 95 in 100 or more is \"very likely\", 80 "
            f"in 100 or more \"likely\", less \"uncertain\". The rank interval holds the middle 95 in 100 "
            f"simulated ranks. A change of band from the year before is \"a real change\" when at least 95 in "
            f"100 simulated pairs of years (the year before redrawn once and shared by both) moved the band the "
            f"same way, and otherwise \"could be chance\". Only sampling noise is simulated, not errors in the "
            f"figures or the choice of method.")
