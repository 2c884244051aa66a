"""The comparison of two sets of ratings: pure, no database."""

from hypothesis import given
from hypothesis import strategies as st

from ratings.band_changes import BANDS, Organisation, Outcome, compare

ORGANISATIONS = {
    1: Organisation(1, "HA1", "Avon", "HA", "South West"),
    2: Organisation(2, "HA2", "Bury", "HA", "North West"),
    3: Organisation(3, "T1", "Crewe Trust", "TRUST", "North West"),
    4: Organisation(4, "T2", "Dover Trust", "TRUST", "South East"),
}
NAMES = {"WAIT": "Inpatient waits", "CANCER": "Cancer referrals"}


def outcome(band, score=0.0, level=0.0, improvement=0.0, rank=1, failures=(), without_adjustment=None,
            without_improvement=None, cutoff=0.3, rated=4, reason="", missing=()):
    return Outcome(band=band, score=score, level=level, improvement=improvement, rank=rank, rated_count=rated,
                   green_cutoff=cutoff, core_failures=tuple(failures),
                   band_without_adjustment=without_adjustment or band,
                   band_without_improvement=without_improvement or band, not_rated_reason=reason,
                   missing_core=tuple(missing))


def run(before, after, before_parameters=None, after_parameters=None):
    return compare(before, after, ORGANISATIONS, before_label="published", after_label="draft",
                   before_parameters=before_parameters, after_parameters=after_parameters, indicator_names=NAMES)


def only_change(comparison):
    [change] = comparison.changes
    return change


def test_identical_sets_have_no_changes():
    ratings = {1: outcome("green"), 2: outcome("red", failures=["WAIT", "CANCER"])}
    comparison = run(ratings, ratings)
    assert comparison.changes == [] and comparison.unchanged == 2 and comparison.parameter_changes == []


def test_counts_by_type_region_and_both_include_zeros_and_one_sided_organisations():
    before = {1: outcome("green"), 2: outcome("yellow"), 3: outcome("red", failures=["WAIT", "CANCER"])}
    after = {1: outcome("yellow"), 2: outcome("yellow"), 4: outcome("green")}
    comparison = run(before, after)
    assert comparison.totals.before == {"green": 1, "yellow": 1, "red": 1, "not_rated": 0}
    assert comparison.totals.after == {"green": 1, "yellow": 2, "red": 0, "not_rated": 0}
    assert [(c.group, c.before["red"], c.after["green"]) for c in comparison.by_type] == [
        ("HA", 0, 0), ("TRUST", 1, 1)]
    assert [c.group for c in comparison.by_region] == ["North West", "South East", "South West"]
    assert [c.group for c in comparison.by_type_and_region] == [
        "HA: North West", "HA: South West", "TRUST: North West", "TRUST: South East"]
    assert comparison.by_type[0].rows == [("green", 1, 0, -1), ("yellow", 1, 2, 1), ("red", 0, 0, 0),
                                          ("not_rated", 0, 0, 0)]
    one_sided = {c.organisation.code: (c.main_reason, c.reasons) for c in comparison.changes
                 if c.main_reason == "not in both"}
    assert one_sided == {"T1": ("not in both", ["Not in draft."]), "T2": ("not in both", ["Not in published."])}


def test_into_red_names_the_targets_newly_failed():
    change = only_change(run({1: outcome("yellow", failures=["WAIT"])},
                             {1: outcome("red", failures=["WAIT", "CANCER"])}))
    assert change.main_reason == "core targets"
    assert change.reasons[0] == ("Now fails 2 core national targets (Inpatient waits, Cancer referrals); it failed "
                                 "1 before. (newly failed: Cancer referrals)")


def test_out_of_red_names_the_targets_now_passed_and_a_changed_threshold():
    change = only_change(run({1: outcome("red", failures=["WAIT", "CANCER"])}, {1: outcome("yellow", failures=["WAIT"])},
                             {"red_core_failures": 2}, {"red_core_failures": 3}))
    assert change.reasons == [
        "Now fails 1 core national target (Inpatient waits); it failed 2 before. (now passed: Cancer referrals)",
        "Red now needs 3 core target failures, not 2."]


