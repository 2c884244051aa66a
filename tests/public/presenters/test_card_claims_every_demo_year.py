"""Every claim a report card makes about a rating, held against the stored
records, for every rating of every demo year (as `make run` computes them):
the core-target table's results, the rank, the gap to the cut-off, the
adjustment's effect and the band's reason. Not examples: all of them."""

import math
import re
from collections import Counter

import pytest

from indicators.models import Indicator
from public import queries
from public.distributions import IndicatorFigures
from public.formatting import format_number, ordinal, position_words
from public.presenters import report_card
from ratings import actions, standings
from ratings.frozen_definitions import performance_definitions
from ratings.funnels import Funnel
from ratings.models import Rating
from ratings.parameters import TIE_TOLERANCE

YEARS = (1997, 1998, 1999, 2000)


@pytest.fixture
def demo(loaded_demo):
    """The demo, every year rated with the current engine."""
    return [run for year in YEARS for run in actions.recalculate(year=year)]


def judged(value, threshold, direction) -> bool:
    return value >= threshold if direction == "higher_better" else value <= threshold


def test_every_claim_of_every_card_of_every_demo_year_is_true_of_the_records(demo):
    names = dict(Indicator.objects.values_list("code", "name"))
    checked = {"ratings": 0, "core rows": 0, "positions": 0, "ties": 0, "years": set(), "lights": Counter()}
    for run in demo:
        definitions = performance_definitions(run)
        ratings = list(Rating.objects.filter(run=run).select_related("run", "organisation__type"))
        scores = sorted((r.score for r in ratings if r.score is not None), reverse=True)
        # Each indicator page's positions (the organisation's row, under the same tie rule) and every peer's z.
        page_rows = {d.code: {row[2]: row for row in IndicatorFigures(run, d.code).read(
            page=1, per_page=10 ** 6, chart_points=2).page} for d in definitions}
        peer_z = {d.code: [z for r in ratings if (z := getattr(standings.indicator_scores(r).get(d.code), "z", None))
                           is not None] for d in definitions}
        for rating in ratings:
            facts = standings.rating_facts(rating, definitions)
            rows = [report_card._indicator_row(d, found) for d, found in zip(definitions, facts.indicators)]
            # Each position: one more than the peers with a higher z-score, ties said, and the same words as
            # the indicator page gives the organisation's row ("joint 1st of 93, with 71 others").
            for definition, found, row in zip(definitions, facts.indicators, rows):
                on_page = page_rows[definition.code].get(rating.organisation.code)
                if found.z is None:
                    assert row.position == "" and (on_page is None or on_page[0] is None)
                    continue
                peers = peer_z[definition.code]
                better, tied = sum(z > found.z for z in peers), sum(z == found.z for z in peers) - 1
                assert row.position == position_words(better + 1, len(peers), tied), (rating.pk, definition.code)
                assert on_page[:2] == (better + 1, tied), (rating.pk, definition.code)
                checked["positions"] += 1
                checked["ties"] += tied > 0
            stored = {failure.indicator: failure for failure in standings.core_failures(rating)}
            # The core-target table: each result is what the figure and the frozen threshold say.
            for definition, found, row in zip(definitions, facts.indicators, rows):
                if definition.core_threshold is None:
                    assert row.core_result == "", row
                    continue
                checked["core rows"] += 1
                if rating.band == "not_rated":
                    assert row.core_result == "", (rating.organisation.code, definition.code)
                elif row.core_result == "Met":
                    assert found.value is not None and judged(found.value, definition.core_threshold,
                                                              definition.direction), (rating.pk, definition.code)
                    assert definition.code not in stored
                elif row.core_result == "Missed":
                    assert stored[definition.code].reason == "missed"
                    assert not judged(stored[definition.code].value, definition.core_threshold, definition.direction)
                else:
                    assert row.core_result == "No data" and stored[definition.code].reason == standings.NO_DATA
            # The peer light: against the run's funnel limits for a figure with counts, a quarter otherwise.
            for definition, found, row in zip(definitions, facts.indicators, rows):
                checked["lights"] += check_peer_light(run, rating, definition, row)
            # The rank: one more than those scoring clearly higher, of the rated count.
            tied = sum(r.rank == rating.rank for r in ratings) - 1 if rating.rank is not None else 0
            assert tied == queries.rank_tied_with(rating)
            sentence = report_card.rank_sentence(rating, "organisations", run.rated_count, tied)
            if rating.score is None:
                assert rating.rank is None and sentence == "Not ranked."
            else:
                assert rating.rank == 1 + sum(s > rating.score + TIE_TOLERANCE for s in scores)
                # Those sharing the rank are the scores equal to its own (within the tolerance), said.
                assert tied == sum(abs(s - rating.score) <= TIE_TOLERANCE for s in scores) - 1
                assert (f"Ranked joint {ordinal(rating.rank)} of {run.rated_count} " in sentence
                        and sentence.endswith(f"with {tied} other{'s' if tied > 1 else ''}.")) if tied else (
                    f"Ranked {ordinal(rating.rank)} of {run.rated_count} " in sentence)
                assert run.rated_count == sum(r.band != "not_rated" for r in ratings)
            # The gap to the cut-off: its sign and figures.
            gap = report_card.gap_sentence(rating)
            if rating.score is not None and rating.green_cutoff is not None:
                assert math.isclose(rating.gap_to_green, rating.score - rating.green_cutoff, abs_tol=1e-6)
                if "above" in gap:
                    assert rating.gap_to_green > 0
                elif "below" in gap:
                    assert rating.gap_to_green < 0
                else:
                    assert "at the green cut-off" in gap and abs(rating.gap_to_green) < 0.005
                assert format_number(rating.score) in gap
            elif rating.score is not None:
                assert "no green cut-off" in gap and not any(r.band == "green" for r in ratings)
            # The adjustment's effect names the other band exactly when there is one.
            effect = report_card.adjustment_sentence(rating, run.parameters)
            if run.parameters["value_added"] and rating.band_without_adjustment != rating.band:
                assert effect.endswith(f"it would have been {rating.band_without_adjustment.replace('_', ' ')}.")
            elif run.parameters["value_added"]:
                assert effect == "The value-added adjustment for deprivation did not change its band."
            # The band's reason.
            reason = standings.band_reason(rating, run.parameters, run.rated_count)
            why = report_card.why(reason, names, "organisations")
            assert why.lower().startswith(rating.band.replace("_", " ")), why
            if rating.band == "green":
                assert rating.core_targets_failed == 0 and rating.candidate_position <= rating.green_quota \
                    or math.isclose(rating.score, rating.green_cutoff, abs_tol=TIE_TOLERANCE)
            if rating.band == "yellow" and reason.counted_failures:
                count = len(reason.counted_failures)
                if all(failure.reason == standings.NO_DATA for failure in reason.counted_failures):
                    assert f"did not report {report_card.count_words(count)} core national target" in why, why
                else:
                    assert re.search(rf"failed {count} core national targets?\b", why), why
                assert count < run.parameters["red_core_failures"]
            checked["ratings"] += 1
        checked["years"].add(run.year)
    assert checked["years"] == set(YEARS) and checked["ratings"] > 1500 and checked["core rows"] > 5000, checked
    assert checked["positions"] > 20000 and checked["ties"] > 1000, checked
    # Every phrase is said, many times over.
    assert min(checked["lights"].values()) > 20 and len(checked["lights"]) == 8, checked["lights"]


