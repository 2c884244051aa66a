"""The decomposition of a margin's change (spec: "Why a score moved"), on
random data and on hand-made cases. No database."""

import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ratings import batch_engine, decomposition
from ratings.decomposition import COMBINATIONS, Figures, Method, Published, decompose_type, shapley
from ratings.engine import DOMAINS, SchemeParameters

from .engine_inputs import indicator

SETTINGS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
YEAR = 2000


def method_of(indicators, params) -> Method:
    table = pd.DataFrame(indicators)
    applicability = table[["indicator", "types"]].explode("types").rename(columns={"types": "type"})
    return Method(params=params, indicators=table.drop(columns="types"),
                  applicability=applicability.reset_index(drop=True))


def figures_of(year, organisations, results, deprivation=()) -> Figures:
    """organisations: (key, type, active); results: (organisation, indicator, year, value), any years."""
    results = pd.DataFrame(list(results), columns=["organisation", "indicator", "year", "value"]).astype(
        {"value": float, "year": int})
    deprivation = pd.DataFrame(list(deprivation), columns=["organisation", "year", "value"]).astype(
        {"value": float, "year": int})
    return Figures(year=year, organisations=pd.DataFrame(organisations, columns=["organisation", "type", "active"]),
                   results=results[results["year"].isin([year - 1, year])].reset_index(drop=True),
                   deprivation={"DEPRIVATION": deprivation[deprivation["year"].isin([year - 1, year])]})


def full_year(figures: Figures, method: Method, type_code="HA") -> pd.DataFrame:
    """The type rated on one year's figures alone (as its published run)."""
    inputs = decomposition.combination_inputs(own=figures, others=figures, method=method, organisation=None,
                                              year=figures.year, type_code=type_code)
    return decomposition.rate_combination(inputs, method, type_code)


def published_of(before: pd.DataFrame, after: pd.DataFrame, moved=0.0) -> dict:
    both = [o for o in after.index if o in before.index and "not_rated" not in (before.loc[o, "band"],
                                                                               after.loc[o, "band"])]

    def margin(row):
        return None if pd.isna(row["gap_to_green"]) else float(row["gap_to_green"])

    return {o: Published(band_before=before.loc[o, "band"],
                         margin_before=None if margin(before.loc[o]) is None else margin(before.loc[o]) + moved,
                         band_after=after.loc[o, "band"], margin_after=margin(after.loc[o]),
                         candidate_before=bool(pd.notna(before.loc[o, "candidate_position"])),
                         candidate_after=bool(pd.notna(after.loc[o, "candidate_position"])))
            for o in both}


@st.composite
def two_years(draw):
    """Random figures of one type over 1998-2000, and two methods (last year's and this year's)."""
    organisations = [f"O{i}" for i in range(draw(st.integers(3, 9)))]
    indicators = []
    for i in range(draw(st.integers(1, 4))):
        indicators.append(indicator(
            i, domain=draw(st.sampled_from(DOMAINS)),
            direction=draw(st.sampled_from(["higher_better", "lower_better"])),
            weight=draw(st.sampled_from([0.5, 1.0, 2.0])), adjust=draw(st.booleans()),
            core=draw(st.one_of(st.none(), st.integers(0, 10)))))
    value = st.one_of(st.none(), st.integers(0, 10).map(float), st.floats(0, 10, allow_nan=False))
    results, deprivation = [], []
    for name in organisations:
        for year in (1998, 1999, 2000):
            for ind in indicators:
                v = draw(value)
                if v is not None:
                    results.append((name, ind["indicator"], year, v))
            d = draw(st.one_of(st.none(), st.integers(0, 40).map(float)))
            if d is not None:
                deprivation.append((name, year, d))
    open_before = {name: draw(st.booleans()) or name == organisations[0] for name in organisations}
    open_after = {name: draw(st.booleans()) or name == organisations[0] for name in organisations}

    def params():
        return SchemeParameters(
            green_share=draw(st.sampled_from([0.25, 0.5, 1.0])), red_core_failures=draw(st.integers(1, 3)),
            improvement_weight=draw(st.sampled_from([0.0, 0.25, 1.0])), value_added=draw(st.booleans()),
            min_coverage=draw(st.sampled_from([0.25, 0.5, 1.0])), clip_z=draw(st.sampled_from([1.0, 3.0])),
            missing_core_data=draw(st.sampled_from(["failure", "not_green"])))

    last_params = params()
    this_params = last_params if draw(st.booleans()) else params()
    last_indicators = indicators
    this_indicators = [dict(i, core_threshold=draw(st.sampled_from([i["core_threshold"], 5.0])),
                            weight=draw(st.sampled_from([i["weight"], 1.0]))) for i in indicators]
    before = figures_of(1999, [(o, "HA", open_before[o]) for o in organisations], results, deprivation)
    after = figures_of(2000, [(o, "HA", open_after[o]) for o in organisations], results, deprivation)
    return before, after, (method_of(last_indicators, last_params), method_of(this_indicators, this_params))