def test_a_missing_figure_no_longer_counted_is_not_called_passed():
    # Red under missing_core_data = failure (two targets with no figure); yellow under not_green.
    change = only_change(run({1: outcome("red", failures=["WAIT", "CANCER"], missing=["WAIT", "CANCER"])},
                             {1: outcome("yellow", failures=[], missing=["WAIT", "CANCER"])}))
    assert change.reasons[0] == (
        "Now fails 0 core national targets; it failed 2 before. (still no figure, no longer counted as a failure "
        "(a missing figure now rules out green instead): Inpatient waits, Cancer referrals)")
    back = only_change(run({1: outcome("yellow", failures=[], missing=["WAIT", "CANCER"])},
                           {1: outcome("red", failures=["WAIT", "CANCER"], missing=["WAIT", "CANCER"])}))
    assert "still no figure, now counted as a failure: Inpatient waits, Cancer referrals" in back.reasons[0]
    assert "newly failed" not in back.reasons[0]


def test_when_only_the_cutoff_moved_the_reason_says_its_own_score_did_not_change():
    change = only_change(run(
        {1: outcome("green", score=0.34, level=0.34, improvement=0.0, rank=5, cutoff=0.30)},
        {1: outcome("yellow", score=0.34, level=0.34, improvement=0.0, rank=5, cutoff=0.36)},
        {"improvement_weight": 0.25, "green_share": 0.25}, {"improvement_weight": 0.25, "green_share": 0.2}))
    assert "Its own final score did not change (0.34): the green cut-off moved (0.30 → 0.36)." in change.reasons
    assert not any(reason.startswith("Mostly its") for reason in change.reasons)
    assert ("The green share changed from 25% to 20%, which moved the quota of green places and so the cut-off."
            in change.reasons)


def test_green_to_yellow_gives_the_score_against_the_cutoff_and_what_moved_it():
    change = only_change(run(
        {1: outcome("green", score=0.42, level=0.5, improvement=0.18, rank=1, cutoff=0.35)},
        {1: outcome("yellow", score=0.10, level=0.1, improvement=0.1, rank=3, cutoff=0.30)},
        {"improvement_weight": 0.25, "green_share": 0.25}, {"improvement_weight": 0.25, "green_share": 0.2}))
    assert change.main_reason == "score"
    assert change.reasons == [
        "Final score 0.42 → 0.10, green cut-off 0.35 → 0.30 (rank 1st of 4 → 3rd of 4).",
        "Mostly its level score moved it (0.50 → 0.10).",
        "The green share changed from 25% to 20%, which moved the quota of green places and so the cut-off."]


def test_improvement_moving_the_score_is_named():
    change = only_change(run({1: outcome("green", score=0.5, level=0.2, improvement=1.4)},
                             {1: outcome("yellow", score=0.1, level=0.2, improvement=-0.2)},
                             {"improvement_weight": 0.25}, {"improvement_weight": 0.25}))
    assert "Mostly its improvement score moved it (1.40 → -0.20)." in change.reasons


def test_a_core_failure_ruling_out_green_is_said():
    change = only_change(run({1: outcome("green")}, {1: outcome("yellow", failures=["WAIT"])}))
    assert change.main_reason == "core targets"
    assert "Failing a core national target rules out green." in change.reasons


def test_adjustment_and_improvement_deciding_a_band_are_named():
    adjusted = only_change(run({1: outcome("yellow")}, {1: outcome("green", without_adjustment="yellow")}))
    assert adjusted.main_reason == "adjustment"
    assert "The value-added adjustment for deprivation decided it: without it, it would be yellow." in adjusted.reasons
    improved = only_change(run({1: outcome("green", without_improvement="yellow")}, {1: outcome("yellow")}))
    assert improved.main_reason == "improvement"
    assert ("Before, credit for improvement decided it: without it, it would have been yellow."
            in improved.reasons)
    switched = only_change(run({1: outcome("green", without_adjustment="yellow")}, {1: outcome("yellow")},
                               {"value_added": True}, {"value_added": False}))
    assert "The value-added adjustment was switched off." in switched.reasons


def test_rated_and_not_rated_moves_give_the_coverage_reason():
    change = only_change(run({1: outcome("yellow")}, {1: outcome("not_rated", reason="reported 1 of 4 indicators")},
                             {"min_coverage": 0.5}, {"min_coverage": 0.75}))
    assert change.main_reason == "coverage"
    assert change.reasons == ["Not rated now: reported 1 of 4 indicators.", "The minimum coverage changed from 50% to 75%."]
    back = only_change(run({1: outcome("not_rated", reason="no figures")}, {1: outcome("green")}))
    assert back.reasons[0] == "Rated now; it was not rated before: no figures."


