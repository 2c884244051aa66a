"""The report card: a rating's facts (ratings/standings.py) in words and
rounded figures, with its history, consequences and revisions."""

from __future__ import annotations

from dataclasses import dataclass

from indicators.models import Domain, Indicator
from indicators.years import format_year
from ratings import bands, standings
from ratings.ladder import consecutive_years
from ratings.parameters import DOMAINS
from ratings.funnels import Classification
from ratings.standings import CoreResult, Rule

from .. import charts
from ..formatting import count_words, format_number, format_points, ordinal, plural_of, position_words
from . import band_changes, band_meanings
from .certainty import Certainty, certainty_facts, certainty_section
from .charting import PHONE_WIDTH, svg
from .indicator_trends import IndicatorTrend, indicator_trends
from .revisions import revisions, version_notice

# The indicator's own small traffic light, and the band whose tag shows it: for a figure with counts,
# where it falls against the funnel limits (spec, "Funnel limits"); for any other (no sampling model),
# its quarter among its peers.
FUNNEL_LIGHTS = {Classification.MUCH_BETTER: bands.GREEN, Classification.BETTER: bands.GREEN,
                 Classification.WITHIN: bands.YELLOW, Classification.WORSE: bands.RED,
                 Classification.MUCH_WORSE: bands.RED}
QUARTER_WORDS = {"top": ("Best quarter", bands.GREEN), "middle": ("Middle half", bands.YELLOW),
                 "bottom": ("Worst quarter", bands.RED)}
# A core target's result, and the band whose tag shows it ("" shows nothing).
CORE_RESULT_WORDS = {CoreResult.MET: ("Met", bands.GREEN), CoreResult.MISSED: ("Missed", bands.RED),
                     CoreResult.NO_DATA: ("No data", bands.RED), CoreResult.NOT_COUNTED: ("", ""),
                     CoreResult.NOT_CORE: ("", "")}
DOMAIN_WORDS = dict(Domain.choices)


@dataclass
class IndicatorRow:
    indicator: Indicator
    domain: str
    value: str
    adjusted: str  # empty unless the value-added adjustment changed the value
    adjustment_note: str
    median: str
    position: str
    peer_light: str  # the words: against the expected range (with counts), else the quarter among peers
    peer_light_band: str  # green/yellow/red: the indicator's own small traffic light
    core_target: str
    core_result: str  # "Met", "Missed", "No data" or ""
    core_result_band: str  # the band whose tag shows the result


@dataclass
class ReportCard:
    organisation: object
    rating: object
    year: str
    band: str
    band_word: str
    band_meaning: str
    why: str
    core_targets: list[dict]
    indicator_rows: list[IndicatorRow]
    domain_rows: list[dict]
    rank_sentence: str
    gap_sentence: str
    improvement_sentence: str
    adjustment_sentence: str
    history_rows: list[dict]
    trend_chart: str
    consequences_intro: str  # what the band brings, before the list of it
    consequences: list[dict]
    provenance: dict
    predecessors: list  # the organisations it succeeded
    parameters: dict
    revisions: list[dict]
    version_notice: str  # on a previous version's page: what replaced it, and when
    indicator_trends: list[IndicatorTrend]  # each indicator's figure over the published years
    certainty: Certainty | None = None  # "How sure is this rating?", when its run simulated it
    # Why the band changed since the previous year's published rating (None with nothing to compare).
    change: band_changes.ChangeSection | None = None

    @property
    def other_years(self) -> list[dict]:
        return [row for row in self.history_rows if not row["current"]]


