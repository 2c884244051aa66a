"""The spec's invariants, held for random inputs. No database."""

from dataclasses import replace

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ratings.engine import DOMAINS, SchemeParameters, green_quota, rate

from .engine_inputs import indicator, make_inputs

# Each run of the engine costs pandas' fixed overhead (about 50 ms): keep examples few.
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def worlds(draw):
    types = ("HA", "TRUST")
    organisations = [(f"{t}{i}", t) for t in types for i in range(draw(st.integers(2, 10)))]
    indicators = []
    for i in range(draw(st.integers(1, 5))):
        indicators.append(indicator(
            f"I{i}", domain=draw(st.sampled_from(DOMAINS)),
            direction=draw(st.sampled_from(["higher_better", "lower_better"])),
            weight=draw(st.sampled_from([0.5, 1.0, 2.0])), adjust=draw(st.booleans()),
            core=draw(st.one_of(st.none(), st.integers(0, 10))), types=draw(st.sampled_from([types, ("HA",), ("TRUST",)]))))
    value = st.one_of(st.none(), st.integers(0, 10).map(float), st.floats(0, 10, allow_nan=False))
    results, deprivation = [], []
    for name, _ in organisations:
        for year in (1999, 2000):
            for ind in indicators:
                v = draw(value)
                if v is not None:
                    results.append((name, ind["indicator"], year, v))
            d = draw(st.one_of(st.none(), st.integers(0, 40).map(float)))
            if d is not None:
                deprivation.append((name, year, d))
    params = SchemeParameters(
        green_share=draw(st.sampled_from([0.1, 0.25, 0.5, 1.0])), red_core_failures=draw(st.integers(1, 3)),
        improvement_weight=draw(st.sampled_from([0.0, 0.25, 1.0])), value_added=draw(st.booleans()),
        min_coverage=draw(st.sampled_from([0.25, 0.5, 1.0])), clip_z=draw(st.sampled_from([1.0, 3.0])),
        missing_core_data=draw(st.sampled_from(["failure", "not_green"])))
    return dict(organisations=organisations, indicators=indicators, results=results, deprivation=deprivation), params


def ratings_of(world, params, rename=None):
    ratings = rate(make_inputs(**world), params).ratings
    return ratings.sort_values("organisation").reset_index(drop=True)


@SETTINGS
@given(worlds())
def test_green_quota_red_and_failures(case):
    world, params = case
    ratings = ratings_of(world, params)
    for _, of_type in ratings.groupby("type"):
        rated = of_type[of_type["band"] != "not_rated"]
        green = rated[rated["band"] == "green"]
        assert (green["core_failures"] == 0).all()
        if params.missing_core_data == "not_green":
            assert (green["missing_core"] == 0).all()
        else:
            assert (rated["core_failures"] >= rated["missing_core"]).all()  # each missing figure is a failure
        assert ((rated["band"] == "red") == (rated["core_failures"] >= params.red_core_failures)).all()
        # No improvement figure at all: average improvement, recorded as not measured.
        assert (rated.loc[~rated["improvement_measured"].astype(bool), "improvement"] == 0).all()
        assert rated["improvement"].notna().all()
        q = green_quota(len(rated), params)
        candidates = rated["candidate_position"].notna()
        assert (rated["green_quota"] == q).all() and (rated["green_candidates"] == candidates.sum()).all()
        assert (candidates == ((rated["core_failures"] == 0) & (
            (rated["missing_core"] == 0) | (params.missing_core_data == "failure")))).all()
        # Green: a candidate among the best q of them (ties with the q-th share its position).
        assert (green["candidate_position"] <= q).all()
        np.testing.assert_allclose(rated["gap_to_green"], rated["score"] - rated["green_cutoff"])
        if len(green):
            cutoff = green["green_cutoff"].iloc[0]
            assert (green["score"] >= cutoff - 1e-9).all()
            # Beyond the quota only ties at the cut-off.
            assert (green["score"] > cutoff + 1e-9).sum() < max(q, 1)
            assert len(green) <= q or (green["score"] - cutoff).abs().le(1e-9).sum() > 1
        else:
            assert q == 0 or not candidates.any()


@SETTINGS
@given(worlds(), st.data())
def test_core_failures_never_depend_on_other_organisations_figures(case, data):
    """F (and the missing core figures) of an organisation come from its own
    reported figures alone: changing, adding or removing every other
    organisation's figures (deprivation included) changes neither."""
    world, params = case
    names = [name for name, _ in world["organisations"]]
    own = data.draw(st.sampled_from(names))
    shift = data.draw(st.floats(-20, 20, allow_nan=False))
    keep = data.draw(st.booleans())
    others = dict(world, results=[(o, i, y, v if o == own else v + shift) for o, i, y, v in world["results"]
                                  if o == own or keep],
                  deprivation=[(o, y, v if o == own else 40 - v) for o, y, v in world["deprivation"]])
    before = ratings_of(world, params).set_index("organisation").loc[own]
    after = ratings_of(others, params).set_index("organisation").loc[own]
    if before["band"] != "not_rated":  # whether it is rated depends on its own figures only
        assert (before["core_failures"], before["missing_core"]) == (after["core_failures"], after["missing_core"])
        assert (before["band"] == "red") == (after["band"] == "red")


