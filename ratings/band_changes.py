"""Two sets of ratings of the same organisations, side by side: a draft against
the published ratings, this year against last, or two parameter sets on the
same data. Counts every band by type and region and explains every band that
moved. Pure: no Django, no pandas."""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from . import bands, standings
from .bands import CODES as BANDS, GREEN, NOT_RATED, RED, YELLOW

BAND_WORDS = {band.code: band.word.lower() for band in bands.BANDS}
# A final score that moved by no more than this did not move (stored scores are rounded to 1e-6 or finer).
SCORE_UNCHANGED = 1e-9


@dataclass(frozen=True)
class Organisation:
    id: int
    code: str
    name: str
    type: str
    region: str


@dataclass(frozen=True)
class Outcome:
    """One organisation's rating in one of the two sets."""

    band: str
    score: float | None
    level: float | None
    improvement: float | None
    rank: int | None
    rated_count: int
    green_cutoff: float | None
    core_failures: tuple[str, ...]
    band_without_adjustment: str
    band_without_improvement: str
    not_rated_reason: str = ""
    # Core targets with no figure, whether or not the method counted them as
    # failures (missing_core_data = failure counts them; not_green does not).
    missing_core: tuple[str, ...] = ()
    # The stored decomposition (`Rating.decomposition`) of why it moved from the
    # other side's rating, when it was worked out against that very run.
    explanation: dict | None = None


@dataclass
class BandCounts:
    group: str
    before: dict[str, int]
    after: dict[str, int]

    @property
    def rows(self) -> list[tuple[str, int, int, int]]:
        return [(band, self.before[band], self.after[band], self.after[band] - self.before[band]) for band in BANDS]


@dataclass
class Change:
    organisation: Organisation
    before: Outcome | None
    after: Outcome | None
    reasons: list[str] = field(default_factory=list)
    main_reason: str = ""
    # A what-if's: each changed parameter's share of the move to the new band
    # (and COMBINED, the changes' effect together, when they were tried one at a time).
    parameter_shares: dict[str, float] = field(default_factory=dict)


@dataclass
class Comparison:
    before_label: str
    after_label: str
    parameter_changes: list[tuple[str, object, object]]
    totals: BandCounts
    by_type: list[BandCounts]
    by_region: list[BandCounts]
    by_type_and_region: list[BandCounts]
    changes: list[Change]
    unchanged: int


def compare(before: Mapping[int, Outcome], after: Mapping[int, Outcome], organisations: Mapping[int, Organisation],
            *, before_label: str, after_label: str, before_parameters: Mapping | None = None,
            after_parameters: Mapping | None = None, indicator_names: Mapping[str, str] | None = None,
            tried: Mapping[frozenset, Mapping[int, Outcome]] | None = None) -> Comparison:
    """`tried` (a what-if's): the outcomes with some of the changed parameters
    changed (the rest as set), by the set of their names: every subset when
    they are few (`SHAPLEY_MOST`), else each alone; to say which parameters
    moved each organisation (`parameter_shares`)."""
    before_parameters, after_parameters = dict(before_parameters or {}), dict(after_parameters or {})
    names = dict(indicator_names or {})
    changed = [name for name, _, _ in parameter_changes(before_parameters, after_parameters)]
    changes, unchanged = [], 0
    for pk in sorted(set(before) | set(after)):
        old, new = before.get(pk), after.get(pk)
        if old is not None and new is not None and old.band == new.band:
            unchanged += 1
            continue
        change = explain(organisations[pk], old, new, before_label=before_label, after_label=after_label,
                         before_parameters=before_parameters, after_parameters=after_parameters, names=names)
        if tried is not None and changed and old is not None and new is not None:
            change.parameter_shares = parameter_shares(pk, old, new, changed, tried)
            change.reasons.insert(0, parameter_sentence(change.parameter_shares, new, changed))
        changes.append(change)
    changes.sort(key=lambda c: (c.organisation.type, severity(c), c.organisation.name, c.organisation.code))
    return Comparison(
        before_label=before_label, after_label=after_label,
        parameter_changes=parameter_changes(before_parameters, after_parameters),
        totals=count_bands(before, after, organisations, lambda o: "All")[0],
        by_type=count_bands(before, after, organisations, lambda o: o.type),
        by_region=count_bands(before, after, organisations, lambda o: o.region or "No region"),
        by_type_and_region=count_bands(before, after, organisations,
                                       lambda o: f"{o.type}: {o.region or 'No region'}"),
        changes=changes, unchanged=unchanged)