def card(data) -> ReportCard:
    """A report card (`queries.ReportCardData`) as the page shows it."""
    organisation, rating = data.organisation, data.rating
    run, params = rating.run, rating.run.parameters
    facts = standings.rating_facts(rating, data.indicators)
    names = {indicator.code: indicator.name for indicator in data.indicators}
    rows = [_indicator_row(indicator, found) for indicator, found in zip(data.indicators, facts.indicators)]
    terms = bands.of(rating.band)
    streak = band_streak(data.history, run.year, rating.band) if terms.escalates else 0
    return ReportCard(
        organisation=organisation, rating=rating, year=format_year(run.year), band=rating.band,
        band_word=terms.word, band_meaning=band_meanings.meaning(rating.band, params, plural_of(organisation.type)),
        why=why(facts.reason, names, plural_of(organisation.type),
                indicators={indicator.code: indicator for indicator in data.indicators}),
        core_targets=core_target_rows(rows, run.engine_version),
        indicator_rows=rows,
        domain_rows=[{"domain": DOMAIN_WORDS[d], "level": format_number(facts.domains.level.get(d)),
                      "improvement": format_number(facts.domains.improvement.get(d))} for d in DOMAINS],
        rank_sentence=rank_sentence(rating, plural_of(organisation.type), run.rated_count, data.rank_tied_with),
        gap_sentence=gap_sentence(rating),
        improvement_sentence=improvement_sentence(rating, params),
        adjustment_sentence=adjustment_sentence(rating, params),
        history_rows=[{"year": format_year(r.run.year), "band": r.band, "band_word": bands.word(r.band),
                       "score": format_number(r.score), "rank": r.rank, "rated": r.run.rated_count,
                       "current": r.pk == rating.pk} for r in data.history],
        trend_chart=svg(charts.trend_chart(
            chart_id="trend", title=f"{organisation.name}: final score by year",
            description="The final score in each published year, marked with the band's shape; "
                        "the dashed line is the green cut-off. The same figures are in the table below.",
            years=[format_year(r.run.year) for r in data.history], scores=[r.score for r in data.history],
            bands=[r.band for r in data.history], cutoffs=[r.green_cutoff for r in data.history], width=PHONE_WIDTH)),
        consequences_intro=consequences_intro(organisation, rating.band, streak),
        consequences=consequences(data.consequences, rating.band, streak),
        provenance=data.provenance,
        predecessors=data.predecessors,
        parameters=params,
        revisions=revisions(data.versions, shown=run.pk),
        version_notice=version_notice(data.versions, data.version) if data.version else "",
        indicator_trends=indicator_trends(data.history, data.indicators, organisation.name, shown=rating,
                                          shown_medians={f.code: f.median for f in facts.indicators}),
        certainty=certainty_section(rating, previous=year_before(data.history, run.year)),
        change=change_section(rating, organisation, data.indicators, history=data.history),
    )


def year_before(history: list, year: int):
    """The organisation's published rating of the year before `year`, if any."""
    return next((r for r in history if r.run.year == year - 1), None)


def card_change(rating, history=None) -> standings.ChangeExplanation | None:
    """The band change the card explains, from the decomposition stored with the rating; given the
    organisation's published `history`, none when the rating it was compared with is no longer public
    (withdrawn, or replaced by a correction): the card cites only what the public can see."""
    explanation = standings.change_explanation(rating)
    if explanation is not None and history is not None and not any(
            r.run_id == explanation.compared_with for r in history):
        return None
    return explanation


def change_section(rating, organisation, indicators, history=None) -> band_changes.ChangeSection | None:
    """"Why did the band change?" (`card_change`) in words."""
    explanation = card_change(rating, history)
    by_code = {indicator.code: indicator for indicator in indicators}

    def targets(code: str, threshold: float) -> str:
        indicator = by_code.get(code)
        return target_words(indicator.direction, threshold) if indicator else format_number(threshold)

    return band_changes.section(explanation, name=organisation.name,
                                plural=plural_of(organisation.type),
                                names={indicator.code: indicator.name for indicator in indicators}, targets=targets)


def core_target_rows(rows: list[IndicatorRow], engine_version: str) -> list[dict]:
    """The core targets as judged: on the reported figure (method version 2),
    or, for a run of version 1, on the adjusted figure it used."""
    version_1 = str(engine_version).split(".")[0] == "1"
    return [{"name": row.indicator.name, "code": row.indicator.code,
             "value": figure_with_unit((row.adjusted or row.value) if version_1 else row.value, row.indicator.unit),
             "target": row.core_target, "result": row.core_result, "result_band": row.core_result_band}
            for row in rows if row.core_target]


