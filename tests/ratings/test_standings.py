"""A stored rating read as facts: one reader for each JSON shape, each
indicator's result against its core target, and the rule that decided the
band (pure, no database)."""

from types import SimpleNamespace

import pytest

from ratings import standings
from ratings.standings import CoreResult, Rule

PARAMS = {"green_share": 0.25, "red_core_failures": 2}


def run(**fields):
    defaults = dict(parameters=PARAMS, rated_count=10, peer_medians={"A": 5.0, "B": 7.0, "C": 1.0},
                    indicator_summary={})
    return SimpleNamespace(**{**defaults, **fields})


def rating(**fields):
    defaults = dict(band="yellow", rank=4, gap_to_green=-0.5, not_rated_reason="", core_failures=[],
                    indicator_scores={"A": [6.0, 5.5, 0.4, -0.1], "B": [None, None, None, None]},
                    peer_standings={"A": [3, 10, "middle"]}, adjustments=[], run=run(),
                    domain_scores={"level": {"quality": 0.3}, "improvement": {"quality": None}})
    return SimpleNamespace(**{**defaults, **fields})


def indicator(code, threshold=None):
    return SimpleNamespace(code=code, core_threshold=threshold)


def test_each_json_shape_has_one_reader_of_named_fields():
    stored = rating(core_failures=[{"indicator": "C", "value": 3.0, "threshold": 0.0, "reason": "missed"}],
                    adjustments=[{"indicator": "A", "value": 6.0, "adjusted": 5.5, "deprivation": 30.0, "slope": 0.1,
                                  "status": "adjusted"}])
    score = standings.indicator_scores(stored)["A"]
    assert (score.value, score.adjusted, score.z, score.delta_z) == (6.0, 5.5, 0.4, -0.1)
    assert standings.SCORE_FIELDS == ("value", "adjusted", "z", "delta_z", "numerator", "denominator", "funnel")
    # A rating stored before funnels were kept has no counts; one stored since has them for a figure with counts.
    assert score[4:] == (None, None, None)
    counted = standings.indicator_scores(rating(indicator_scores={"A": [6.0, 6.0, 0.4, -0.1, 12.0, 200.0, -1.0]}))
    assert (counted["A"].numerator, counted["A"].denominator, counted["A"].funnel) == (12.0, 200.0, -1.0)
    standing = standings.peer_standings(stored)["A"]
    # Stored before the ties were kept: the number tied is not known (never guessed as none).
    assert (standing.position, standing.count, standing.quarter, standing.tied_with) == (3, 10, "middle", None)
    assert standings.STANDING_FIELDS == ("position", "count", "quarter", "tied_with")
    assert standings.peer_standings(rating(peer_standings={"A": [3, 10, "middle", 2]}))["A"].tied_with == 2
    assert standings.peer_standings(rating(peer_standings=None)) is None  # stored before standings were kept
    assert standings.core_failures(stored) == [standings.CoreFailure("C", 3.0, 0.0, "missed")]
    assert standings.adjustments(stored)["A"].deprivation == 30.0
    assert standings.domain_scores(stored) == ({"quality": 0.3}, {"quality": None})


def test_core_target_results():
    facts = standings.rating_facts(
        rating(core_failures=[{"indicator": "C", "value": None, "threshold": 0.0, "reason": "no data"},
                              {"indicator": "D", "value": 9.0, "threshold": 0.0, "reason": "missed"}]),
        [indicator("A", 10.0), indicator("B", 1.0), indicator("C", 0.0), indicator("D", 0.0), indicator("E")])
    assert [f.core for f in facts.indicators] == [CoreResult.MET, CoreResult.NO_DATA, CoreResult.NO_DATA,
                                                  CoreResult.MISSED, CoreResult.NOT_CORE]
    unrated = standings.rating_facts(rating(band="not_rated"), [indicator("B", 1.0)])
    assert unrated.indicators[0].core is CoreResult.NOT_COUNTED
    # Not rated, a figure on the right side of a target (A: 6 against 1) was not "met": nothing was judged.
    unrated = standings.rating_facts(rating(band="not_rated"), [indicator("A", 1.0), indicator("A", 10.0)])
    assert [f.core for f in unrated.indicators] == [CoreResult.NOT_COUNTED, CoreResult.NOT_COUNTED]


