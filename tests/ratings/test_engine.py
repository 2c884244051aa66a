"""The rating method, one rule at a time, on inputs small enough to check by hand. No database."""

import math

import pandas as pd
import pytest

from ratings import engine
from ratings.engine import SchemeParameters, rate

from .engine_inputs import indicator, make_inputs

PLAIN = SchemeParameters(value_added=False, improvement_weight=0.0)


def by_org(result):
    return result.ratings.set_index("organisation")


def one_indicator_world(values, *, direction="higher_better", core=None, previous=None, **params):
    organisations = [(name, "HA") for name in values]
    results = [(name, "I1", 2000, v) for name, v in values.items() if v is not None]
    results += [(name, "I1", 1999, v) for name, v in (previous or {}).items()]
    inputs = make_inputs(organisations=organisations, indicators=[indicator("I1", direction=direction, core=core)],
                         results=results)
    return by_org(rate(inputs, SchemeParameters(**{"value_added": False, "improvement_weight": 0.0, **params})))


# Step 1: who is rated

def test_coverage_below_minimum_is_not_rated_with_reason():
    inputs = make_inputs(
        organisations=[("A", "HA"), ("B", "HA"), ("C", "HA")],
        indicators=[indicator(f"I{i}") for i in range(4)],
        results=[("A", f"I{i}", 2000, i) for i in range(4)] + [("B", "I0", 2000, 1), ("B", "I1", 2000, 2)]
        + [("C", "I0", 2000, 5)])
    ratings = by_org(rate(inputs, PLAIN))
    assert ratings.loc["B", "band"] != "not_rated"  # 2 of 4 = 50%: exactly the minimum
    assert ratings.loc["C", "band"] == "not_rated"
    assert ratings.loc["C", "coverage"] == 0.25
    assert ratings.loc["C", "not_rated_reason"] == ("Reported 1 of the 4 indicators that apply (25%); at least 50% "
                                                     "are needed to be rated.")
    assert math.isnan(ratings.loc["C", "score"]) and pd.isna(ratings.loc["C", "rank"])


def test_inactive_organisations_are_not_rated_at_all():
    inputs = make_inputs(organisations=[("A", "HA"), ("B", "HA"), ("Z", "HA", False)],
                         indicators=[indicator("I1")], results=[("A", "I1", 2000, 1), ("B", "I1", 2000, 2)])
    assert set(rate(inputs, PLAIN).ratings["organisation"]) == {"A", "B"}


# Step 2: value-added adjustment

def adjustment_world(deprivation, values=(10, 20, 40), year=2000):
    names = ["A", "B", "C", "D"][: len(values)]
    return make_inputs(
        year=year,
        organisations=[(n, "HA") for n in names],
        indicators=[indicator("MORT", adjust=True)],
        results=[(n, "MORT", year, v) for n, v in zip(names, values)],
        deprivation=[(n, year, d) for n, d in zip(names, deprivation) if d is not None])


def test_ols_adjustment_on_three_organisations_checked_by_hand():
    # v = 10, 20, 40 at d = 1, 2, 3: mean d = 2, mean v = 70/3,
    # b = ((-1)(10 - 70/3) + 0 + (1)(40 - 70/3)) / ((-1)^2 + 0 + 1^2) = 30 / 2 = 15,
    # v' = v - 15 (d - 2) = 25, 20, 25.
    result = rate(adjustment_world([1, 2, 3]), SchemeParameters(improvement_weight=0))
    adjusted = result.adjustments.set_index("organisation")
    assert adjusted["adjusted"].to_dict() == pytest.approx({"A": 25.0, "B": 20.0, "C": 25.0})
    assert adjusted["slope"].tolist() == pytest.approx([15.0] * 3)
    assert set(adjusted["status"]) == {"adjusted"}
    fit = result.fits.iloc[0]
    assert (fit["n"], fit["slope"], fit["intercept"], fit["mean_deprivation"]) == pytest.approx((3, 15, 70 / 3 - 30, 2))


