"""The report card's words: why a band, the score, the consequences (no database)."""

from types import SimpleNamespace

import pytest

from public.presenters import report_card
from ratings import standings
from ratings.engine import SchemeParameters

PARAMS = SchemeParameters().as_dict()
NAMES = {"IP18M": "Inpatients waiting over 18 months", "MRSA": "MRSA infections"}


def rating(**fields):
    defaults = dict(band="yellow", core_failures=[], rank=None, gap_to_green=None, green_cutoff=None, score=None,
                    improvement_score=None, not_rated_reason="", band_without_adjustment="yellow")
    return SimpleNamespace(**{**defaults, **fields})


def why(stored, params, names, plural, rated_count):
    return report_card.why(standings.band_reason(stored, params, rated_count), names, plural)


def test_red_says_which_core_targets_failed_with_value_and_threshold_or_no_data():
    failures = [{"indicator": "IP18M", "value": 41.2, "threshold": 0.0, "reason": "missed"},
                {"indicator": "MRSA", "value": None, "threshold": 10.0, "reason": "no data"}]
    text = why(rating(band="red", core_failures=failures), PARAMS, NAMES, "health authorities", 100)
    assert text == ("Red: failed 2 core national targets: Inpatients waiting over 18 months (41.2 against a "
                    "target of 0); MRSA infections (no data).")


def test_red_from_missing_data_says_it_did_not_report_them():
    missing = [{"indicator": "IP18M", "value": None, "threshold": 0.0, "reason": "no data"},
               {"indicator": "MRSA", "value": None, "threshold": 10.0, "reason": "no data"}]
    text = why(rating(band="red", core_failures=missing), PARAMS, NAMES, "health authorities", 100)
    assert text == ("Red: did not report two core national targets: Inpatients waiting over 18 months (no data); "
                    "MRSA infections (no data).")


def test_green_says_among_the_best_q_of_the_candidates_never_a_top_share():
    stored = rating(band="green", rank=54, candidate_position=3, green_quota=39, green_candidates=80)
    text = why(stored, PARAMS, NAMES, "health authorities", 159)
    assert text == ("Green: failed no core national target and scored among the best 39 of the 80 candidates "
                    "(3rd of them).")
    assert "top" not in text and "%" not in text


def test_green_of_a_version_1_run_without_candidate_records_says_only_what_was_recorded():
    text = why(rating(band="green", rank=3), PARAMS, NAMES, "acute trusts", 170)
    assert text == ("Green: failed no core national target and scored at or above the green cut-off "
                    "(ranked 3rd of 170 acute trusts).")


def test_yellow_explains_the_core_failure_the_missing_figure_or_the_gap_to_green():
    failed = [{"indicator": "IP18M", "value": 3.0, "threshold": 0.0, "reason": "missed"}]
    assert why(rating(core_failures=failed), PARAMS, NAMES, "x", 4) == (
        "Yellow: failed 1 core national target: Inpatients waiting over 18 months (3 against a target of 0), "
        "so it cannot be green; 2 or more would have made it red.")
    assert why(rating(gap_to_green=-0.123, green_quota=5), PARAMS, NAMES, "x", 4) == (
        "Yellow: failed no core national target, but its score was 0.12 points below the green cut-off "
        "(the score of the last of the 5 green places).")
    missing = [{"indicator": "MRSA", "value": None, "threshold": 10.0, "reason": "no data"}]
    not_green = {**PARAMS, "missing_core_data": "not_green"}
    assert why(rating(core_failures=missing, gap_to_green=0.4), not_green, NAMES, "x", 4) == (
        "Yellow: did not report one core national target (MRSA infections (no data)): this year a missing core "
        "figure is not a failure, but it rules out green.")


def test_improvement_not_measured_is_counted_as_average():
    text = report_card.improvement_sentence(rating(improvement_score=0.0, improvement_measured=False), PARAMS)
    assert "improvement was not measured: it is counted as average improvement" in text
    measured = report_card.improvement_sentence(rating(improvement_score=0.0, improvement_measured=True), PARAMS)
    assert "counted as average" not in measured


def test_not_rated_gives_the_reason():
    text = why(rating(band="not_rated", not_rated_reason="Reported 1 of the 4 indicators."),
                          PARAMS, NAMES, "x", 4)
    assert text == "Not rated: Reported 1 of the 4 indicators."


@pytest.mark.parametrize("gap, expected", [
    (-0.12, "Its final score of 0.5 was 0.12 points below the green cut-off of 0.62."),
    (0.3, "Its final score of 0.5 was 0.3 points above the green cut-off of 0.2."),
    (-1.0, "Its final score of 0.5 was 1 point below the green cut-off of 1.5."),
    (0.001, "Its final score (0.5) was at the green cut-off."),
])
def test_gap_to_green(gap, expected):
    assert report_card.gap_sentence(rating(score=0.5, gap_to_green=gap, green_cutoff=0.5 - gap)) == expected


def test_no_green_cut_off_when_nobody_could_be_green():
    assert "no green cut-off" in report_card.gap_sentence(rating(score=0.5))


