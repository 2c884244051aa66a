"""Why a band changed since last year, in words, a chart and a table: the
stored decomposition (`ratings.standings.ChangeExplanation`) on the report
card ("Why did the band change?") and on the "What changed since last year"
page. Every figure is a stored part, rounded to 2 decimals."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from indicators.years import format_year
from ratings import bands, standings
from ratings.standings import ChangeExplanation

from .. import charts
from ..formatting import format_number, format_signed, listed
from .charting import svg, wide_and_narrow

# A part that rounds to 0 at 2 decimals is not named in a sentence.
SHOWN = 0.005
# The main reasons as the public page's filter names them, in its order.
REASON_LABELS = {
    standings.OTHERS: "Others' figures",
    standings.OWN: "Own figures",
    standings.CORE_TARGETS: "Core targets",
    standings.METHOD: "Method change",
    standings.CORRECTIONS: "Corrections since publication",
}
PART_LABELS = {standings.OWN: "Its own figures", standings.OTHERS: "Others' figures",
               standings.METHOD: "The method", standings.CORRECTIONS: "Corrections since publication"}
NO_MARGIN_WORDS = {
    standings.NO_CUTOFF: "there was no green cut-off (no green places, or no candidates) under one of the "
                         "combinations of years compared",
    standings.NOT_RATED_IN_A_COMBINATION: "it would not have been rated under one of the combinations of "
                                          "years compared",
}
RESULT_WORDS = {"met": "met", "missed": "missed", "no data": "had no figure for"}


@dataclass(frozen=True)
class ChangeSection:
    heading: str
    sentences: list[str]
    chart: str  # SVG markup, empty without parts to split
    table: list[dict]  # {"label", "value"}: the chart's figures
    year_before: str


def band_word(band: str) -> str:
    return bands.word(band).lower()


def main_reason_words(explanation: ChangeExplanation, plural: str) -> str:
    """'other health authorities improved faster', 'its own figures improved', ..."""
    reason, change = explanation.main_reason, explanation.change or 0.0
    part = explanation.parts.get(reason)
    rising = (part if part is not None else change) > 0
    if reason == standings.OTHERS:
        return f"other {plural} fell back" if rising else f"other {plural} improved faster"
    if reason == standings.OWN:
        return "its own figures improved" if rising else "its own figures got worse"
    if reason == standings.METHOD:
        return "the method changed"
    if reason == standings.CORRECTIONS:
        return f"figures for {format_year(explanation.year_before)} were corrected after they were published"
    return "of its core national targets"


def parts_words(explanation: ChangeExplanation, subject: str) -> str:
    """'its own figures moved {subject} by +0.02 and others' figures by −0.14': the
    parts that do not round to 0 (own and others always)."""
    own, others = explanation.own, explanation.others
    words = [f"its own figures moved {subject} by {format_signed(own)}",
             f"others' figures by {format_signed(others)}"]
    if abs(explanation.method) >= SHOWN:
        words.append(f"the change of method by {format_signed(explanation.method)}")
    if abs(explanation.corrections) >= SHOWN:
        words.append(f"corrections to {format_year(explanation.year_before)}'s figures since they were published "
                     f"by {format_signed(explanation.corrections)}")
    return listed(words)


def counterfactual_sentences(explanation: ChangeExplanation) -> list[str]:
    """What the others standing still, and last year's method, would have given.

    The main reason is the largest part of the margin's move, an average over
    the orders in which the factors can move; each counterfactual band is one
    of those orders. So they can pull apart, and the words say how: a band
    change the others' move (or the change of method) was needed for although
    another part was larger ("It needed the others' figures too"), or one it
    was not needed for although it was the largest part (`lead`)."""
    still, under = explanation.band_if_others_stood_still, explanation.band_under_last_years_method
    before, after, reason = explanation.band_before, explanation.band_after, explanation.main_reason
    if still == before:
        words = f"the others stood still it would still be {band_word(still)}."
        sentences = [f"Had {words}" if reason == standings.OTHERS
                     else f"It needed the others' figures too: had {words}"]
    elif still == after:
        sentences = [f"Had the others stood still it would have been {band_word(still)} all the same."]
    else:
        sentences = [f"Had the others stood still it would have been {band_word(still)}."]
    year_before = format_year(explanation.year_before)
    if under == before:
        words = f"{year_before}'s method it would still be {band_word(under)}."
        sentences.append(f"Under {words}" if reason == standings.METHOD
                         else f"It needed the change of method too: under {words}")
    elif under != after:
        sentences.append(f"Under {year_before}'s method it would have been {band_word(under)}.")
    elif reason == standings.METHOD or (explanation.has_margin and abs(explanation.method) >= SHOWN):
        sentences.append(f"Under {year_before}'s method it would have been {band_word(under)} all the same.")
    return sentences


def not_needed(explanation: ChangeExplanation) -> bool:
    """Whether the main reason, the others' figures or the method, moved the margin most, but the band
    would have changed all the same without it: then the card does not say it changed "mainly because"
    of it."""
    return ((explanation.main_reason == standings.OTHERS
             and explanation.band_if_others_stood_still == explanation.band_after)
            or (explanation.main_reason == standings.METHOD
                and explanation.band_under_last_years_method == explanation.band_after))


def lead(explanation: ChangeExplanation, *, name: str, plural: str, names: dict, targets) -> str:
    """The first sentence of "Why did the band change?", without its full stop."""
    moved = f"{name} moved from {band_word(explanation.band_before)} to {band_word(explanation.band_after)}"
    if explanation.main_reason == standings.CORE_TARGETS:
        words = f"{moved} because of its core national targets"
        if explanation.core_changes:
            words += ": it " + listed([core_change_words(c, names, targets) for c in explanation.core_changes])
        return words
    if not_needed(explanation) and explanation.main_reason == standings.OTHERS:
        return (f"{moved}. Others' figures moved its margin over the green cut-off most "
                f"({main_reason_words(explanation, plural)}), but the change did not depend on them")
    if not_needed(explanation):
        return (f"{moved}. The change of method moved its margin over the green cut-off most, but the change "
                f"did not depend on it")
    return f"{moved} mainly because {main_reason_words(explanation, plural)}"


def core_change_words(change: standings.CoreTargetChange, names: dict, targets) -> str:
    """'newly missed Breast cancer seen within two weeks (the target moved from at least 94 to at least 95;
    its figure was 94.5)'. `targets(code, threshold)`: the target in words."""
    name = names.get(change.indicator, change.indicator)
    if change.after is None:
        return f"{name} is no longer a core national target"
    if change.before is None:
        return (f"{name} became a core national target ({targets(change.indicator, change.threshold_after)}), "
                f"which it {RESULT_WORDS[change.after]}")
    verb = "newly met" if change.after == "met" else (
        "had no figure for" if change.after == "no data" else "newly missed")

    def figure(value):
        return "no figure" if value is None else format_number(value)

    if change.cause == "threshold":
        why = (f"the target moved from {targets(change.indicator, change.threshold_before)} to "
               f"{targets(change.indicator, change.threshold_after)}; its figure was {figure(change.value_after)}")
    elif change.cause == "figure and threshold":
        why = (f"its figure went from {figure(change.value_before)} to {figure(change.value_after)} and the target "
               f"from {targets(change.indicator, change.threshold_before)} to "
               f"{targets(change.indicator, change.threshold_after)}")
    else:
        why = (f"its figure went from {figure(change.value_before)} to {figure(change.value_after)}, against a "
               f"target of {targets(change.indicator, change.threshold_after)}")
    return f"{verb} {name} ({why})"