def why(reason: standings.BandReason, names: dict, plural: str, indicators: dict | None = None) -> str:
    """The one plain-English sentence that explains the band: the rule that
    decided it (`standings.band_reason`) in words, true of the stored records.
    `indicators` (by code, as the run defined them) give each failed target's
    unit and direction."""
    word = bands.word(reason.band)
    counted = reason.counted_failures
    names = {code: (name, (indicators or {}).get(code)) for code, name in names.items()}
    if reason.rule is Rule.FAILED_CORE_TARGETS:
        return f"{word}: {_shortfall_words(counted, names)}."
    if reason.rule is Rule.AMONG_BEST_CANDIDATES:
        return f"{word}: {_green_words(reason, plural)}."
    if reason.rule is Rule.FAILED_SOME_CORE_TARGETS:
        return (f"{word}: {_shortfall_words(counted, names)}, so it cannot be green; "
                f"{reason.red_core_failures} or more would have made it red.")
    if reason.rule is Rule.MISSING_CORE_DATA:
        return (f"{word}: did not report {count_words(len(reason.missing))} core national "
                f"target{'' if len(reason.missing) == 1 else 's'} ({_listed_failures(reason.missing, names)}): "
                f"this year a missing core figure is not a failure, but it rules out green.")
    if reason.rule is Rule.BELOW_CUT_OFF:
        return (f"{word}: failed no core national target, but its score was "
                f"{format_points(reason.gap_to_green)} below the green cut-off"
                + (f" (the score of the last of the {reason.green_quota} green places)."
                   if reason.green_quota else "."))
    if reason.rule is Rule.NO_GREEN_PLACES:
        return f"{word}: failed no core national target, but no green places were available."
    return f"{word}: {reason.not_rated_reason or 'too few figures were reported.'}"


def _green_words(reason: standings.BandReason, plural: str) -> str:
    """Green is "failed no core target and among the best q of the candidates":
    never "the top 25%" of all rated, since its rank among them may be lower."""
    if reason.candidate_position is None or reason.green_quota is None:
        # A run of method version 1, which did not record the candidates.
        return (f"failed no core national target and scored at or above the green cut-off "
                f"(ranked {ordinal(reason.rank)} of {reason.rated_count} {plural})")
    return (f"failed no core national target and scored among the best {reason.green_quota} of the "
            f"{reason.green_candidates} candidates ({ordinal(reason.candidate_position)} of them)")


def _shortfall_words(failures, names: dict) -> str:
    """'failed two core national targets: A (41.2 against a target of 45)...', or,
    when every one is a missing figure, 'did not report two core national targets: ...'."""
    count = len(failures)
    targets = "core national target" + ("" if count == 1 else "s")
    if failures and all(f.reason == standings.NO_DATA for f in failures):
        return f"did not report {count_words(count)} {targets}: {_listed_failures(failures, names)}"
    return f"failed {count} {targets}: {_listed_failures(failures, names)}"


def _listed_failures(failures, names: dict) -> str:
    return "; ".join(_failure_words(failure, names) for failure in failures)


def _failure_words(failure: standings.CoreFailure, names: dict) -> str:
    """'Financial balance (−0.1 £ million against a target of at least 0)': the
    figure with its unit and the target with its direction, when the indicator is known."""
    name, indicator = names.get(failure.indicator, (failure.indicator, None))
    if failure.reason == standings.NO_DATA or failure.value is None:
        return f"{name} (no data)"
    if indicator is None:
        return f"{name} ({format_number(failure.value)} against a target of {format_number(failure.threshold)})"
    figure = format_number(failure.value) + (f" {indicator.unit}" if indicator.unit else "")
    return f"{name} ({figure} against a target of {target_words(indicator.direction, failure.threshold)})"


def figure_with_unit(figure: str, unit: str) -> str:
    """'−0.1 (£ million)'; the figure alone without a unit, or when there is no figure."""
    return f"{figure} ({unit})" if unit and figure not in ("", "–") else figure


