"""The bands without the value-added adjustment and without credit for
improvement: one function (`counterfactuals.rate_with_counterfactuals`)
serves the stored runs and the what-if, and gives exactly what the spec
defines them as, the method with that part left out and all else equal."""

from dataclasses import replace

import pandas as pd
import pytest

from ratings import actions, admin_comparisons, counterfactuals
from ratings.engine import rate
from ratings.models import Rating, RatingScheme

from .engine_inputs import make_inputs
from .test_engine_properties import SETTINGS, given, worlds


def by_organisation(ratings: pd.DataFrame) -> pd.DataFrame:
    return ratings.set_index("organisation").sort_index()


@SETTINGS
@given(worlds())
def test_each_counterfactual_is_the_method_with_that_part_left_out(case):
    world, params = case
    inputs = make_inputs(**world)
    ratings = by_organisation(counterfactuals.rate_with_counterfactuals(inputs, params).ratings)
    unadjusted = by_organisation(rate(inputs, replace(params, value_added=False)).ratings)
    on_level = by_organisation(rate(inputs, replace(params, improvement_weight=0.0)).ratings)
    pd.testing.assert_series_equal(ratings["band_without_adjustment"], unadjusted["band"], check_names=False)
    pd.testing.assert_series_equal(ratings["score_without_adjustment"], unadjusted["score"], check_names=False)
    pd.testing.assert_series_equal(ratings["band_without_improvement"], on_level["band"], check_names=False)
    # The method's own columns are the engine's, untouched.
    pd.testing.assert_frame_equal(ratings.drop(columns=counterfactuals.COLUMNS),
                                  by_organisation(rate(inputs, params).ratings), check_exact=True)


@SETTINGS
@given(worlds())
def test_sharing_steps_with_other_passes_changes_no_counterfactual(case):
    world, params = case
    inputs = make_inputs(**world)
    reuse = {}
    rate(inputs, replace(params, red_core_failures=params.red_core_failures + 1), reuse)
    shared = counterfactuals.rate_with_counterfactuals(inputs, params, reuse).ratings
    pd.testing.assert_frame_equal(shared, counterfactuals.rate_with_counterfactuals(inputs, params).ratings,
                                  check_exact=True)


def test_no_organisations_gives_the_columns_and_no_rows():
    inputs = make_inputs(organisations=[], indicators=[dict(indicator="I", domain="quality", direction="higher_better",
                                                            weight=1.0, adjust_for_deprivation=False,
                                                            core_threshold=float("nan"), types=("HA",))],
                         results=[])
    ratings = counterfactuals.rate_with_counterfactuals(inputs, RatingScheme().parameters()).ratings
    assert ratings.empty and set(counterfactuals.COLUMNS) <= set(ratings.columns)


def test_a_what_if_of_the_method_as_set_says_what_the_stored_run_says(rated_world):
    runs = actions.recalculate(year=2000)
    params = RatingScheme.objects.get(year=2000).parameters()
    outcomes = admin_comparisons.what_if_outcomes(year=2000, before=params, after=params,
                                                  type_codes=[run.organisation_type.code for run in runs])
    stored = {organisation: (band, without_adjustment, without_improvement)
              for organisation, band, without_adjustment, without_improvement in Rating.objects.filter(
                  run__in=runs).values_list("organisation_id", "band", "band_without_adjustment",
                                            "band_without_improvement")}
    for side in ("before", "after"):
        assert {organisation: (o.band, o.band_without_adjustment, o.band_without_improvement)
                for organisation, o in outcomes[side].items()} == stored
    # The rated world's adjustment decides a band, so the two columns are not trivially equal.
    assert any(band != without for band, without, _ in stored.values())


def test_a_missing_core_figure_is_a_failure_in_the_comparisons_only_when_the_method_says_so(rated_world):
    from indicators.models import Organisation, Result
    Result.objects.filter(organisation__code="HA3", indicator__code="IP18M").delete()
    ha3 = Organisation.objects.get(code="HA3").pk
    runs = {}
    for missing_core_data, failures in (("failure", ("IP18M",)), ("not_green", ())):
        actions.update_scheme(year=2000, values={"missing_core_data": missing_core_data, "red_core_failures": 1})
        params = RatingScheme.objects.get(year=2000).parameters()
        [runs[missing_core_data]] = actions.recalculate(year=2000, type_codes=["HA"])
        computed = admin_comparisons.what_if_outcomes(year=2000, before=params, after=params, type_codes=["HA"])
        assert computed["after"][ha3].core_failures == failures
    # Stored runs read the same way: red with the missing figure a failure, yellow without.
    stored = admin_comparisons.runs_comparison(before=[runs["failure"]], after=[runs["not_green"]],
                                               before_label="failure", after_label="not green")
    [change] = [c for c in stored.changes if c.organisation.id == ha3]
    assert (change.before.band, change.before.core_failures) == ("red", ("IP18M",))
    assert (change.after.band, change.after.core_failures) == ("yellow", ())


def test_a_what_if_shares_each_organisations_move_among_the_parameters_that_moved_it(rated_world):
    """Three parameters changed together: every subset of them is rated (the
    rest as set), and each organisation the what-if moves gets each
    parameter's Shapley share of its move to the new band, as what-ifs of
    those subsets alone give it; kept and read back, the same."""
    from dataclasses import replace
    from itertools import combinations
    from math import factorial

    runs = actions.recalculate(year=2000)
    types = [run.organisation_type.code for run in runs]
    params = RatingScheme.objects.get(year=2000).parameters()
    changes = {"green_share": 0.75, "value_added": not params.value_added, "improvement_weight": 0.6}
    tried = replace(params, **changes)
    outcomes = admin_comparisons.what_if_outcomes(year=2000, before=params, after=tried, type_codes=types)
    comparison = admin_comparisons.what_if_comparison(year=2000, before=params, after=tried, outcomes=outcomes)
    kept = admin_comparisons.what_if_comparison(
        year=2000, before=params, after=tried,
        outcomes=admin_comparisons.outcomes_from_json(admin_comparisons.outcomes_as_json(outcomes)))
    assert [c.reasons for c in kept.changes] == [c.reasons for c in comparison.changes]
    # Each subset rated on its own, as a what-if of just those changes.
    names = list(changes)
    bands = {frozenset(subset): admin_comparisons.what_if_outcomes(
        year=2000, before=params, after=replace(params, **{n: changes[n] for n in subset}), type_codes=types)["after"]
        for size in (1, 2) for subset in combinations(names, size)}
    moved = [c for c in comparison.changes if c.before and c.after]
    assert moved
    for change in moved:
        pk = change.organisation.id

        def value(subset):
            if len(subset) in (0, 3):
                return float(len(subset) == 3)
            return float(bands[frozenset(subset)][pk].band == change.after.band)

        expected = {name: sum(factorial(len(s)) * factorial(2 - len(s)) / 6
                              * (value(set(s) | {name}) - value(set(s)))
                              for size in range(3) for s in combinations([n for n in names if n != name], size))
                    for name in names}
        assert change.parameter_shares == pytest.approx(expected)
        assert abs(sum(change.parameter_shares.values()) - 1) <= 1e-9
        assert change.reasons[0].startswith("Moved by ") and "Shapley" in change.reasons[0]