def test_adjusted_values_feed_the_scores():
    ratings = by_org(rate(adjustment_world([1, 2, 3]), SchemeParameters(improvement_weight=0)))
    # Adjusted 25, 20, 25: A and C tie above B.
    assert ratings.loc["A", "level"] == pytest.approx(ratings.loc["C", "level"])
    assert ratings.loc["A", "level"] > ratings.loc["B", "level"]


def test_organisation_without_deprivation_keeps_its_value_and_is_left_out_of_the_fit():
    result = rate(adjustment_world([1, 2, 3, None], values=(10, 20, 40, 99)), SchemeParameters(improvement_weight=0))
    adjusted = result.adjustments.set_index("organisation")
    assert adjusted.loc["D", "adjusted"] == 99 and adjusted.loc["D", "status"] == "not adjusted: no deprivation value"
    assert adjusted.loc["A", "adjusted"] == pytest.approx(25.0)  # the fit over A, B, C is unchanged


@pytest.mark.parametrize("deprivation", [[1, 2], [2, 2, 2]])
def test_no_adjustment_with_fewer_than_three_or_equal_deprivation(deprivation):
    values = (10, 20, 40)[: len(deprivation)]
    result = rate(adjustment_world(deprivation, values=values), SchemeParameters(improvement_weight=0))
    adjusted = result.adjustments
    assert adjusted["adjusted"].tolist() == list(values)
    assert set(adjusted["status"]) == {"not adjusted: fewer than 3 organisations with values, or deprivation all equal"}
    assert not result.fits["applied"].any()


def test_value_added_off_leaves_values_alone():
    result = rate(adjustment_world([1, 2, 3]), SchemeParameters(value_added=False, improvement_weight=0))
    assert result.adjustments["adjusted"].tolist() == [10, 20, 40]
    assert result.fits.empty


def test_only_the_year_rated_is_fitted():
    # Version 1 fitted each year with its own slope, for improvement; version 2
    # uses v' in step 4 only, for the year rated.
    inputs = make_inputs(
        organisations=[("A", "HA"), ("B", "HA"), ("C", "HA")],
        indicators=[indicator("MORT", adjust=True)],
        results=[("A", "MORT", 2000, 10), ("B", "MORT", 2000, 20), ("C", "MORT", 2000, 40),
                 ("A", "MORT", 1999, 10), ("B", "MORT", 1999, 10), ("C", "MORT", 1999, 10)],
        deprivation=[(n, y, d) for y in (1999, 2000) for n, d in zip("ABC", (1, 2, 3))])
    fits = rate(inputs, SchemeParameters()).fits.set_index("year")["slope"]
    assert fits.to_dict() == pytest.approx({2000: 15.0})


def test_an_unchanged_organisation_shows_no_improvement_change_from_others_slope():
    # A and B report the same in both years; C's figures move, which moves the
    # fitted slope between years. Improvement is on reported values, so A's and
    # B's changes are exactly 0 however the slope moved.
    inputs = make_inputs(
        organisations=[(n, "HA") for n in "ABCD"],
        indicators=[indicator("MORT", adjust=True)],
        results=[("A", "MORT", 1999, 10), ("B", "MORT", 1999, 20), ("C", "MORT", 1999, 30), ("D", "MORT", 1999, 5),
                 ("A", "MORT", 2000, 10), ("B", "MORT", 2000, 20), ("C", "MORT", 2000, 90), ("D", "MORT", 2000, 6)],
        deprivation=[(n, y, d) for y in (1999, 2000) for n, d in zip("ABCD", (1, 2, 3, 4))])
    scores = rate(inputs, SchemeParameters()).indicator_scores.set_index("organisation")
    assert scores.loc["A", "delta"] == 0 and scores.loc["B", "delta"] == 0
    assert scores.loc["C", "delta"] == 60 and scores.loc["D", "delta"] == 1


# Step 3: core targets

