"""The methodology page: the method's parameters and the indicator
definitions, as frozen with the published runs, in plain English."""

from __future__ import annotations

from dataclasses import dataclass

from indicators.models import Direction, Domain
from ratings import frozen_definitions

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
        key = repr(sorted(run.parameters.items()))
        group = groups.setdefault(key, {"parameters": run.parameters, "types": [], "engine_versions": set()})
        group["types"].append(run.organisation_type.plural_name or run.organisation_type.name)
        group["engine_versions"].add(run.engine_version)
    return [{"types": group["types"], "engine_versions": sorted(group["engine_versions"]),
             "rules": parameter_sentences(group["parameters"], indicator_names)} for group in groups.values()]


def parameter_sentences(params: dict, indicator_names: dict) -> list[tuple[str, str]]:
    """(rule, sentence) pairs, in the order of the method's steps."""
    share = format_number(params["green_share"] * 100, 1)
    coverage = format_number(params["min_coverage"] * 100, 1)
    improvement = format_number(params["improvement_weight"] * 100, 1)
    level = format_number(100 - params["improvement_weight"] * 100, 1)
    red = params["red_core_failures"]
    weights = params.get("domain_weights") or {}
    equal = len(set(weights.values())) <= 1
    deprivation = indicator_names.get(params["deprivation_indicator"], params["deprivation_indicator"])
    return [
        ("Who is rated", f"An organisation is rated only if it reported at least {coverage}% of the performance "
                         f"indicators that apply to its type. Others are shown as not rated, with the reason."),
        ("Fair comparison", "Each organisation is compared only with organisations of the same type."),
        ("Adjustment for deprivation",
         f"Indicators marked for adjustment are adjusted for the deprivation of the population served "
         f"(using {deprivation}): the typical effect of deprivation across organisations of the type is "
         f"estimated and removed, so an organisation serving a deprived area is not marked down for that."
         if params["value_added"] else "No adjustment for deprivation was made this year."),
        ("Core national targets",
         f"Failing {red} or more core national targets makes an organisation red. A missing figure for a "
         f"core target counts as a failure. Failing any core target rules out green."),
        ("Scores", f"Each indicator is turned into a standard score (how far above or below the average of its "
                   f"type, in standard deviations), limited to between −{format_number(params['clip_z'])} and "
                   f"+{format_number(params['clip_z'])} so that one extreme figure cannot dominate."),
        ("Domains", "Scores are averaged within each of the four domains (service quality, efficiency, access "
                    "and patient experience), and the domains are "
                    + ("weighted equally." if equal else "weighted: " + ", ".join(
                        f"{DOMAIN_WORDS.get(d, d)} {format_number(w)}" for d, w in weights.items()) + ".")),
        ("Improvement", f"The final score is {level}% the level score for the year and {improvement}% the "
                        f"improvement score since the year before (the level score alone when there is no "
                        f"figure for the year before)."
         if params["improvement_weight"] else "Improvement did not count: the final score is the level score."),
        ("Green", f"At most {share}% of the rated organisations of each type can be green: those with the best "
                  f"final scores among the organisations that failed no core national target. Organisations tied "
                  f"at the cut-off are all green."),
        ("Yellow", "Every other rated organisation is yellow."),
    ]