def test_changes_are_ordered_by_type_then_severity_then_name():
    before = {1: outcome("yellow"), 2: outcome("red", failures=["WAIT", "CANCER"]), 3: outcome("green"),
              4: outcome("yellow")}
    after = {1: outcome("red", failures=["WAIT", "CANCER"]), 2: outcome("yellow"), 3: outcome("yellow"),
             4: outcome("not_rated")}
    assert [c.organisation.code for c in run(before, after).changes] == ["HA1", "HA2", "T1", "T2"]
    after[2] = outcome("red", failures=["WAIT", "CANCER"])
    before[2] = outcome("green")
    # Both into red now: by name within the type.
    assert [c.organisation.code for c in run(before, after).changes][:2] == ["HA1", "HA2"]


def test_parameter_changes_in_the_order_of_the_earlier_set():
    comparison = run({1: outcome("green")}, {1: outcome("green")},
                     {"green_share": 0.25, "red_core_failures": 2, "clip_z": 3.0},
                     {"red_core_failures": 3, "green_share": 0.2, "clip_z": 3.0, "extra": 1})
    assert comparison.parameter_changes == [("green_share", 0.25, 0.2), ("red_core_failures", 2, 3),
                                            ("extra", None, 1)]


sets = st.dictionaries(st.sampled_from(sorted(ORGANISATIONS)), st.sampled_from(BANDS).map(outcome), max_size=4)


@given(before=sets, after=sets)
def test_counts_add_up_and_every_organisation_is_changed_or_unchanged(before, after):
    comparison = run(before, after)
    for side, outcomes in (("before", before), ("after", after)):
        for band in BANDS:
            total = getattr(comparison.totals, side)[band]
            assert total == sum(getattr(c, side)[band] for c in comparison.by_type)
            assert total == sum(getattr(c, side)[band] for c in comparison.by_region)
            assert total == sum(1 for o in outcomes.values() if o.band == band)
    assert len(comparison.changes) + comparison.unchanged == len(set(before) | set(after))
    assert all(c.reasons and c.main_reason for c in comparison.changes)


def test_a_what_if_kept_before_missing_figures_were_recorded_reads_back():
    from ratings.admin_comparisons import outcomes_as_json, outcomes_from_json

    kept = outcomes_as_json({"before": {1: outcome("red", failures=["WAIT"], missing=["WAIT"])}})
    assert outcomes_from_json(kept)["before"][1].missing_core == ("WAIT",)
    older = {"before": {"1": kept["before"]["1"][:-2]}}  # as stored before it and the explanation existed
    assert outcomes_from_json(older)["before"][1] == outcome("red", failures=["WAIT"])


def stored_explanation(**changes):
    explanation = {
        "compared_with": 7, "year_before": 1999, "band_before": "green", "band_after": "yellow",
        "margin_before": 0.05, "margin_after": -0.07, "change": -0.12, "own": 0.022, "others": -0.142,
        "method": 0.0, "corrections": 0.0, "no_margin_reason": "", "band_if_others_stood_still": "green",
        "band_under_last_years_method": "yellow", "main_reason": "others", "core_changes": [],
        "margins": {}, "bands": {}}
    return {**explanation, **changes}


def test_a_stored_decomposition_replaces_the_guess_from_level_and_improvement():
    change = only_change(run(
        {1: outcome("green", score=0.42, level=0.5, improvement=0.18, rank=1, cutoff=0.37)},
        {1: Outcome(**{**outcome("yellow", score=0.30, level=0.4, improvement=0.1, rank=2, cutoff=0.37).__dict__,
                       "explanation": stored_explanation()})}))
    assert change.main_reason == "others' figures"
    assert ("Its margin over the green cut-off moved -0.12: own figures +0.02, others' figures -0.14, method "
            "+0.00, corrections since publication +0.00 (Shapley values); had the others stood still it would "
            "have been green; under last year's method, yellow.") in change.reasons
    assert not any(reason.startswith("Mostly its") for reason in change.reasons)


def test_a_decomposition_without_a_margin_gives_the_bands_only():
    explanation = stored_explanation(own=None, others=None, method=None, corrections=None,
                                     no_margin_reason="no green cut-off", main_reason="own",
                                     band_if_others_stood_still="yellow")
    change = only_change(run({1: outcome("green")},
                             {1: Outcome(**{**outcome("yellow").__dict__, "explanation": explanation})}))
    assert change.main_reason == "own figures"
    assert ("Its margin over the green cut-off cannot be split into parts (no green cut-off in one of the "
            "combinations of years compared): had the others stood still it would have been yellow; under last "
            "year's method, yellow.") in change.reasons