def test_a_core_target_is_judged_on_the_reported_value_whatever_the_adjustment_does():
    # A reports 86.3 against a target of 84. With deprivation, the adjustment
    # takes A's figure well below 84; the target is still met.
    organisations = [(n, "HA") for n in "ABCD"]
    results = [("A", "MMR", 2000, 86.3), ("B", "MMR", 2000, 70), ("C", "MMR", 2000, 80), ("D", "MMR", 2000, 95)]
    deprivation = [("A", 2000, 1), ("B", 2000, 10), ("C", 2000, 20), ("D", 2000, 2)]
    inputs = make_inputs(organisations=organisations, indicators=[indicator("MMR", adjust=True, core=84)],
                         results=results, deprivation=deprivation)
    result = rate(inputs, SchemeParameters())
    adjusted = result.adjustments.set_index("organisation")["adjusted"]
    assert adjusted["A"] < 84  # the adjustment would have failed it
    ratings = by_org(result)
    assert ratings.loc["A", "core_failures"] == 0
    assert set(result.core_failures["organisation"]) == {"B", "C"}
    assert result.core_failures.set_index("organisation").loc["C", "value"] == 80  # reported, not adjusted


def test_core_target_pass_and_fail_in_each_direction():
    inputs = make_inputs(
        organisations=[("A", "HA"), ("B", "HA")],
        indicators=[indicator("UP", core=90), indicator("DOWN", direction="lower_better", core=0)],
        results=[("A", "UP", 2000, 90), ("A", "DOWN", 2000, 0), ("B", "UP", 2000, 89.9), ("B", "DOWN", 2000, 1)])
    result = rate(inputs, PLAIN)
    assert by_org(result)["core_failures"].to_dict() == {"A": 0, "B": 2}
    assert result.core_failures[["organisation", "indicator", "value", "threshold", "reason"]].values.tolist() == [
        ["B", "UP", 89.9, 90.0, "missed"], ["B", "DOWN", 1.0, 0.0, "missed"]]


def test_missing_core_value_counts_as_a_failure_labelled_no_data():
    inputs = make_inputs(
        organisations=[("A", "HA"), ("B", "HA")],
        indicators=[indicator("CORE", core=90), indicator("X"), indicator("Y")],
        results=[("A", "CORE", 2000, 95), ("A", "X", 2000, 1), ("B", "X", 2000, 2), ("B", "Y", 2000, 2)])
    result = rate(inputs, PLAIN)
    failure = result.core_failures.iloc[0]
    assert (failure["organisation"], failure["indicator"], failure["reason"]) == ("B", "CORE", "no data")
    assert math.isnan(failure["value"])


def missing_core_world():
    # B reports no CORE1 and no CORE2, C no CORE1; everyone else meets both. C has the best score.
    organisations = [(n, "HA") for n in "ABCDEFGH"]
    indicators = [indicator("CORE1", core=0), indicator("CORE2", core=0), indicator("S1"), indicator("S2")]
    results = [(n, "S1", 2000, v) for n, v in zip("ABCDEFGH", (1, 2, 9, 4, 5, 6, 7, 3))]
    results += [(n, "S2", 2000, 1) for n in "ABCDEFGH"]
    results += [(n, c, 2000, 1) for n in "ADEFGH" for c in ("CORE1", "CORE2")] + [("C", "CORE2", 2000, 1)]
    return make_inputs(organisations=organisations, indicators=indicators, results=results)


def test_missing_core_data_failure_makes_each_missing_figure_a_failure():
    ratings = by_org(rate(missing_core_world(), PLAIN))
    assert ratings.loc["B", "band"] == "red" and ratings.loc["B", "core_failures"] == 2
    assert ratings.loc["C", "band"] == "yellow" and ratings.loc["C", "core_failures"] == 1
    assert ratings.loc[["B", "C"], "missing_core"].tolist() == [2, 1]
    # q = 2 of 8; six candidates (F = 0): G and F are the best of them.
    assert ratings["band"].to_dict() == {"A": "yellow", "B": "red", "C": "yellow", "D": "yellow", "E": "yellow",
                                         "F": "green", "G": "green", "H": "yellow"}