def test_indicator_facts_carry_figures_and_standing_among_peers():
    a, b = standings.rating_facts(rating(), [indicator("A"), indicator("B")]).indicators
    assert (a.value, a.adjusted, a.z, a.improvement_z, a.median) == (6.0, 5.5, 0.4, -0.1, 5.0)
    assert a.standing.position == 3 and not a.was_adjusted
    assert b.standing is None and b.median == 7.0  # no z-score: no place among its peers


def test_standing_of_a_rating_stored_before_standings_were_kept_is_placed_from_the_run():
    old = rating(peer_standings=None, run=run(peer_medians=None,
                                              indicator_summary={"A": {"n": 3, "median": 4.0, "z": [1.0, 0.4, -1.4]}}))
    (a,) = standings.rating_facts(old, [indicator("A")]).indicators
    assert a.median == 4.0 and (a.standing.position, a.standing.count) == (2, 3)


def test_an_adjusted_figure_comes_from_the_adjustment_when_no_score_was_kept():
    adjusted = rating(indicator_scores={}, adjustments=[
        {"indicator": "A", "value": 6.0, "adjusted": 5.5, "deprivation": 30.0, "slope": 0.1, "status": "adjusted"}])
    (a,) = standings.rating_facts(adjusted, [indicator("A")]).indicators
    assert (a.value, a.adjusted, a.was_adjusted) == (6.0, 5.5, True)


@pytest.mark.parametrize("fields, rule", [
    ({"band": "red", "core_failures": [{"indicator": "C", "value": 3.0, "threshold": 0.0, "reason": "missed"}] * 2},
     Rule.FAILED_CORE_TARGETS),
    ({"band": "green", "rank": 1}, Rule.AMONG_BEST_CANDIDATES),
    ({"core_failures": [{"indicator": "C", "value": 3.0, "threshold": 0.0, "reason": "missed"}]},
     Rule.FAILED_SOME_CORE_TARGETS),
    ({}, Rule.BELOW_CUT_OFF),
    ({"gap_to_green": None}, Rule.NO_GREEN_PLACES),
    ({"band": "not_rated", "not_rated_reason": "Reported 1 of 4."}, Rule.NOT_RATED),
])
def test_the_band_reason_names_the_rule_that_decided_it(fields, rule):
    reason = standings.band_reason(rating(**fields), PARAMS, 10)
    assert reason.rule is rule
    assert (reason.green_share, reason.red_core_failures, reason.rated_count) == (0.25, 2, 10)


NO_DATA = {"indicator": "C", "value": None, "threshold": 0.0, "reason": "no data"}


def test_a_missing_core_figure_is_a_failure_or_a_bar_to_green_as_the_run_said():
    as_failure = standings.band_reason(rating(core_failures=[NO_DATA]), PARAMS, 10)
    assert as_failure.rule is Rule.FAILED_SOME_CORE_TARGETS and len(as_failure.counted_failures) == 1
    not_green = standings.band_reason(rating(core_failures=[NO_DATA]), {**PARAMS, "missing_core_data": "not_green"}, 10)
    assert not_green.rule is Rule.MISSING_CORE_DATA
    assert not_green.counted_failures == () and [f.indicator for f in not_green.missing] == ["C"]


def test_step_8_records_are_read_and_absent_on_version_1_ratings():
    new = standings.band_reason(rating(band="green", improvement_measured=False, candidate_position=2,
                                       green_quota=3, green_candidates=7), PARAMS, 10)
    assert (new.improvement_measured, new.candidate_position, new.green_quota, new.green_candidates) == (
        False, 2, 3, 7)
    old = standings.band_reason(rating(band="green"), {"green_share": 0.25, "red_core_failures": 2}, 10)
    assert (old.improvement_measured, old.candidate_position, old.green_quota, old.missing_core_data) == (
        None, None, None, "failure")