@SETTINGS
@given(worlds(), st.randoms(use_true_random=False))
def test_row_order_changes_nothing(case, random):
    world, params = case
    shuffled = dict(world)
    for key in ("organisations", "indicators", "results", "deprivation"):
        shuffled[key] = random.sample(world[key], len(world[key]))
    pd.testing.assert_frame_equal(ratings_of(world, params), ratings_of(shuffled, params), check_exact=False,
                                  rtol=1e-9, atol=1e-9)


@SETTINGS
@given(worlds())
def test_renaming_organisations_changes_nothing_but_names(case):
    world, params = case
    new_name = {name: f"renamed-{name[::-1]}" for name, _ in world["organisations"]}
    renamed = dict(world,
                   organisations=[(new_name[n], t) for n, t in world["organisations"]],
                   results=[(new_name[o], i, y, v) for o, i, y, v in world["results"]],
                   deprivation=[(new_name[o], y, v) for o, y, v in world["deprivation"]])
    original = ratings_of(world, params)
    original["organisation"] = original["organisation"].map(new_name)
    pd.testing.assert_frame_equal(original.sort_values("organisation").reset_index(drop=True),
                                  ratings_of(renamed, params), check_exact=False, rtol=1e-9, atol=1e-9)


@SETTINGS
@given(worlds())
def test_rerun_gives_identical_results(case):
    world, params = case
    pd.testing.assert_frame_equal(ratings_of(world, params), ratings_of(world, params), check_exact=True)


@SETTINGS
@given(worlds(), st.floats(-5, 5, allow_nan=False))
def test_another_types_data_never_changes_a_types_ratings(case, shift):
    world, params = case
    trust_orgs = {n for n, t in world["organisations"] if t == "TRUST"}
    changed = dict(world, results=[(o, i, y, v + shift if o in trust_orgs else v) for o, i, y, v in world["results"]]
                   + [("TRUST0", "EXTRA", 2000, 1.0)],
                   indicators=world["indicators"] + [indicator("EXTRA", types=("TRUST",))])
    before, after = ratings_of(world, params), ratings_of(changed, params)
    pd.testing.assert_frame_equal(before[before["type"] == "HA"].reset_index(drop=True),
                                  after[after["type"] == "HA"].reset_index(drop=True), check_exact=True)


@SETTINGS
@given(worlds())
def test_plain_method_is_the_mean_of_domain_means_of_clipped_z(case):
    world, params = case
    plain = SchemeParameters(**{**params.as_dict(), "value_added": False, "improvement_weight": 0.0})
    world = dict(world, indicators=[dict(i, weight=1.0) for i in world["indicators"]])
    result = rate(make_inputs(**world), plain)
    z = result.indicator_scores.merge(pd.DataFrame(world["indicators"])[["indicator", "domain"]], on="indicator")
    expected = z.groupby(["organisation", "domain"])["z"].mean().groupby("organisation").mean()
    ratings = result.ratings.set_index("organisation")
    rated = ratings[ratings["band"] != "not_rated"]
    assert np.allclose(rated["score"], expected.reindex(rated.index), equal_nan=True)
    assert np.allclose(rated["score"], rated["level"], equal_nan=True)
    assert (z["z"].abs() <= plain.clip_z).all()


@SETTINGS
@given(worlds(), st.data())
def test_steps_shared_between_passes_change_no_result(case, data):
    """A what-if rates the same inputs four times, sharing the steps whose
    parameters agree (`rate`'s `reuse`): every table is exactly what a pass of
    its own gives, whichever parameters differ and in whatever order."""
    world, params = case
    inputs = make_inputs(**world)
    others = [params, replace(params, value_added=not params.value_added),
              replace(params, red_core_failures=data.draw(st.integers(1, 3))),
              replace(params, missing_core_data=data.draw(st.sampled_from(["failure", "not_green"]))),
              replace(params, min_coverage=data.draw(st.sampled_from([0.25, 0.5, 1.0])),
                      clip_z=data.draw(st.sampled_from([1.0, 3.0])),
                      improvement_weight=data.draw(st.sampled_from([0.0, 0.5])))]
    reuse = {}
    for passed in data.draw(st.permutations(others)):
        shared, alone = rate(inputs, passed, reuse), rate(inputs, passed)
        for name in ("ratings", "indicator_scores", "core_failures", "adjustments", "fits"):
            pd.testing.assert_frame_equal(getattr(shared, name), getattr(alone, name), check_exact=True)
    assert reuse  # the steps were kept and shared


@SETTINGS
@given(worlds(), st.data())
def test_an_organisation_whose_figures_did_not_change_shows_no_change(case, data):
    """Improvement is on reported values: an organisation reporting the same
    figures in both years has a change of exactly 0 on every indicator,
    whatever the others' figures (and so the adjustment's slopes) did."""
    world, params = case
    own = data.draw(st.sampled_from([name for name, _ in world["organisations"]]))
    this_year = [(o, i, y, v) for o, i, y, v in world["results"] if o == own and y == 2000]
    results = [r for r in world["results"] if r[0] != own] + this_year + [(o, i, 1999, v) for o, i, _, v in this_year]
    scores = rate(make_inputs(**dict(world, results=results)), params).indicator_scores
    assert (scores.loc[scores["organisation"] == own, "delta"] == 0).all()