def test_missing_core_data_not_green_is_no_failure_but_a_bar_to_green():
    result = rate(missing_core_world(), SchemeParameters(value_added=False, improvement_weight=0,
                                                         missing_core_data="not_green"))
    ratings = by_org(result)
    assert ratings.loc[["B", "C"], "core_failures"].tolist() == [0, 0]  # not red
    assert ratings.loc[["B", "C"], "band"].tolist() == ["yellow", "yellow"]  # C scores best, but is not a candidate
    assert ratings.loc["C", "rank"] == 1 and pd.isna(ratings.loc["C", "candidate_position"])
    assert ratings.loc["G", "candidate_position"] == 1 and ratings.loc["G", "band"] == "green"
    assert ratings["green_candidates"].unique().tolist() == [6]
    # The missing figures are still recorded, as "no data".
    assert sorted(result.core_failures.loc[result.core_failures["reason"] == "no data", "organisation"]) == [
        "B", "B", "C"]


def test_red_at_the_failure_count_and_not_below():
    inputs = make_inputs(
        organisations=[("A", "HA"), ("B", "HA"), ("C", "HA")],
        indicators=[indicator("C1", core=50), indicator("C2", core=50), indicator("C3", core=50)],
        results=[("A", c, 2000, 10) for c in ("C1", "C2", "C3")]
        + [("B", "C1", 2000, 10), ("B", "C2", 2000, 60), ("B", "C3", 2000, 60)]
        + [("C", c, 2000, 60) for c in ("C1", "C2", "C3")])
    bands = by_org(rate(inputs, PLAIN))["band"]
    assert bands["A"] == "red"  # 3 failures
    assert bands["B"] == "yellow"  # 1 failure: not red, and not green either
    bands = by_org(rate(inputs, SchemeParameters(value_added=False, improvement_weight=0, red_core_failures=1)))["band"]
    assert bands["B"] == "red"


def test_a_failing_organisation_is_never_green_however_high_its_score():
    inputs = make_inputs(
        organisations=[(n, "HA") for n in "ABCD"],
        indicators=[indicator("S1"), indicator("S2"), indicator("CORE", core=50)],
        results=[("A", "S1", 2000, 100), ("A", "S2", 2000, 100), ("A", "CORE", 2000, 49)]
        + [(n, s, 2000, v) for s in ("S1", "S2") for n, v in zip("BCD", (1, 2, 3))]
        + [(n, "CORE", 2000, v) for n, v in zip("BCD", (51, 150, 200))])
    ratings = by_org(rate(inputs, PLAIN))  # q = floor(0.25 * 4) = 1
    assert ratings.loc["A", "rank"] == 1 and ratings.loc["A", "core_failures"] == 1
    assert ratings["band"].to_dict() == {"A": "yellow", "B": "yellow", "C": "yellow", "D": "green"}


# Step 4: level score

def test_z_scores_population_sd_and_direction():
    ratings = one_indicator_world({"A": 1, "B": 2, "C": 3})
    z = 1 / math.sqrt(2 / 3)  # (3 - 2) / population sd of 1, 2, 3
    assert ratings["level"].to_dict() == pytest.approx({"A": -z, "B": 0, "C": z})
    ratings = one_indicator_world({"A": 1, "B": 2, "C": 3}, direction="lower_better")
    assert ratings["level"].to_dict() == pytest.approx({"A": z, "B": 0, "C": -z})


def test_zero_spread_and_single_value_give_zero():
    assert one_indicator_world({"A": 5, "B": 5, "C": 5})["level"].tolist() == [0, 0, 0]
    assert one_indicator_world({"A": 0.1, "B": 0.1, "C": 0.1})["level"].tolist() == [0, 0, 0]
    inputs = make_inputs(organisations=[("A", "HA"), ("B", "HA")], indicators=[indicator("I1"), indicator("I2")],
                         results=[("A", "I1", 2000, 3), ("A", "I2", 2000, 1), ("B", "I2", 2000, 2)])
    result = rate(inputs, PLAIN)
    scores = result.indicator_scores.set_index(["organisation", "indicator"])["z"]
    assert scores[("A", "I1")] == 0  # the only value of I1