@SETTINGS
@given(two_years(), st.floats(-1, 1, allow_nan=False))
def test_the_parts_add_up_to_the_published_change(case, moved):
    """Own, others, method and corrections add up to the published change within
    1e-9; the corrections are what the published last year's margin differs
    from the recomputed one by."""
    before, after, methods = case
    published = published_of(full_year(before, methods[0]), full_year(after, methods[1]), moved=moved)
    table = decompose_type(before=before, after=after, methods=methods, type_code="HA", published=published)
    assert len(table) == len(published)
    for row in table.itertuples():
        if not row.has_margin:
            assert pd.isna(row.own) and row.no_margin_reason in (decomposition.NO_CUTOFF,
                                                                decomposition.NOT_RATED_IN_A_COMBINATION)
            continue
        assert abs(row.own + row.others + row.method + row.corrections - row.change) <= 1e-9
        assert abs(row.corrections + moved) <= 1e-9
        # Both years' margins recomputed are the published ones (before the corrections' move).
        assert abs(row.margins["own1_others1_method1"] - row.margin_after) <= 1e-9
        assert abs(row.margins["own0_others0_method0"] - (row.margin_before - moved)) <= 1e-9
        if methods[0].params == methods[1].params and methods[0].indicators.equals(methods[1].indicators):
            assert row.method == 0


@SETTINGS
@given(two_years())
def test_the_batched_runs_give_what_the_engine_gives_one_organisation_at_a_time(case):
    before, after, methods = case
    published = published_of(full_year(before, methods[0]), full_year(after, methods[1]))
    batched = decompose_type(before=before, after=after, methods=methods, type_code="HA", published=published)
    one_pass = decompose_type(before=before, after=after, methods=methods, type_code="HA", published=published,
                              one_pass=True)
    for fast, slow in zip(batched.itertuples(), one_pass.itertuples()):
        assert fast.bands == slow.bands
        for name, margin in slow.margins.items():
            assert (margin is None) == (fast.margins[name] is None), name
            if margin is not None:
                assert abs(margin - fast.margins[name]) <= 1e-9
        assert fast.main_reason == slow.main_reason


@SETTINGS
@given(two_years(), st.data())
def test_swapped_figures_rate_as_the_engine_rates_each_variant(case, data):
    """`rate_swapped` (the batched engine) against the engine for every
    organisation's swap, under either method, either way round."""
    before, after, methods = case
    method = methods[data.draw(st.integers(0, 1))]
    base, own = (before, after) if data.draw(st.booleans()) else (after, before)
    arrays = [batch_engine.type_arrays(decomposition.combination_inputs(
        own=state, others=state, method=method, organisation=None, year=YEAR, type_code="HA"))["HA"]
        for state in (base, own)]
    organisations = sorted(set(after.organisations["organisation"]))
    rated = decomposition.rate_swapped(base=arrays[0], own=arrays[1], organisations=organisations,
                                       params=method.params)
    for organisation in organisations:
        inputs = decomposition.combination_inputs(own=own, others=base, method=method, organisation=organisation,
                                                  year=YEAR, type_code="HA")
        expected = decomposition.outcome_of(decomposition.rate_combination(inputs, method, "HA"), organisation)
        got = rated[organisation]
        assert (got.band, got.candidate) == (expected.band, expected.candidate)
        for mine, wanted in ((got.score, expected.score), (got.cutoff, expected.cutoff)):
            assert (math.isnan(mine) and math.isnan(wanted)) or abs(mine - wanted) <= 1e-9


@given(st.lists(st.floats(-10, 10, allow_nan=False), min_size=8, max_size=8))
def test_shapley_values_add_up_and_split_an_additive_change_exactly(values):
    v = dict(zip(COMBINATIONS, values))
    parts = shapley(v)
    assert abs(sum(parts.values()) - (v[1, 1, 1] - v[0, 0, 0])) <= 1e-9
    additive = {c: 3 * c[0] - 2 * c[1] + 0.5 * c[2] + values[0] for c in COMBINATIONS}
    assert shapley(additive) == pytest.approx({"own": 3, "others": -2, "method": 0.5}, abs=1e-12)


def test_an_interaction_of_two_factors_is_shared_equally():
    parts = shapley({c: float(c[0] * c[1]) for c in COMBINATIONS})
    assert parts == pytest.approx({"own": 0.5, "others": 0.5, "method": 0.0})


# Four health authorities, one indicator (higher better), q = 1. O1 is green last year
# (10 against 8, 6, 4); this year its figure is unchanged and O2 rises to 12.
STILL_WORLD = [("O1", 0, 1998, 10), ("O2", 0, 1998, 8), ("O3", 0, 1998, 6), ("O4", 0, 1998, 4)]


def still_case(this_year_o2=12.0, green_share=0.25):
    params = SchemeParameters(green_share=green_share, improvement_weight=0.0, value_added=False)
    method = method_of([indicator(0)], params)
    last = [(o, 0, 1999, v) for o, _, _, v in STILL_WORLD]
    this = [(o, 0, 2000, this_year_o2 if o == "O2" else v) for o, _, _, v in STILL_WORLD]
    organisations = [(o, "HA", True) for o, *_ in STILL_WORLD]
    before = figures_of(1999, organisations, STILL_WORLD + last)
    after = figures_of(2000, organisations, last + this)
    published = published_of(full_year(before, method), full_year(after, method))
    return decompose_type(before=before, after=after, methods=(method, method), type_code="HA",
                          published=published).set_index("organisation")