def section(explanation: ChangeExplanation | None, *, name: str, plural: str, names: dict, targets) -> ChangeSection | None:
    """The report card's "Why did the band change?" (or, for an unchanged
    band, how its margin moved); None with nothing stored to explain."""
    if explanation is None:
        return None
    before, after = band_word(explanation.band_before), band_word(explanation.band_after)
    year_before = format_year(explanation.year_before)
    sentences = []
    if explanation.band_before == explanation.band_after:
        heading = f"How its score moved since {year_before}"
        if explanation.has_margin:
            sentences.append(
                f"Its band did not change ({after}); its margin over the green cut-off moved by "
                f"{format_signed(explanation.change)} (from {format_signed(explanation.margin_before)} to "
                f"{format_signed(explanation.margin_after)}): {parts_words(explanation, 'it')}.")
        else:
            sentences.append(f"Its band did not change ({after}); the move of its margin over the green cut-off "
                             f"cannot be split into parts because {NO_MARGIN_WORDS[explanation.no_margin_reason]}.")
    else:
        heading = "Why did the band change?"
        first = lead(explanation, name=name, plural=plural, names=names, targets=targets)
        if explanation.has_margin:
            parts = parts_words(explanation, "its margin over the green cut-off")
            sentences.append(f"{first}. {parts[0].upper()}{parts[1:]}.")
        else:
            sentences.append(f"{first}. Its margin over the green cut-off cannot be split into parts because "
                             f"{NO_MARGIN_WORDS[explanation.no_margin_reason]}.")
        sentences.extend(counterfactual_sentences(explanation))
    table, chart = [], ""
    if explanation.has_margin:
        shown = [(key, value) for key, value in explanation.parts.items()
                 if key in (standings.OWN, standings.OTHERS, standings.METHOD) or abs(value) >= SHOWN]
        table = [{"label": PART_LABELS[key], "value": format_signed(value)} for key, value in shown]
        chart = wide_and_narrow(
            charts.part_bars, "change-parts", title=f"{name}: what moved its margin over the green cut-off since {year_before}",
            description=f"Its margin moved by {format_signed(explanation.change)}: "
                        + "; ".join(f"{PART_LABELS[key].lower()} {format_signed(value)}" for key, value in shown)
                        + ". The same figures are in the table below.",
            rows=[charts.PartBar(PART_LABELS[key], value) for key, value in shown])
    return ChangeSection(heading=heading, sentences=sentences, chart=chart, table=table, year_before=year_before)