def test_clipping():
    values = {f"O{i}": 0 for i in range(20)} | {"TOP": 100}
    ratings = one_indicator_world(values, clip_z=3.0)
    assert ratings.loc["TOP", "level"] == 3.0  # raw z is sqrt(20), about 4.47
    ratings = one_indicator_world({"A": 1, "B": 2, "C": 3}, clip_z=1.0)
    assert ratings["level"].tolist() == [-1.0, 0, 1.0]


def test_indicator_weights_within_a_domain_and_domain_weights_overall():
    inputs = make_inputs(
        organisations=[("A", "HA"), ("B", "HA")],
        indicators=[indicator("Q1", weight=3), indicator("Q2", weight=1), indicator("E1", domain="efficiency")],
        results=[("A", "Q1", 2000, 2), ("B", "Q1", 2000, 1), ("A", "Q2", 2000, 1), ("B", "Q2", 2000, 2),
                 ("A", "E1", 2000, 1), ("B", "E1", 2000, 2)])
    # Two organisations: every z is +1 or -1. A: Q1 +1, Q2 -1, E1 -1.
    ratings = by_org(rate(inputs, PLAIN))
    assert ratings.loc["A", "level_quality"] == pytest.approx((3 * 1 + 1 * -1) / 4)
    assert ratings.loc["A", "level_efficiency"] == -1
    assert ratings.loc["A", "level"] == pytest.approx((0.5 + -1) / 2)
    weighted = SchemeParameters(value_added=False, improvement_weight=0,
                                domain_weights={"quality": 3, "efficiency": 1, "access": 1, "patient_experience": 1})
    assert by_org(rate(inputs, weighted)).loc["A", "level"] == pytest.approx((3 * 0.5 + 1 * -1) / 4)


def test_domains_without_a_score_are_left_out_not_counted_as_zero():
    inputs = make_inputs(
        organisations=[("A", "HA"), ("B", "HA")],
        indicators=[indicator("Q1"), indicator("E1", domain="efficiency")],
        results=[("A", "Q1", 2000, 2), ("B", "Q1", 2000, 1), ("A", "E1", 2000, 7)])
    ratings = by_org(rate(inputs, PLAIN))
    assert ratings.loc["B", "level"] == -1 and math.isnan(ratings.loc["B", "level_efficiency"])


# Step 5 and 6: improvement and the final score

def test_improvement_with_a_previous_year():
    ratings = one_indicator_world({"A": 10, "B": 10, "C": 10}, previous={"A": 5, "B": 10, "C": 15},
                                  improvement_weight=0.25)
    z = 1 / math.sqrt(2 / 3)
    assert ratings["improvement"].to_dict() == pytest.approx({"A": z, "B": 0, "C": -z})
    # Level is 0 for all (equal values): S = 0.75 * 0 + 0.25 * I.
    assert ratings["score"].to_dict() == pytest.approx({"A": 0.25 * z, "B": 0, "C": -0.25 * z})


def test_improvement_direction_follows_the_indicator():
    ratings = one_indicator_world({"A": 10, "B": 10}, previous={"A": 5, "B": 15}, direction="lower_better",
                                  improvement_weight=0.5)
    assert ratings.loc["A", "improvement"] == -1 and ratings.loc["B", "improvement"] == 1


def test_without_a_previous_year_improvement_is_average_and_recorded_as_not_measured():
    # Version 1 scored B on level alone (S = L); version 2 counts it as I = 0.
    ratings = one_indicator_world({"A": 1, "B": 2, "C": 3}, previous={"A": 0}, improvement_weight=0.5)
    assert ratings.loc["B", "improvement"] == 0 and not ratings.loc["B", "improvement_measured"]
    assert ratings.loc["B", "score"] == pytest.approx(0.5 * ratings.loc["B", "level"])
    # A has a change but is the only one: its improvement z is 0 too, and it was measured.
    assert ratings.loc["A", "improvement"] == 0 and ratings.loc["A", "improvement_measured"]
    assert ratings.loc["A", "score"] == pytest.approx(0.5 * ratings.loc["A", "level"])