def test_slipping_through_others_improvement_is_said_so():
    table = still_case()
    o1 = table.loc["O1"]
    assert (o1["band_before"], o1["band_after"]) == ("green", "yellow")
    assert o1["main_reason"] == decomposition.OTHERS
    assert o1["band_if_others_stood_still"] == "green"
    assert o1["others"] < 0 and abs(o1["own"]) < 0.3 * abs(o1["others"])
    assert o1["method"] == 0 and o1["corrections"] == 0
    o2 = table.loc["O2"]
    assert (o2["band_before"], o2["band_after"], o2["main_reason"]) == ("yellow", "green", decomposition.OWN)


def test_no_cut_off_gives_the_bands_only():
    """q = floor(0.2 x 4) = 0: no green, so no margin anywhere; the bands are still given."""
    table = still_case(green_share=0.2)
    assert not table["has_margin"].any()
    assert (table["no_margin_reason"] == decomposition.NO_CUTOFF).all()
    assert table["own"].isna().all() and (table["band_if_others_stood_still"] == "yellow").all()


def test_core_target_changes_say_whether_the_figure_or_the_threshold_moved():
    params = SchemeParameters(improvement_weight=0.0, value_added=False)
    last = method_of([indicator(0, core=5), indicator(1, core=5)], params)
    # A core target of trusts only is none of a health authority's.
    this = method_of([indicator(0, core=7), indicator(1, core=5), indicator(2, core=5, types=("TRUST",))], params)
    organisations = [("O1", "HA", True)]
    rows = [("O1", 0, 1999, 6), ("O1", 1, 1999, 6), ("O1", 0, 2000, 6), ("O1", 1, 2000, 4), ("O1", 2, 2000, 1)]
    changes = decomposition.core_target_changes(before=figures_of(1999, organisations, rows),
                                                after=figures_of(2000, organisations, rows),
                                                methods=(last, this), organisations=["O1"], type_code="HA")["O1"]
    assert [(c["indicator"], c["before"], c["after"], c["cause"]) for c in changes] == [
        (0, "met", "missed", "threshold"), (1, "met", "missed", "figure")]
    assert (changes[0]["threshold_before"], changes[0]["threshold_after"]) == (5, 7)
    assert (changes[1]["value_before"], changes[1]["value_after"]) == (6, 4)


def test_red_or_a_lost_candidacy_is_put_down_to_core_targets():
    published = Published("green", 0.1, "yellow", 0.2, True, False)
    bands = {c: "green" for c in COMBINATIONS}
    parts = {"own": -1.0, "others": 0.0, "method": 0.0, "corrections": 0.0}
    assert decomposition.main_reason(published=published, parts=parts, bands=bands) == decomposition.CORE_TARGETS
    assert decomposition.main_reason(published=replace(published, candidate_after=True, band_after="red"),
                                     parts=parts, bands=bands) == decomposition.CORE_TARGETS
    assert decomposition.main_reason(published=replace(published, candidate_after=True), parts=parts,
                                     bands=bands) == decomposition.OWN
    assert decomposition.main_reason(published=replace(published, band_after="green"), parts=parts,
                                     bands=bands) == ""


def test_two_methods_rate_a_type_alike_only_with_equal_parameters_and_definitions_of_its_indicators():
    params = SchemeParameters()
    base = method_of([indicator(0, core=5), indicator(1, types=("TRUST",))], params)
    assert decomposition.same_for_type(base, method_of([indicator(0, core=5), indicator(1, types=("TRUST",))],
                                                       params), "HA")
    # A trusts' indicator changed: the same method for health authorities, not for trusts.
    trusts_changed = method_of([indicator(0, core=5), indicator(1, weight=2.0, types=("TRUST",))], params)
    assert decomposition.same_for_type(base, trusts_changed, "HA")
    assert not decomposition.same_for_type(base, trusts_changed, "TRUST")
    assert not decomposition.same_for_type(base, method_of([indicator(0, core=6), indicator(1, types=("TRUST",))],
                                                           params), "HA")
    assert not decomposition.same_for_type(base, replace(base, params=replace(params, green_share=0.5)), "HA")


@SETTINGS
@given(two_years())
def test_outcomes_read_at_once_are_those_read_one_at_a_time(case):
    before, after, methods = case
    ratings = full_year(after, methods[1])
    organisations = sorted(set(after.organisations["organisation"])) + ["not there"]
    at_once = decomposition.outcomes_of(ratings, organisations)
    for organisation in organisations:
        one = decomposition.outcome_of(ratings, organisation)
        got = at_once[organisation]
        assert (got.band, got.candidate) == (one.band, one.candidate)
        for mine, theirs in ((got.score, one.score), (got.cutoff, one.cutoff)):
            assert (math.isnan(mine) and math.isnan(theirs)) or mine == theirs
