"""What a stored rating says, as typed facts: for each indicator its figures,
its standing among its peers and its core-target result, and the rule that
decided the band. Presenters turn these facts into words and figures.

Pure: no Django, no pandas. It reads a stored rating and its run (or
anything with the same attributes), and it is the one reader of the
rating's JSON columns: their shapes are named here, and `rating_rows`
writes them in these orders."""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import Enum
from typing import NamedTuple

from . import bands, peers
from .funnels import Classification


class IndicatorScore(NamedTuple):
    """`Rating.indicator_scores[code]`, stored as a list in this order. The
    counts and the funnel classification are stored for an indicator with a
    measure and counts (null otherwise); ratings stored before funnels were
    kept (migration 0016) have only the first four."""

    value: float | None
    adjusted: float | None  # after the value-added adjustment (the value when not adjusted)
    z: float | None
    delta_z: float | None  # the improvement z-score
    numerator: float | None = None
    denominator: float | None = None
    funnel: float | None = None  # a `funnels.Classification` number: -2 much worse ... 2 much better


SCORE_FIELDS = IndicatorScore._fields
# `Rating.peer_standings[code]`, stored as a list in this order: position (1 best), count, quarter, and
# the number of others tied at the position (absent from ratings stored before it was kept).
PeerStanding = peers.Standing
STANDING_FIELDS = tuple(field.name for field in fields(PeerStanding))


class CoreFailure(NamedTuple):
    """An item of `Rating.core_failures`, stored as an object with these keys."""

    indicator: str
    value: float | None  # reported (engine 2; version 1 runs stored the adjusted value); None when there was none
    threshold: float | None
    reason: str  # "missed" or NO_DATA


class Adjustment(NamedTuple):
    """An item of `Rating.adjustments` (one per indicator flagged for adjustment), stored as an object."""

    indicator: str
    value: float | None
    adjusted: float | None
    deprivation: float | None
    slope: float | None
    status: str  # ADJUSTED, or "not adjusted: " and why (the engine's ADJUSTMENT_STATUS)


class DomainScores(NamedTuple):
    """`Rating.domain_scores`: {domain: score} at level and for improvement."""

    level: dict
    improvement: dict


NO_DATA = "no data"  # a core failure's reason when there was no figure
ADJUSTED = "adjusted"  # an adjustment's status when the adjustment changed the figure


def indicator_scores(rating) -> dict[str, IndicatorScore]:
    return {code: IndicatorScore(*values) for code, values in rating.indicator_scores.items()}


def peer_standings(rating) -> dict[str, PeerStanding] | None:
    """None for a rating stored before standings were kept (migration 0009)."""
    if rating.peer_standings is None:
        return None
    return {code: PeerStanding(*values) for code, values in rating.peer_standings.items()}


def core_failures(rating) -> list[CoreFailure]:
    return core_failures_of(rating.core_failures)


def core_failures_of(stored: list[dict] | None) -> list[CoreFailure]:
    """`core_failures` of the stored JSON alone (a values query's column)."""
    return [CoreFailure(item["indicator"], item.get("value"), item.get("threshold"), item.get("reason", ""))
            for item in stored or []]


def adjustments(rating) -> dict[str, Adjustment]:
    """By indicator code."""
    found = {}
    for item in rating.adjustments:
        found.setdefault(item["indicator"], Adjustment(**{name: item.get(name) for name in Adjustment._fields}))
    return found


def domain_scores(rating) -> DomainScores:
    return DomainScores(rating.domain_scores.get("level", {}), rating.domain_scores.get("improvement", {}))


class CoreResult(Enum):
    MET = "met"
    MISSED = "missed"
    NO_DATA = "no data"
    # No figure, from an organisation that was not rated: core targets are
    # counted only for rated organisations, so nothing was decided.
    NOT_COUNTED = "not counted"
    NOT_CORE = "not a core target"


@dataclass(frozen=True)
class IndicatorFacts:
    code: str
    value: float | None
    adjusted: float | None
    z: float | None
    improvement_z: float | None
    adjustment: Adjustment | None  # None unless the indicator is flagged for adjustment
    median: float | None  # of the peers' reported values
    standing: PeerStanding | None  # None without a z-score
    core: CoreResult
    # The counts and where they fall against the run's funnel limits; None for a
    # figure without counts (no measure, or a rating stored before funnels were kept).
    numerator: float | None = None
    denominator: float | None = None
    funnel: Classification | None = None

    @property
    def was_adjusted(self) -> bool:
        """Whether the value-added adjustment gave it an adjusted figure."""
        return self.adjustment is not None and self.adjustment.status == ADJUSTED and self.adjusted is not None