def count_bands(before, after, organisations, group_of) -> list[BandCounts]:
    """Band counts per group, each set counting only its own organisations."""
    counts = {"before": Counter(), "after": Counter()}
    for side, outcomes in (("before", before), ("after", after)):
        for pk, outcome in outcomes.items():
            counts[side][group_of(organisations[pk]), outcome.band] += 1
    groups = sorted({group for group, _ in counts["before"]} | {group for group, _ in counts["after"]})
    return [BandCounts(group=group, before={band: counts["before"][group, band] for band in BANDS},
                       after={band: counts["after"][group, band] for band in BANDS}) for group in groups] \
        or [BandCounts(group="All", before=dict.fromkeys(BANDS, 0), after=dict.fromkeys(BANDS, 0))]


def parameter_changes(before: Mapping, after: Mapping) -> list[tuple[str, object, object]]:
    if not before or not after:
        return []
    names = list(before) + [name for name in after if name not in before]
    return [(name, before.get(name), after.get(name)) for name in names if before.get(name) != after.get(name)]


def severity(change: Change) -> int:
    """Moves into red first, then out of red, then green and yellow, then in or out of the rated set."""
    old = change.before.band if change.before else None
    new = change.after.band if change.after else None
    if new == RED:
        return 0
    if old == RED:
        return 1
    if {old, new} <= {GREEN, YELLOW}:
        return 2
    return 3


def explain(organisation: Organisation, old: Outcome | None, new: Outcome | None, *, before_label: str,
            after_label: str, before_parameters: dict, after_parameters: dict, names: dict) -> Change:
    """Why the band moved, most decisive reason first."""
    change = Change(organisation=organisation, before=old, after=new)
    if old is None or new is None:
        missing = before_label if old is None else after_label
        change.reasons.append(f"Not in {missing}.")
        change.main_reason = "not in both"
        return change
    labels = []
    if NOT_RATED in (old.band, new.band):
        labels.append("coverage")
        if new.band == NOT_RATED:
            change.reasons.append(f"Not rated now: {new.not_rated_reason or 'too few figures were reported'}.")
        else:
            change.reasons.append(f"Rated now; it was not rated before: "
                                  f"{old.not_rated_reason or 'too few figures were reported'}.")
        _parameter_reason(change, before_parameters, after_parameters, "min_coverage",
                          "The minimum coverage changed from {} to {}.", percent=True)
    if RED in (old.band, new.band) or set(old.core_failures) != set(new.core_failures):
        if set(old.core_failures) != set(new.core_failures) or RED in (old.band, new.band):
            labels.append("core targets")
            change.reasons.append(core_target_sentence(old, new, names))
        _parameter_reason(change, before_parameters, after_parameters, "red_core_failures",
                          "Red now needs {1} core target failures, not {0}.")
        if {old.band, new.band} == {GREEN, YELLOW} and (old.core_failures or new.core_failures):
            change.reasons.append("Failing a core national target rules out green.")
    explained = standings.change_explanation_of(new.explanation)
    if explained is not None:
        # What moved the margin, measured (the decomposition), rather than guessed from L and I.
        if explained.main_reason and explained.main_reason != standings.CORE_TARGETS:
            labels.append(DECOMPOSITION_LABELS[explained.main_reason])
        change.reasons.append(decomposition_sentence(explained))
    if {old.band, new.band} == {GREEN, YELLOW}:
        labels.append("score")
        change.reasons.append(score_sentence(old, new))
        if explained is None and (part := moved_by(old, new, after_parameters or before_parameters)):
            change.reasons.append(part)
        _parameter_reason(change, before_parameters, after_parameters, "green_share",
                          "The green share changed from {} to {}, which moved the quota of green places "
                          "and so the cut-off.", percent=True)
        _parameter_reason(change, before_parameters, after_parameters, "improvement_weight",
                          "The weight of improvement changed from {} to {}.", percent=True)
    if NOT_RATED not in (old.band, new.band):
        for outcome, tense in ((new, "now"), (old, "before")):
            if outcome.band != outcome.band_without_adjustment:
                labels.append("adjustment")
                change.reasons.append(_decided("The value-added adjustment for deprivation", outcome, tense,
                                               outcome.band_without_adjustment))
            if outcome.band != outcome.band_without_improvement:
                labels.append("improvement")
                change.reasons.append(_decided("Credit for improvement", outcome, tense,
                                               outcome.band_without_improvement))
        _parameter_reason(change, before_parameters, after_parameters, "value_added",
                          "The value-added adjustment was switched {1}.", words={True: "on", False: "off"})
    change.main_reason = next((label for label in ("coverage", "core targets", *DECOMPOSITION_LABELS.values(),
                                                   "adjustment", "improvement", "score")
                               if label in labels), "score")
    return change


