"""Presenters: the words and numbers the public reads (no database)."""

from types import SimpleNamespace

import pytest

from public import presenters
from ratings.engine import SchemeParameters

PARAMS = SchemeParameters().as_dict()
NAMES = {"IP18M": "Inpatients waiting over 18 months", "MRSA": "MRSA infections"}


def rating(**fields):
    defaults = dict(band="yellow", core_failures=[], rank=None, gap_to_green=None, green_cutoff=None, score=None,
                    improvement_score=None, not_rated_reason="", band_without_adjustment="yellow")
    return SimpleNamespace(**{**defaults, **fields})


@pytest.mark.parametrize("value, text", [
    (None, "–"), (0.0, "0"), (-0.001, "0"), (1.5, "1.5"), (2.0, "2"), (12345.678, "12,345.68"), (-0.12, "−0.12"),
    (float("nan"), "–"),
])
def test_format_number(value, text):
    assert presenters.format_number(value) == text


@pytest.mark.parametrize("number, text", [(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"),
                                          (12, "12th"), (13, "13th"), (21, "21st"), (102, "102nd"), (111, "111th")])
def test_ordinal(number, text):
    assert presenters.ordinal(number) == text


def test_red_says_which_core_targets_failed_with_value_and_threshold_or_no_data():
    failures = [{"indicator": "IP18M", "value": 41.2, "threshold": 0.0, "reason": "missed"},
                {"indicator": "MRSA", "value": None, "threshold": 10.0, "reason": "no data"}]
    text = presenters.why(rating(band="red", core_failures=failures), PARAMS, NAMES, "health authorities", 100)
    assert text == ("Red: failed 2 core national targets: Inpatients waiting over 18 months (41.2 against a "
                    "target of 0); MRSA infections (no data).")


def test_green_says_top_share_and_rank():
    text = presenters.why(rating(band="green", rank=3), PARAMS, NAMES, "acute trusts", 170)
    assert text == ("Green: failed no core national target and scored in the top 25% of acute trusts "
                    "(ranked 3rd of 170).")


def test_yellow_explains_either_the_core_failure_or_the_gap_to_green():
    failed = [{"indicator": "IP18M", "value": 3.0, "threshold": 0.0, "reason": "missed"}]
    assert presenters.why(rating(core_failures=failed), PARAMS, NAMES, "x", 4) == (
        "Yellow: failed 1 core national target (Inpatients waiting over 18 months (3 against a target of 0)), "
        "so it cannot be green; 2 or more would have made it red.")
    assert presenters.why(rating(gap_to_green=-0.123), PARAMS, NAMES, "x", 4) == (
        "Yellow: failed no core national target, but its score was 0.12 points below the green cut-off "
        "for the top 25%.")


def test_not_rated_gives_the_reason():
    text = presenters.why(rating(band="not_rated", not_rated_reason="Reported 1 of the 4 indicators."),
                          PARAMS, NAMES, "x", 4)
    assert text == "Not rated: Reported 1 of the 4 indicators."


@pytest.mark.parametrize("gap, expected", [
    (-0.12, "Its final score of 0.5 was 0.12 points below the green cut-off of 0.62."),
    (0.3, "Its final score of 0.5 was 0.3 points above the green cut-off of 0.2."),
    (-1.0, "Its final score of 0.5 was 1 point below the green cut-off of 1.5."),
    (0.001, "Its final score (0.5) was at the green cut-off."),
])
def test_gap_to_green(gap, expected):
    assert presenters.gap_sentence(rating(score=0.5, gap_to_green=gap, green_cutoff=0.5 - gap)) == expected


def test_no_green_cut_off_when_nobody_could_be_green():
    assert "no green cut-off" in presenters.gap_sentence(rating(score=0.5))


def test_adjustment_sentence_names_the_band_without_adjustment():
    assert presenters.adjustment_sentence(rating(band="green", band_without_adjustment="yellow"), PARAMS) == (
        "Without the value-added adjustment for deprivation it would have been yellow.")
    assert "did not change" in presenters.adjustment_sentence(rating(), PARAMS)
    assert "was off" in presenters.adjustment_sentence(rating(), {**PARAMS, "value_added": False})


def history(*bands_by_year):
    return [SimpleNamespace(run=SimpleNamespace(year=year), band=band) for year, band in bands_by_year]


def test_red_streak_counts_consecutive_red_years_back_from_the_year():
    ratings = history((1997, "red"), (1998, "yellow"), (1999, "red"), (2000, "red"))
    assert presenters.red_streak(ratings, 2000) == 2
    assert presenters.red_streak(ratings, 1998) == 0
    assert presenters.red_streak(ratings, 1997) == 1
    # A year with no published rating breaks the streak.
    assert presenters.red_streak(history((1998, "red"), (2000, "red")), 2000) == 1


def test_red_ladder_marks_the_steps_reached():
    items = [SimpleNamespace(band="red", consecutive_years=years, title=title, description="")
             for years, title in [(1, "Close interest"), (2, "Expert help"), (3, "Change of management")]]
    items.append(SimpleNamespace(band="green", consecutive_years=1, title="Freedom", description=""))
    shown = presenters.consequences(items, "red", 2)
    assert [(item["title"], item["reached"]) for item in shown] == [
        ("Close interest", True), ("Expert help", True), ("Change of management", False)]
    assert [item["title"] for item in presenters.consequences(items, "green", 0)] == ["Freedom"]


def test_methodology_sentences_come_from_the_stored_parameters():
    params = {**PARAMS, "green_share": 0.2, "red_core_failures": 3, "improvement_weight": 0.0,
              "value_added": False, "min_coverage": 0.6}
    rules = dict(presenters.parameter_sentences(params, {}))
    assert "At most 20% of the rated organisations" in rules["Green"]
    assert rules["Core national targets"].startswith("Failing 3 or more core national targets makes")
    assert rules["Improvement"] == "Improvement did not count: the final score is the level score."
    assert rules["Adjustment for deprivation"] == "No adjustment for deprivation was made this year."
    assert "at least 60%" in rules["Who is rated"]
    default = dict(presenters.parameter_sentences(PARAMS, {"DEPRIVATION": "Deprivation score"}))
    assert "75% the level score" in default["Improvement"] and "25% the" in default["Improvement"]
    assert "(using Deprivation score)" in default["Adjustment for deprivation"]
    assert default["Domains"].endswith("weighted equally.")


def test_correlation_and_its_words():
    assert presenters.correlation([1, 2, 3], [2, 4, 6]) == pytest.approx(1)
    assert presenters.correlation([1, 2, 3], [3, 2, 1]) == pytest.approx(-1)
    assert presenters.correlation([1, 2], [1, 2]) is None
    assert presenters.correlation([1, 1, 1], [1, 2, 3]) is None
    assert presenters.strength(-0.6) == "strong, more deprived areas scoring lower"
    assert presenters.strength(0.05) == "very weak"
    assert presenters.strength(None) == "cannot be measured"


def run(pk, published, status="superseded", note="", withdrawn=None, reason="", current=False, rated=True):
    from datetime import datetime, timezone
    return SimpleNamespace(pk=pk, year=2000, status=status, revision_note=note, withdrawal_reason=reason,
                           published_at=datetime(2001, 3, published, 12, tzinfo=timezone.utc),
                           withdrawn_at=withdrawn and datetime(2001, 3, withdrawn, 12, tzinfo=timezone.utc),
                           current=current, rated=rated)


def test_revisions_list_publication_corrections_and_withdrawals_oldest_first_with_links_to_earlier_versions():
    versions = [run(1, 1), run(2, 3, status="withdrawn", note="Late returns", withdrawn=5, reason="Wrong"),
                run(3, 8, status="published", note="Returns checked.", current=True)]
    entries = presenters.revisions(versions)
    assert [entry["text"] for entry in entries] == [
        "First published on 1 March 2001.", "Corrected on 3 March 2001: Late returns.",
        "Withdrawn on 5 March 2001: Wrong.", "Corrected on 8 March 2001: Returns checked."]
    assert [entry["version"] for entry in entries] == [1, None, None, None]  # neither withdrawn nor current
    assert presenters.revisions(versions, shown=1)[0]["version"] is None  # no link to the page itself
    assert presenters.revisions([run(1, 1, status="published", current=True)]) == []  # never revised
    assert presenters.revisions([run(1, 1, rated=False), run(2, 3, current=True)])[0]["version"] is None


def test_a_previous_version_says_when_and_why_it_was_replaced():
    versions = [run(1, 1), run(2, 3, note="Late returns added."), run(3, 8, status="published", current=True)]
    assert presenters.version_notice(versions, versions[0]) == (
        "This is a previous version of these ratings, published on 1 March 2001. "
        "It was replaced on 3 March 2001: Late returns added.")


def test_withdrawal_notice_names_the_year_the_type_the_date_and_the_reason():
    notice = presenters.withdrawal_notice(run(1, 1, status="withdrawn", withdrawn=2, reason="A return was wrong"),
                                          SimpleNamespace(plural_name="Acute trusts", name="Acute trust"))
    assert notice == "The 2000-01 ratings of acute trusts were withdrawn on 2 March 2001: A return was wrong."