def test_improvement_weight_zero_ignores_improvement():
    ratings = one_indicator_world({"A": 1, "B": 2}, previous={"A": 5, "B": 0}, improvement_weight=0)
    assert (ratings["score"] == ratings["level"]).all()


# Step 7 and 8: bands, rank, cut-off

def test_green_quota_and_ties_at_the_cut_off():
    # 8 rated, green_share 0.25: q = 2. Scores by value: H > G = F > ...: F ties with the 2nd.
    values = {"A": 1, "B": 2, "C": 3, "D": 4, "E": 5, "F": 7, "G": 7, "H": 8}
    ratings = one_indicator_world(values)
    assert set(ratings.index[ratings["band"] == "green"]) == {"F", "G", "H"}
    assert ratings["rank"].to_dict() == {"A": 8, "B": 7, "C": 6, "D": 5, "E": 4, "F": 2, "G": 2, "H": 1}
    assert ratings.loc["A", "green_cutoff"] == pytest.approx(ratings.loc["G", "score"])
    assert ratings.loc["E", "gap_to_green"] == pytest.approx(ratings.loc["E", "score"] - ratings.loc["G", "score"])
    assert ratings.loc["F", "gap_to_green"] == pytest.approx(0)
    # Step 8's records: every one is a candidate; F and G share the 2nd candidate position.
    assert ratings["candidate_position"].to_dict() == ratings["rank"].to_dict()
    assert set(ratings["green_quota"]) == {2} and set(ratings["green_candidates"]) == {8}


def test_candidate_position_counts_candidates_only():
    # A scores best but fails the core target: B is the first candidate, ranked 2nd of all.
    inputs = make_inputs(
        organisations=[(n, "HA") for n in "ABCD"],
        indicators=[indicator("S1"), indicator("CORE", core=50, weight=0.01)],  # CORE barely scores
        results=[(n, "S1", 2000, v) for n, v in zip("ABCD", (9, 7, 7, 1))]
        + [(n, "CORE", 2000, v) for n, v in zip("ABCD", (40, 60, 60, 60))])
    ratings = by_org(rate(inputs, SchemeParameters(value_added=False, improvement_weight=0, green_share=0.25)))
    assert ratings["rank"].to_dict() == {"A": 1, "B": 2, "C": 2, "D": 4}
    assert pd.isna(ratings.loc["A", "candidate_position"])
    assert ratings["candidate_position"].dropna().to_dict() == {"B": 1, "C": 1, "D": 3}
    assert set(ratings["green_quota"]) == {1} and set(ratings["green_candidates"]) == {3}
    # q = 1, and C ties with the 1st candidate: both green, margin 0.
    assert ratings["band"].to_dict() == {"A": "yellow", "B": "green", "C": "green", "D": "yellow"}
    assert ratings.loc["C", "gap_to_green"] == pytest.approx(0)


def test_rank_treats_floating_point_noise_as_a_tie():
    score = pd.Series({"A": 0.3, "B": 0.1 + 0.2, "C": 0.2, "D": float("nan"), "E": 0.2 - 1e-12})
    assert 0.1 + 0.2 != 0.3  # the noise this is about
    ranks = engine.rank_scores(score)
    assert ranks[["A", "B", "C", "E"]].tolist() == [1, 1, 3, 3] and pd.isna(ranks["D"])


def test_quota_of_zero_means_no_green():
    ratings = one_indicator_world({"A": 1, "B": 2, "C": 3})  # floor(0.25 * 3) = 0
    assert set(ratings["band"]) == {"yellow"}
    assert ratings["green_cutoff"].isna().all()


def test_quota_counts_rated_organisations_only():
    # 4 rated (q = 1) and 1 not rated: still one green.
    inputs = make_inputs(
        organisations=[(n, "HA") for n in "ABCDE"],
        indicators=[indicator("I1"), indicator("I2")],
        results=[(n, "I1", 2000, v) for n, v in zip("ABCD", (1, 2, 3, 4))] + [("E", "I1", 2000, 9)]
        + [(n, "I2", 2000, 1) for n in "ABCD"])
    ratings = by_org(rate(inputs, SchemeParameters(value_added=False, improvement_weight=0, min_coverage=0.75)))
    assert ratings["band"].to_dict() == {"A": "yellow", "B": "yellow", "C": "yellow", "D": "green", "E": "not_rated"}