def test_adjustment_sentence_names_the_band_without_adjustment():
    assert report_card.adjustment_sentence(rating(band="green", band_without_adjustment="yellow"), PARAMS) == (
        "Without the value-added adjustment for deprivation it would have been yellow.")
    assert "did not change" in report_card.adjustment_sentence(rating(), PARAMS)
    assert "was off" in report_card.adjustment_sentence(rating(), {**PARAMS, "value_added": False})


def history(*bands_by_year):
    return [SimpleNamespace(run=SimpleNamespace(year=year), band=band) for year, band in bands_by_year]


def test_red_streak_counts_consecutive_red_years_back_from_the_year():
    ratings = history((1997, "red"), (1998, "yellow"), (1999, "red"), (2000, "red"))
    assert report_card.band_streak(ratings, 2000, "red") == 2
    assert report_card.band_streak(ratings, 1998, "red") == 0
    assert report_card.band_streak(ratings, 1997, "red") == 1
    # A year with no published rating breaks the streak.
    assert report_card.band_streak(history((1998, "red"), (2000, "red")), 2000, "red") == 1


def test_red_ladder_marks_the_steps_reached():
    items = [SimpleNamespace(band="red", consecutive_years=years, title=title, description="")
             for years, title in [(1, "Close interest"), (2, "Expert help"), (3, "Change of management")]]
    items.append(SimpleNamespace(band="green", consecutive_years=1, title="Freedom", description=""))
    shown = report_card.consequences(items, "red", 2)
    assert [(item["title"], item["reached"]) for item in shown] == [
        ("Close interest", True), ("Expert help", True), ("Change of management", False)]
    assert [item["title"] for item in report_card.consequences(items, "green", 0)] == ["Freedom"]


def test_what_a_band_brings_is_introduced_from_the_band_vocabulary():
    organisation = SimpleNamespace(name="Leeds Health Authority")
    assert report_card.consequences_intro(organisation, "green", 0) == "Green organisations earn these freedoms:"
    assert report_card.consequences_intro(organisation, "yellow", 0) == ""
    assert report_card.consequences_intro(organisation, "red", 1).endswith(
        "stepping up with each consecutive red year. Leeds Health Authority has been red for 1 consecutive year.")
    steps = report_card.consequences([SimpleNamespace(band="red", consecutive_years=2, title="Help", description="")],
                                     "red", 3)
    assert steps[0]["step"] == "from 2 consecutive red years, applies now"


def test_core_targets_show_the_reported_figure_they_were_judged_on():
    row = report_card.IndicatorRow(
        indicator=SimpleNamespace(name="MMR uptake", code="MMR", unit=""), domain="", value="86.3", adjusted="83.9",
        adjustment_note="", median="", position="", peer_light="", peer_light_band="", core_target="at least 84",
        core_result="Met", core_result_band="green")
    [target] = report_card.core_target_rows([row], "2.0.0")
    assert (target["value"], target["result"]) == ("86.3", "Met")
    [old] = report_card.core_target_rows([row], "1.0.0")  # version 1 judged the adjusted figure
    assert old["value"] == "83.9"


def test_headline_figures_carry_their_unit_and_the_target_its_direction():
    balance = SimpleNamespace(name="Financial balance", code="FIN", unit="£ million", direction="higher_better",
                              core_threshold=0.0)
    row = report_card.IndicatorRow(
        indicator=balance, domain="", value="−0.1", adjusted="", adjustment_note="", median="", position="",
        peer_light="", peer_light_band="", core_target=report_card.core_target(balance), core_result="Missed",
        core_result_band="red")
    [target] = report_card.core_target_rows([row], "2.0.0")
    assert (target["value"], target["target"]) == ("−0.1 (£ million)", "at least 0")
    reason = SimpleNamespace(band="red", rule=standings.Rule.FAILED_CORE_TARGETS, counted_failures=[
        standings.CoreFailure("FIN", -0.1, 0.0, "missed"), standings.CoreFailure("WAIT", 12.0, 0.0, "missed")])
    waits = SimpleNamespace(unit="patients", direction="lower_better")
    text = report_card.why(reason, {"FIN": "Financial balance", "WAIT": "Inpatients waiting over 18 months"},
                           "health authorities", indicators={"FIN": balance, "WAIT": waits})
    assert text == ("Red: failed 2 core national targets: Financial balance (−0.1 £ million against a target of "
                    "at least 0); Inpatients waiting over 18 months (12 patients against a target of at most 0).")


def test_a_shared_rank_is_said_as_joint():
    from types import SimpleNamespace

    from public.presenters.report_card import rank_sentence

    rating = SimpleNamespace(rank=3)
    assert rank_sentence(rating, "health authorities", 80) == "Ranked 3rd of 80 health authorities by final score."
    assert rank_sentence(rating, "health authorities", 80, 1) == (
        "Ranked joint 3rd of 80 health authorities by final score, with 1 other.")
    assert rank_sentence(rating, "trusts", 80, 2).endswith("with 2 others.")
    assert rank_sentence(SimpleNamespace(rank=None), "trusts", 80, 0) == "Not ranked."