def changes_page(year: int, data, reason: str, rows) -> dict:
    """The "What changed since last year" page: the type's links, the filter
    by main reason (with counts), and the page's rows in words and figures."""
    run = data.run
    url = reverse("public:changes", args=[format_year(year)])
    page = {"types": [{"name": r.organisation_type.plural_name or r.organisation_type.name,
                       "url": f"{url}?type={r.organisation_type.code}",
                       "current": run is not None and r.pk == run.pk} for r in data.runs]}
    if run is None:
        return {**page, "run": None}
    type_code = run.organisation_type.code
    total = sum(data.counts.values())
    page.update({
        "run": run, "type_code": type_code, "year_before": format_year(run.compared_with.year),
        "plural": (run.organisation_type.plural_name or f"{run.organisation_type.name}s").lower(),
        "total": total, "reason_label": REASON_LABELS.get(reason, ""),
        "reasons": [{"label": "All reasons", "count": total, "url": f"{url}?type={type_code}", "current": not reason}]
        + [{"label": label, "count": data.counts.get(code, 0), "url": f"{url}?type={type_code}&reason={code}",
            "current": reason == code} for code, label in REASON_LABELS.items()],
        "rows": [{"code": code, "name": name, "band_before": band_before, "band": band,
                  "reason": REASON_LABELS.get(main, main),
                  "own": _signed_or_dash(own), "others": _signed_or_dash(others), "method": _signed_or_dash(method),
                  "corrections": _signed_or_dash(corrections),
                  "still": still or ""}
                 for code, name, band_before, band, main, own, others, method, corrections, still in rows],
    })
    return page


def _signed_or_dash(value) -> str:
    return "–" if value is None else format_signed(value)