def target_words(direction: str, threshold: float) -> str:
    """'at least 45' or 'at most 0'."""
    return ("at least " if direction == Indicator.Direction.HIGHER_BETTER else "at most ") + format_number(threshold)


def rank_sentence(rating, plural: str, rated_count: int, tied_with: int | None = None) -> str:
    """The rank under the one tie rule (equal scores share the better rank), the tie said."""
    if rating.rank is None:
        return "Not ranked."
    if not tied_with:
        return f"Ranked {ordinal(rating.rank)} of {rated_count} {plural} by final score."
    others = "1 other" if tied_with == 1 else f"{tied_with} others"
    return f"Ranked joint {ordinal(rating.rank)} of {rated_count} {plural} by final score, with {others}."


def gap_sentence(rating) -> str:
    if rating.score is None:
        return ""
    if rating.green_cutoff is None:
        return "No organisation of this type was green this year, so there was no green cut-off."
    gap = rating.gap_to_green
    if abs(gap) < 0.005:
        return f"Its final score ({format_number(rating.score)}) was at the green cut-off."
    where = "above" if gap > 0 else "below"
    return (f"Its final score of {format_number(rating.score)} was {format_points(gap)} {where} "
            f"the green cut-off of {format_number(rating.green_cutoff)}.")


def improvement_sentence(rating, params: dict) -> str:
    weight = params.get("improvement_weight", 0)
    if not weight:
        return "Improvement did not count this year."
    share = format_number(weight * 100, 0)
    if getattr(rating, "improvement_measured", None) is False:
        return (f"Improvement counts for {share}% of the final score, but there were no figures for the "
                f"year before to compare with, so improvement was not measured: it is counted as average "
                f"improvement (an improvement score of 0).")
    if rating.improvement_score is None:
        # Method version 1: no improvement score meant the level score alone.
        return (f"Improvement counts for {share}% of the final score, but there were no figures for the "
                f"year before to compare with, so the final score is the level score alone.")
    direction = "better than" if rating.improvement_score > 0 else "worse than" if rating.improvement_score < 0 \
        else "the same as"
    return (f"Improvement counts for {share}% of the final score. Its improvement score of "
            f"{format_number(rating.improvement_score)} means it improved {direction} the average "
            f"organisation of its type since the year before.")


def adjustment_sentence(rating, params: dict) -> str:
    if not params.get("value_added"):
        return "The value-added adjustment for deprivation was off this year."
    if rating.band_without_adjustment != rating.band:
        return (f"Without the value-added adjustment for deprivation it would have been "
                f"{bands.word(rating.band_without_adjustment).lower()}.")
    return "The value-added adjustment for deprivation did not change its band."


def band_streak(history, year: int, band: str) -> int:
    """Consecutive years in `band` up to and including `year`, from the published history."""
    return consecutive_years({rating.run.year for rating in history if rating.band == band}, year)


def consequences_intro(organisation, band: str, streak: int) -> str:
    """What the band brings, and for a band whose consequences step up year
    by year (red), how many consecutive years the organisation has been in it."""
    terms = bands.of(band)
    if not terms.escalates:
        return terms.consequences
    years = "year" if streak == 1 else "years"
    return (f"{terms.consequences} {organisation.name} has been {terms.word.lower()} for {streak} consecutive "
            f"{years}.")


def consequences(items, band: str, streak: int) -> list[dict]:
    """What the band means: the freedoms of green, yellow's usual monitoring, or
    the red escalation ladder with each step marked as reached or not. Each:
    {"title", "description", "years", "reached", "step"} where "step" (on a
    ladder only) says from how many consecutive years it applies."""
    terms = bands.of(band)
    shown = []
    for item in items:
        if item.band != band:
            continue
        reached = not terms.escalates or item.consecutive_years <= streak
        step = ""
        if terms.escalates:
            years = "year" if item.consecutive_years == 1 else "years"
            step = (f"from {item.consecutive_years} consecutive {terms.word.lower()} {years}"
                    + (", applies now" if reached else ""))
        shown.append({"title": item.title, "description": item.description, "years": item.consecutive_years,
                      "reached": reached, "step": step})
    return shown