# The decomposition's main reasons as the admin compare labels them.
DECOMPOSITION_LABELS = {standings.OTHERS: "others' figures", standings.OWN: "own figures",
                        standings.METHOD: "method", standings.CORRECTIONS: "corrections"}


def decomposition_sentence(explained: standings.ChangeExplanation) -> str:
    """The stored decomposition in one sentence: the parts of the margin's move and the counterfactual bands."""
    bands_if = (f"had the others stood still it would have been {BAND_WORDS[explained.band_if_others_stood_still]}; "
                f"under last year's method, {BAND_WORDS[explained.band_under_last_years_method]}.")
    if not explained.has_margin:
        return (f"Its margin over the green cut-off cannot be split into parts ({explained.no_margin_reason} in one "
                f"of the combinations of years compared): {bands_if}")
    return (f"Its margin over the green cut-off moved {_signed(explained.change)}: own figures "
            f"{_signed(explained.own)}, others' figures {_signed(explained.others)}, method "
            f"{_signed(explained.method)}, corrections since publication {_signed(explained.corrections)} "
            f"(Shapley values); {bands_if}")


def _signed(value: float) -> str:
    return f"{value:+.2f}"


# Up to this many changed parameters a what-if tries every subset of them (2^n - 2 ratings more) and
# shares each move among them by Shapley values; more are tried one at a time.
SHAPLEY_MOST = 4
# A what-if's share of a move that no one changed parameter alone accounts for.
COMBINED = "combined effect"


def parameter_shares(pk: int, old: Outcome, new: Outcome, changed: list[str],
                     tried: Mapping[frozenset, Mapping[int, Outcome]]) -> dict[str, float]:
    """Each changed parameter's share of an organisation's move to its new
    band. The value of a set of changes (the rest as set) is 1 when it gives
    the new band, else 0 (0 for none of them, 1 for all). With every subset
    tried: Shapley values, the average over every order of making the
    changes of what each adds, so the shares add up to 1. Otherwise each
    change alone (what it adds to none) and COMBINED, the rest of the 1."""
    everything = frozenset(changed)

    def value(subset: frozenset) -> float:
        if not subset:
            return 0.0
        if subset == everything:
            return 1.0
        outcome = tried[subset].get(pk)
        return 1.0 if outcome is not None and outcome.band == new.band else 0.0

    count = len(changed)
    if all(frozenset(subset) in tried for size in range(1, count)
           for subset in itertools.combinations(changed, size)):
        shares = {}
        for name in changed:
            others = [n for n in changed if n != name]
            shares[name] = sum(
                math.factorial(size) * math.factorial(count - size - 1) / math.factorial(count)
                * (value(frozenset(subset) | {name}) - value(frozenset(subset)))
                for size in range(count) for subset in itertools.combinations(others, size))
        return shares
    shares = {name: value(frozenset([name])) for name in changed}
    shares[COMBINED] = 1.0 - sum(shares.values())
    return shares


def parameter_sentence(shares: dict[str, float], new: Outcome, changed: list[str]) -> str:
    """Which changed parameters moved it, and by how much of the move."""
    if len(changed) == 1:
        return f"Moved by {changed[0]}."
    named = ", ".join(f"{name} {_share(share)}" for name, share in shares.items() if abs(share) > 1e-9)
    if COMBINED in shares:
        alone = [name for name in changed if shares[name] == 1.0]
        head = (f"Moved by {' or '.join(alone)}: {'that change' if len(alone) == 1 else 'each of these'} alone "
                f"gives this band" if alone else "No one changed parameter alone gives this band")
        return (f"{head} (each of the {len(changed)} changes tried alone, the rest as set; shares of the move: "
                f"{named}).")
    return (f"Moved by {named}: each change's share of the move to {BAND_WORDS[new.band]} (Shapley values over "
            f"every order of making the {len(changed)} changes).")