def test_green_quota_with_floating_point_share():
    # 0.3 * 10 is 2.9999999999999996 in floating point: the tolerance makes it 3.
    assert engine.green_quota(10, SchemeParameters(green_share=0.3)) == 3


def test_fewer_candidates_than_the_quota():
    values = {"A": 1, "B": 2, "C": 3, "D": 4}
    ratings = one_indicator_world(values, core=2.5, green_share=1.0)
    assert ratings["band"].to_dict() == {"A": "yellow", "B": "yellow", "C": "green", "D": "green"}
    assert ratings.loc["A", "green_cutoff"] == pytest.approx(ratings.loc["C", "score"])


@pytest.mark.parametrize("values, message", [
    ({"green_share": 0}, "green_share: must be a share more than 0 and at most 1, not 0"),
    ({"green_share": 1.5}, "green_share: must be a share more than 0 and at most 1, not 1.5"),
    ({"min_coverage": 0}, "min_coverage: must be a share more than 0 and at most 1, not 0"),
    ({"red_core_failures": 0}, "red_core_failures: must be a whole number, at least 1, not 0"),
    ({"red_core_failures": 1.5}, "red_core_failures: must be a whole number, at least 1, not 1.5"),
    ({"improvement_weight": -0.1}, "improvement_weight: must be between 0 and 1, not -0.1"),
    ({"clip_z": 0}, "clip_z: must be a number more than 0, not 0"),
    ({"value_added": "yes"}, "value_added: must be true or false"),
    ({"missing_core_data": "skip"}, "missing_core_data: must be failure or not_green, not 'skip'"),
    ({"uncertainty_draws": -1}, "uncertainty_draws: must be a whole number, 0 or more, not -1"),
    ({"uncertainty_seed": 1.5}, "uncertainty_seed: must be a whole number, 0 or more, not 1.5"),
    ({"domain_weights": {"efficency": 1}},
     "domain_weights: unknown domain 'efficency': the domains are quality, efficiency, access, patient_experience"),
    ({"domain_weights": {"quality": 0, "efficiency": 0, "access": 0, "patient_experience": 0}},
     "domain_weights: at least one domain must have a weight above 0"),
])
def test_parameters_are_validated(values, message):
    with pytest.raises(ValueError) as error:
        SchemeParameters(**values)
    assert str(error.value) == message


def test_parameters_round_trip_and_refuse_unknown_names():
    params = SchemeParameters(green_share=0.2, domain_weights={"quality": 2}, missing_core_data="not_green")
    assert SchemeParameters.from_dict(params.as_dict()) == params
    assert (params.uncertainty_draws, params.uncertainty_seed) == (2000, 2000)
    assert params.domain_weights == {"quality": 2.0, "efficiency": 1.0, "access": 1.0, "patient_experience": 1.0}
    with pytest.raises(ValueError, match="unknown parameter"):
        SchemeParameters.from_dict({"green_shares": 0.2})


def test_types_are_rated_separately():
    inputs = make_inputs(
        organisations=[("A", "HA"), ("B", "HA"), ("T1", "TRUST"), ("T2", "TRUST")],
        indicators=[indicator("I1", types=("HA", "TRUST"))],
        results=[("A", "I1", 2000, 1), ("B", "I1", 2000, 2), ("T1", "I1", 2000, 100), ("T2", "I1", 2000, 200)])
    ratings = by_org(rate(inputs, PLAIN))
    assert ratings.loc["A", "level"] == ratings.loc["T1", "level"] == -1
    assert ratings.loc["B", "rank"] == ratings.loc["T2", "rank"] == 1


def test_empty_inputs_give_empty_results():
    inputs = make_inputs(organisations=[], indicators=[indicator("I1")], results=[])
    assert rate(inputs, PLAIN).ratings.empty