def core_target(indicator) -> str:
    """The core national target in words ("at least 45", "at most 0"); empty when there is none."""
    if indicator.core_threshold is None:
        return ""
    return target_words(indicator.direction, indicator.core_threshold)


def _indicator_row(indicator: Indicator, facts: standings.IndicatorFacts) -> IndicatorRow:
    light, light_band = peer_light(facts)
    result, result_band = CORE_RESULT_WORDS[facts.core]
    adjustment = facts.adjustment
    return IndicatorRow(
        indicator=indicator, domain=DOMAIN_WORDS.get(indicator.domain, ""),
        value=format_number(facts.value), adjusted=format_number(facts.adjusted) if facts.was_adjusted else "",
        adjustment_note=(adjustment.status or "") if adjustment and not facts.was_adjusted else "",
        median=format_number(facts.median),
        position=position_words(facts.standing.position, facts.standing.count, facts.standing.tied_with)
        if facts.standing else "",
        peer_light=light, peer_light_band=light_band,
        core_target=core_target(indicator), core_result=result, core_result_band=result_band,
    )


def peer_light(facts: standings.IndicatorFacts) -> tuple[str, str]:
    """The indicator's small traffic light (words, band): against the funnel
    limits stored with the rating for a figure with counts; else (a measure
    with no sampling model) its quarter among its peers; nothing without a figure."""
    if facts.funnel is not None:
        return facts.funnel.words.capitalize(), FUNNEL_LIGHTS[facts.funnel]
    return QUARTER_WORDS[facts.standing.quarter] if facts.standing else ("", "")


@dataclass
class IndicatorOnCard:
    indicator: Indicator  # as the run defined it
    facts: standings.IndicatorFacts


@dataclass
class CardFacts:
    """Every fact a report card shows, as data rather than sentences (the
    API's card): the rating's facts (`standings.rating_facts`) beside the
    indicators as its run defined them, the history, the consequences with
    the streak that reaches them, provenance, parameters and revisions."""

    organisation: object
    rating: object
    run: object
    facts: standings.RatingFacts
    indicators: list[IndicatorOnCard]
    history: list
    streak: int  # consecutive years in the band up to this year (counted for an escalating band only)
    consequences: list[dict]
    provenance: dict
    parameters: dict
    versions: list  # the year's revision history, oldest first (`queries.revisions`)
    certainty: dict | None  # "How sure is this rating?" (`certainty.certainty_facts`)
    change: standings.ChangeExplanation | None  # "Why did the band change?" (`card_change`)
    predecessors: list  # the organisations it took over (`queries.predecessors`)

    @property
    def organisation_row(self) -> dict:
        """The organisation as the API's organisation rows give it (`public.api.reads.organisation_rows`),
        its predecessors from those the card already read."""
        organisation = self.organisation
        return {"code": organisation.code, "name": organisation.name, "opened": organisation.opened,
                "closed": organisation.closed, "type": organisation.type, "region": organisation.region,
                "successor": organisation.successor,
                "predecessors": sorted(predecessor.code for predecessor in self.predecessors)}


def card_facts(data) -> CardFacts:
    """A report card (`queries.ReportCardData`) as facts: what `card` puts in words."""
    rating = data.rating
    facts = standings.rating_facts(rating, data.indicators)
    streak = band_streak(data.history, rating.run.year, rating.band) if bands.of(rating.band).escalates else 0
    return CardFacts(
        organisation=data.organisation, rating=rating, run=rating.run, facts=facts,
        indicators=[IndicatorOnCard(i, f) for i, f in zip(data.indicators, facts.indicators)],
        history=data.history, streak=streak,
        consequences=consequences(data.consequences, rating.band, streak), provenance=data.provenance,
        parameters=rating.run.parameters, versions=data.versions,
        certainty=certainty_facts(rating, previous=year_before(data.history, rating.run.year)),
        change=card_change(rating, data.history), predecessors=data.predecessors)