def _share(share: float) -> str:
    return f"{share * 100:.0f}%".replace("-", "−")


def core_target_sentence(old: Outcome, new: Outcome, names: dict) -> str:
    def listed(codes) -> str:
        return ", ".join(names.get(code, code) for code in codes)

    def failing(codes) -> str:
        count = len(codes)
        targets = "core national target" if count == 1 else "core national targets"
        return f"{count} {targets}" + (f" ({listed(codes)})" if codes else "")

    sentence = f"Now fails {failing(new.core_failures)}; it failed {len(old.core_failures)} before."
    newly_failed = [c for c in new.core_failures if c not in old.core_failures]
    # A target dropped from the failures was passed only if a figure now meets it: with no
    # figure on either side, what changed is whether the method counts a missing figure.
    now_uncounted = [c for c in old.core_failures if c not in new.core_failures and c in new.missing_core]
    now_passed = [c for c in old.core_failures if c not in new.core_failures and c not in new.missing_core]
    now_counted = [c for c in newly_failed if c in old.missing_core and c in new.missing_core]
    newly_failed = [c for c in newly_failed if c not in now_counted]
    parts = ([f"newly failed: {listed(newly_failed)}"] if newly_failed else []) + \
        ([f"now passed: {listed(now_passed)}"] if now_passed else []) + \
        ([f"still no figure, no longer counted as a failure (a missing figure now rules out green "
          f"instead): {listed(now_uncounted)}"] if now_uncounted else []) + \
        ([f"still no figure, now counted as a failure: {listed(now_counted)}"] if now_counted else [])
    return sentence + (f" ({'; '.join(parts)})" if parts else "")


def score_sentence(old: Outcome, new: Outcome) -> str:
    sentence = (f"Final score {_number(old.score)} → {_number(new.score)}, green cut-off "
                f"{_number(old.green_cutoff)} → {_number(new.green_cutoff)}")
    if old.rank is not None and new.rank is not None:
        sentence += f" (rank {ordinal(old.rank)} of {old.rated_count} → {ordinal(new.rank)} of {new.rated_count})"
    return sentence + "."


def moved_by(old: Outcome, new: Outcome, parameters: Mapping) -> str:
    """Which part of S = (1 - w) L + w I moved it more (S = L without I); or,
    when its own score did not move, that only the cut-off did."""
    if None in (old.level, new.level, old.score, new.score):
        return ""
    if abs(new.score - old.score) <= SCORE_UNCHANGED:
        return (f"Its own final score did not change ({_number(new.score)}): the green cut-off moved "
                f"({_number(old.green_cutoff)} → {_number(new.green_cutoff)}).")
    weight = parameters.get("improvement_weight", 0.25) if parameters else 0.25

    def part(outcome):
        return (1 - weight) * outcome.level if outcome.improvement is not None else outcome.level

    level_move = part(new) - part(old)
    improvement_move = (new.score - part(new)) - (old.score - part(old))
    if abs(level_move) >= abs(improvement_move):
        return f"Mostly its level score moved it ({_number(old.level)} → {_number(new.level)})."
    return (f"Mostly its improvement score moved it ({_number(old.improvement)} → "
            f"{_number(new.improvement)}).")


def ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def _decided(what: str, outcome: Outcome, tense: str, without: str) -> str:
    if tense == "now":
        return f"{what} decided it: without it, it would be {BAND_WORDS[without]}."
    return f"Before, {what[0].lower()}{what[1:]} decided it: without it, it would have been {BAND_WORDS[without]}."


def _parameter_reason(change: Change, before: dict, after: dict, name: str, template: str, *,
                      percent: bool = False, words: dict | None = None) -> None:
    if not before or not after or name not in before or name not in after or before[name] == after[name]:
        return

    def shown(value):
        if words is not None:
            return words.get(value, value)
        return f"{value * 100:g}%" if percent else value

    sentence = template.format(shown(before[name]), shown(after[name]))
    if sentence not in change.reasons:
        change.reasons.append(sentence)


def _number(value: float | None) -> str:
    return "none" if value is None else f"{value:.2f}"