FUNNEL_PHRASES = {"Much better than expected": (3.09, 1, "green"), "Better than expected": (1.96, 1, "green"),
                  "Within the expected range": (None, 0, "yellow"), "Worse than expected": (1.96, -1, "red"),
                  "Much worse than expected": (3.09, -1, "red")}


def check_peer_light(run, rating, definition, row) -> Counter:
    """The card's small light for one indicator, held against the stored records:
    for a figure with counts, its numerator and denominator against the run's
    stored funnel limits at that denominator (and the side by the frozen
    direction); for any other figure, its quarter among its peers."""
    stored = rating.indicator_scores.get(definition.code)
    score = standings.IndicatorScore(*stored) if stored else None
    if not row.peer_light:
        assert score is None or score.z is None, (rating.pk, definition.code)
        return Counter()
    if definition.measure == "other" or score.funnel is None:
        # No sampling model (or no counts): the quarter, as before.
        assert definition.measure == "other" or score.numerator is None or score.denominator in (None, 0)
        assert row.peer_light in ("Best quarter", "Middle half", "Worst quarter"), row.peer_light
        return Counter({row.peer_light: 1})
    limit, side, band = FUNNEL_PHRASES[row.peer_light]
    assert row.peer_light_band == band
    funnel = Funnel.from_dict(run.funnels[definition.code])
    assert funnel.direction == definition.direction and funnel.multiplier == definition.multiplier
    value = definition.multiplier * score.numerator / score.denominator
    low_95, high_95 = funnel.limits(score.denominator, 1.96)
    if limit is None:
        assert low_95 <= value <= high_95, (rating.pk, definition.code)
    else:
        low, high = funnel.limits(score.denominator, limit)
        above = value > high
        assert above or value < low, (rating.pk, definition.code, row.peer_light)
        assert (1 if above else -1) * (1 if definition.direction == "higher_better" else -1) == side
        if limit == 1.96:  # "better" or "worse", not "much": within the 99.8% limits
            low_998, high_998 = funnel.limits(score.denominator, 3.09)
            assert low_998 <= value <= high_998
    return Counter({row.peer_light: 1})