class Rule(Enum):
    """Which rule of the method decided a band."""

    FAILED_CORE_TARGETS = "failed enough core targets to be red"
    AMONG_BEST_CANDIDATES = "failed no core target and scored among the best q of the candidates"
    FAILED_SOME_CORE_TARGETS = "failed a core target, too few to be red, which rules out green"
    MISSING_CORE_DATA = "did not report a core target figure, which rules out green (missing_core_data = not_green)"
    BELOW_CUT_OFF = "failed no core target, but scored below the green cut-off"
    NO_GREEN_PLACES = "failed no core target, but there were no green places"
    NOT_RATED = "too few figures to be rated"


# How a missing core figure counted (the parameter `missing_core_data`);
# runs of engine version 1 had no such parameter and counted it a failure.
MISSING_CORE_FAILURE, MISSING_CORE_NOT_GREEN = "failure", "not_green"


@dataclass(frozen=True)
class BandReason:
    band: str
    rule: Rule
    failures: tuple[CoreFailure, ...]
    red_core_failures: int  # failures that make an organisation red
    green_share: float  # the most of the rated organisations that may be green
    rank: int | None
    rated_count: int
    gap_to_green: float | None  # the margin m: the final score less the green cut-off
    not_rated_reason: str
    missing_core_data: str = MISSING_CORE_FAILURE
    # Step 8's records (engine 2.0.0); None on ratings of version 1 runs, which did not keep them.
    improvement_measured: bool | None = None
    candidate_position: int | None = None  # rank of S among the candidates for green; None if not one
    green_quota: int | None = None  # q
    green_candidates: int | None = None  # how many were candidates

    @property
    def counted_failures(self) -> tuple[CoreFailure, ...]:
        """The shortfalls that count in F: a missing figure only under `failure`."""
        if self.missing_core_data == MISSING_CORE_FAILURE:
            return self.failures
        return tuple(f for f in self.failures if f.reason != NO_DATA)

    @property
    def missing(self) -> tuple[CoreFailure, ...]:
        """Core targets with no figure."""
        return tuple(f for f in self.failures if f.reason == NO_DATA)


@dataclass(frozen=True)
class RatingFacts:
    band: str
    reason: BandReason
    indicators: list[IndicatorFacts]
    domains: DomainScores


def rating_facts(rating, indicators) -> RatingFacts:
    """A rating's facts, for `indicators` (with `code` and `core_threshold`) in their order."""
    run = rating.run
    scores, adjusted, standings = indicator_scores(rating), adjustments(rating), peer_standings(rating)
    failures = {}
    for failure in core_failures(rating):
        failures.setdefault(failure.indicator, failure)
    return RatingFacts(
        band=rating.band, reason=band_reason(rating, run.parameters, run.rated_count),
        indicators=[_indicator_facts(indicator, rating, scores.get(indicator.code), adjusted.get(indicator.code),
                                     failures.get(indicator.code), standings) for indicator in indicators],
        domains=domain_scores(rating))


def band_reason(rating, params: dict, rated_count: int) -> BandReason:
    """The rule that decided the rating's band, with what it decided on."""
    failures = tuple(core_failures(rating))
    missing_core_data = params.get("missing_core_data", MISSING_CORE_FAILURE)
    counted = failures if missing_core_data == MISSING_CORE_FAILURE else tuple(
        f for f in failures if f.reason != NO_DATA)
    if rating.band == bands.RED:
        rule = Rule.FAILED_CORE_TARGETS
    elif rating.band == bands.GREEN:
        rule = Rule.AMONG_BEST_CANDIDATES
    elif rating.band == bands.YELLOW:
        rule = (Rule.FAILED_SOME_CORE_TARGETS if counted else
                Rule.MISSING_CORE_DATA if failures else
                Rule.BELOW_CUT_OFF if rating.gap_to_green is not None else Rule.NO_GREEN_PLACES)
    else:
        rule = Rule.NOT_RATED
    return BandReason(band=rating.band, rule=rule, failures=failures,
                      red_core_failures=params.get("red_core_failures", 2),
                      green_share=params.get("green_share", 0.25), rank=rating.rank, rated_count=rated_count,
                      gap_to_green=rating.gap_to_green, not_rated_reason=rating.not_rated_reason,
                      missing_core_data=missing_core_data,
                      improvement_measured=getattr(rating, "improvement_measured", None),
                      candidate_position=getattr(rating, "candidate_position", None),
                      green_quota=getattr(rating, "green_quota", None),
                      green_candidates=getattr(rating, "green_candidates", None))


