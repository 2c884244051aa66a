"""Every sentence of every report card's "Why did the band change?" held
against the stored decomposition and both years' stored ratings, for every
demo organisation rated in two published years running (as `make run`
publishes them): the bands it names, the main reason, every figure it
quotes, the bands had the others stood still and under last year's method,
and each core target it says was newly missed or met."""

import re

import pytest

from indicators.years import format_year
from public.formatting import format_number, format_signed
from public.presenters import band_changes, report_card
from public.queries import indicators_as_defined
from ratings import standings
from ratings.models import Rating

YEARS = (1997, 1998, 1999, 2000)
SIGNED = r"[+−]?\d{1,3}(?:,\d{3})*(?:\.\d+)?"


@pytest.fixture
def demo(published_demo):
    """The demo loaded and every year rated and published (tests/conftest.py)."""
    return published_demo


def word(band: str) -> str:
    return band.replace("_", " ")


def quoted(sentence: str, label: str) -> str:
    """The signed figure that follows `label ... by` in a sentence."""
    found = re.search(re.escape(label) + rf"[^.;]*? by ({SIGNED})", sentence, re.IGNORECASE)
    assert found, (label, sentence)
    return found.group(1)


def test_every_band_change_sentence_of_every_demo_card_is_true_of_the_stored_parts(demo, client):
    previous = {(r.organisation_id, r.run.year): r for r in Rating.objects.filter(run__in=demo).select_related("run")}
    checked = {"explained": 0, "changed": 0, "split": 0, "core": 0, "others not needed": 0, "others needed too": 0,
               "method needed too": 0}
    for run in demo:
        indicators = indicators_as_defined(run)
        names = {i.code: i.name for i in indicators}
        for rating in Rating.objects.filter(run=run).select_related("run", "organisation__type"):
            explanation = standings.change_explanation(rating)
            section = report_card.change_section(rating, rating.organisation, indicators)
            before = previous.get((rating.organisation_id, run.year - 1))
            if explanation is None:
                assert section is None
                assert run.year == YEARS[0] or before is None or "not_rated" in (before.band, rating.band)
                continue
            checked["explained"] += 1
            assert (explanation.band_before, explanation.band_after) == (before.band, rating.band)
            text = " ".join(section.sentences)
            if explanation.has_margin:
                checked["split"] += 1
                # Every part the words quote is the stored one, rounded; a part not named rounds to 0.
                assert quoted(text, "its own figures") == format_signed(explanation.own)
                assert quoted(text, "others' figures") == format_signed(explanation.others)
                for label, part in (("the change of method", explanation.method),
                                    (f"corrections to {format_year(before.run.year)}'s figures", explanation.corrections)):
                    if label in text:
                        assert quoted(text, label) == format_signed(part)
                    else:
                        assert abs(part) < band_changes.SHOWN
                assert abs(sum(explanation.parts.values()) - (rating.gap_to_green - before.gap_to_green)) <= 1e-9
                assert [row["value"] for row in section.table][:2] == [format_signed(explanation.own),
                                                                     format_signed(explanation.others)]
                # A bar a part, in each drawing (the wide one, and the narrow one for phones).
                wide, narrow = section.chart.split('class="app-chart-narrow"')
                assert wide.count("<rect") == narrow.count("<rect") == len(section.table)
            else:
                assert "cannot be split" in text and section.table == [] and section.chart == ""
            if before.band == rating.band:
                assert section.heading.startswith("How its score moved")
                assert len(section.sentences) == 1 and f"Its band did not change ({word(rating.band)})" in text
                if explanation.has_margin:
                    assert f"moved by {format_signed(rating.gap_to_green - before.gap_to_green)} (from " \
                           f"{format_signed(before.gap_to_green)} to {format_signed(rating.gap_to_green)})" in text
                continue
            checked["changed"] += 1
            assert section.heading == "Why did the band change?"
            moved = f"{rating.organisation.name} moved from {word(before.band)} to {word(rating.band)}"
            assert text.startswith(f"{moved} ") or text.startswith(f"{moved}. ")
            # The main reason it names is the stored one, and the largest part in the direction of the move.
            reason = rating.change_reason
            if reason == standings.CORE_TARGETS:
                assert "because of its core national targets" in text
                assert "red" in (before.band, rating.band) or \
                    (before.candidate_position is None) != (rating.candidate_position is None)
            else:
                plural = report_card.plural_of(rating.organisation.type)
                words = band_changes.main_reason_words(explanation, plural)
                if reason == standings.OTHERS and explanation.band_if_others_stood_still == rating.band:
                    # The others' figures moved the margin most, yet the band would have changed had they
                    # stood still: the card says so, and never that it changed "mainly because" of them.
                    checked["others not needed"] += 1
                    assert (f". Others' figures moved its margin over the green cut-off most ({words}), but the "
                            f"change did not depend on them.") in text
                    assert "mainly because" not in text
                else:
                    assert f" mainly because {words}." in text
                if explanation.has_margin:
                    moved = rating.gap_to_green - before.gap_to_green
                    signed = {name: part * (1 if moved >= 0 else -1) for name, part in explanation.parts.items()}
                    assert signed[reason] == max(signed.values())
                    if reason == standings.OTHERS:
                        assert ("improved faster" in text) == (explanation.others < 0)
                    if reason == standings.OWN:
                        assert ("own figures improved" in text) == (explanation.own > 0)
            # The counterfactual bands are the stored ones.
            still = explanation.band_if_others_stood_still
            if still == before.band:
                words = f"the others stood still it would still be {word(still)}."
                if reason == standings.OTHERS:
                    assert f"Had {words}" in section.sentences
                else:
                    # Another part was larger, but the band needed the others' move too.
                    checked["others needed too"] += 1
                    assert f"It needed the others' figures too: had {words}" in section.sentences
            elif still == rating.band:
                assert f"Had the others stood still it would have been {word(still)} all the same." \
                    in section.sentences
            else:
                assert f"Had the others stood still it would have been {word(still)}." in section.sentences
            # Coherent: "mainly because" of the others only where their standing still keeps last year's band.
            if re.search(r" mainly because other [^.]* (fell back|improved faster)\.", text):
                assert still == before.band
            under = explanation.band_under_last_years_method
            method = [s for s in section.sentences if "'s method it would" in s]
            if under == before.band:
                [sentence] = method
                assert sentence.endswith(f"'s method it would still be {word(under)}.")
                if reason != standings.METHOD:
                    checked["method needed too"] += 1
                    assert sentence.startswith("It needed the change of method too: under ")
            elif under == rating.band:
                assert not method or method[0].endswith(f"'s method it would have been {word(under)} all the same.")
            else:
                [sentence] = method
                assert sentence.endswith(f"'s method it would have been {word(under)}.")
            # Coherent: "mainly because" of the method only where last year's method keeps last year's band.
            if " mainly because the method changed." in text:
                assert under == before.band
            # Each core target it says was newly missed or met, against both years' stored records.
            for change in explanation.core_changes:
                checked["core"] += 1
                name = names.get(change.indicator, change.indicator)
                if reason == standings.CORE_TARGETS and change.before is not None and change.after is not None:
                    verb = "newly met" if change.after == "met" else \
                        "had no figure for" if change.after == "no data" else "newly missed"
                    assert f"{verb} {name} (" in text
                    failed_before = {f.indicator: f for f in standings.core_failures(before)}
                    failed_after = {f.indicator: f for f in standings.core_failures(rating)}
                    assert (change.indicator in failed_after) == (change.after != "met")
                    assert (change.indicator in failed_before) == (change.before != "met")
                    if change.after == "missed":
                        assert failed_after[change.indicator].value == change.value_after
                        assert format_number(change.value_after) in text
                    if change.cause in ("threshold", "figure and threshold"):
                        assert change.threshold_before != change.threshold_after
                        assert format_number(change.threshold_after) in text
                    if change.cause == "figure":
                        assert change.threshold_before == change.threshold_after
                        assert change.value_before != change.value_after
    assert checked["explained"] > 1000 and checked["changed"] > 200 and checked["core"] > 100, checked
    # Both ways the main reason and the band had the others stood still can pull apart occur in the demo.
    assert checked["others not needed"] > 0 and checked["others needed too"] > 0, checked
    assert checked["method needed too"] > 0, checked
    # The card shows the section under the band: its sentences, the chart and its table.
    moved = Rating.objects.filter(run__in=demo, run__year=2000, change_reason=standings.OTHERS).select_related(
        "organisation").first()
    page = client.get(f"/organisations/{moved.organisation.code}/2000-01/").content.decode()
    section = report_card.change_section(moved, moved.organisation, indicators_as_defined(moved.run))
    assert "Why did the band change?" in page and 'id="change-parts-title"' in page
    assert page.index("Why did the band change?") < page.index('id="meaning"')
    for sentence in section.sentences:
        assert sentence.replace("'", "&#x27;") in page