def _indicator_facts(indicator, rating, score: IndicatorScore | None, adjustment: Adjustment | None,
                     failure: CoreFailure | None, standings: dict | None) -> IndicatorFacts:
    value, adjusted, z, delta_z, numerator, denominator, funnel = score if score else IndicatorScore(None, None, None,
                                                                                                    None)
    if value is None and adjustment:
        value, adjusted = adjustment.value, adjustment.adjusted
    median, standing = _peers(indicator.code, z, rating.run, standings)
    if indicator.core_threshold is None:
        core = CoreResult.NOT_CORE
    elif rating.band == bands.NOT_RATED:
        # The method judges core targets only for rated organisations: a
        # figure that meets the threshold was not "met" for a rating there wasn't.
        core = CoreResult.NOT_COUNTED
    elif failure:
        core = CoreResult.NO_DATA if failure.reason == NO_DATA else CoreResult.MISSED
    elif value is not None:
        core = CoreResult.MET
    else:
        core = CoreResult.NO_DATA
    return IndicatorFacts(code=indicator.code, value=value, adjusted=adjusted, z=z, improvement_z=delta_z,
                          adjustment=adjustment, median=median, standing=standing, core=core, numerator=numerator,
                          denominator=denominator, funnel=None if funnel is None else Classification(int(funnel)))


def _peers(code: str, z, run, standings: dict | None) -> tuple[float | None, PeerStanding | None]:
    """The peers' median and where the organisation stands among them, as
    stored with the rating and its run; for ratings stored before those were
    kept (migration 0009), placed from the run's whole peer summary."""
    if standings is not None and run.peer_medians is not None:
        return run.peer_medians.get(code), standings.get(code) if z is not None else None
    summary = run.indicator_summary.get(code, {})
    return summary.get("median"), peers.standing(z, summary["z"]) if z is not None and summary.get("z") else None


# The decomposition (issue 16), stored as `Rating.decomposition` by `change_explanations`.
# Main reasons a band changed, as stored in `Rating.change_reason` (`decomposition`'s names).
OWN, OTHERS, METHOD, CORRECTIONS, CORE_TARGETS = "own", "others", "method", "corrections", "core targets"
CHANGE_REASONS = (OTHERS, OWN, CORE_TARGETS, METHOD, CORRECTIONS)
NO_CUTOFF, NOT_RATED_IN_A_COMBINATION = "no green cut-off", "not rated"


class CoreTargetChange(NamedTuple):
    """An item of the decomposition's `core_changes`: a core target whose result changed."""

    indicator: str
    before: str | None  # "met", "missed", "no data"; None when it was not a core target
    after: str | None
    value_before: float | None
    value_after: float | None
    threshold_before: float | None
    threshold_after: float | None
    cause: str  # "figure", "threshold", "figure and threshold", "new target", "no longer a target"


@dataclass(frozen=True)
class ChangeExplanation:
    """`Rating.decomposition`: why the margin m = S - c moved from the rating
    `compared_with` (the previous year's published run) to this one. The parts
    (own figures, others' figures, method, corrections since publication) add
    up to `change`; they are None when some combination had no margin
    (`no_margin_reason`). `margins` and `bands`: each of the eight
    combinations, keyed "own1_others0_method1" (1 = this year's state)."""

    compared_with: int
    year_before: int
    band_before: str
    band_after: str
    margin_before: float | None
    margin_after: float | None
    change: float | None
    own: float | None
    others: float | None
    method: float | None
    corrections: float | None
    no_margin_reason: str
    band_if_others_stood_still: str
    band_under_last_years_method: str
    main_reason: str
    core_changes: tuple[CoreTargetChange, ...]
    margins: dict
    bands: dict

    @property
    def has_margin(self) -> bool:
        return self.own is not None

    @property
    def parts(self) -> dict[str, float]:
        """The parts by name, in the order shown: own, others, method, corrections."""
        return {OWN: self.own, OTHERS: self.others, METHOD: self.method, CORRECTIONS: self.corrections}


def change_explanation(rating) -> ChangeExplanation | None:
    return change_explanation_of(rating.decomposition)


def change_explanation_of(stored: dict | None) -> ChangeExplanation | None:
    """The stored decomposition alone (a values query's column); None when there is none."""
    if not stored:
        return None
    return ChangeExplanation(**{**stored, "core_changes": tuple(CoreTargetChange(**item)
                                                                for item in stored["core_changes"])})
