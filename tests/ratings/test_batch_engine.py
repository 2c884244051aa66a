"""The batched engine against the engine: for one array of the reported
figures, the same bands, ranks and candidate positions exactly and the same
scores within 1e-9, on random inputs (no database) and on every year and
type of the demo."""


import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ratings import batch_engine
from ratings.engine import DOMAINS, SchemeParameters, rate

from .engine_inputs import indicator, make_inputs

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_same_as_engine(inputs, params):
    """Every type's batched ratings (one draw: the reported figures) equal the engine's."""
    engine = rate(inputs, params).ratings
    arrays = batch_engine.type_arrays(inputs)
    compared = 0
    for type_code, of_type in arrays.items():
        batch = batch_engine.rate_batch(of_type, params)
        expected = engine[engine["type"] == type_code].set_index("organisation")
        rows = np.searchsorted(of_type.organisations, expected.index.to_numpy())
        assert (of_type.organisations[rows] == expected.index.to_numpy()).all()
        assert not (batch.band[0, np.flatnonzero(~of_type.active)]).any()  # closed: not rated
        band = np.array(batch_engine.BAND_NAMES)[batch.band[0, rows]]
        assert list(band) == list(expected["band"]), type_code
        for name, column in (("score", "score"), ("level", "level"), ("improvement", "improvement"),
                             ("margin", "gap_to_green")):
            np.testing.assert_allclose(getattr(batch, name)[0, rows], expected[column].to_numpy(dtype=float),
                                       rtol=0, atol=1e-9, err_msg=f"{type_code} {name}")
        rated = expected["band"].to_numpy() != "not_rated"
        for name, column in (("rank", "rank"), ("candidate_position", "candidate_position"),
                             ("failures", "core_failures"), ("missing_core", "missing_core")):
            assert list(getattr(batch, name)[0, rows][rated]) == list(expected[column].fillna(0).astype(int)[rated]), (
                type_code, name)
        assert list(batch.improvement_measured[0, rows][rated]) == list(expected["improvement_measured"][rated])
        if rated.any():
            first = expected[rated].iloc[0]
            assert batch.quota[0] == first["green_quota"] and batch.candidates[0] == first["green_candidates"]
            np.testing.assert_allclose(batch.cutoff[0], float(first["green_cutoff"]), rtol=0, atol=1e-9)
        compared += len(expected)
    assert compared == len(engine)


# Values on a coarse grid, so that ties and zero spreads are common.
GRID = st.integers(0, 8).map(lambda i: i / 4)


@st.composite
def worlds(draw):
    types = ("HA", "TRUST")
    organisations = [(f"{t}{i:02d}", t, draw(st.booleans()) or i < 2)
                     for t in types for i in range(draw(st.integers(1, 12)))]
    indicators = []
    for i in range(draw(st.integers(1, 6))):
        indicators.append(indicator(
            f"I{i}", domain=draw(st.sampled_from(DOMAINS)),
            direction=draw(st.sampled_from(["higher_better", "lower_better"])),
            weight=draw(st.sampled_from([0.5, 1.0, 2.0])), adjust=draw(st.booleans()),
            core=draw(st.one_of(st.none(), GRID)),
            types=draw(st.sampled_from([types, ("HA",), ("TRUST",)]))))
    value = st.one_of(st.none(), GRID, st.floats(0, 2, allow_nan=False).map(lambda v: round(v, 3)))
    constant = draw(st.sets(st.sampled_from([i["indicator"] for i in indicators])))  # zero spread
    results, deprivation = [], []
    for name, *_ in organisations:
        for year in (1999, 2000):
            for ind in indicators:
                v = draw(value)
                if v is not None:
                    results.append((name, ind["indicator"], year, 1.0 if ind["indicator"] in constant else v))
            d = draw(st.one_of(st.none(), st.integers(0, 40).map(float)))
            if d is not None:
                deprivation.append((name, year, d))
    params = SchemeParameters(
        green_share=draw(st.sampled_from([0.1, 0.25, 0.5, 1.0])), red_core_failures=draw(st.integers(1, 3)),
        improvement_weight=draw(st.sampled_from([0.0, 0.25, 1.0])), value_added=draw(st.booleans()),
        min_coverage=draw(st.sampled_from([0.25, 0.5, 1.0])), clip_z=draw(st.sampled_from([1.0, 3.0])),
        missing_core_data=draw(st.sampled_from(["failure", "not_green"])),
        domain_weights=draw(st.sampled_from([{}, {"quality": 2.0, "access": 0.0}])))
    return make_inputs(organisations=organisations, indicators=indicators, results=results,
                       deprivation=deprivation), params


@SETTINGS
@given(worlds())
def test_one_draw_of_the_reported_figures_is_the_engine(case):
    inputs, params = case
    assert_same_as_engine(inputs, params)


def test_ties_at_the_cut_off_are_green_and_share_the_lower_rank():
    organisations = [(f"H{i}", "HA") for i in range(8)]
    values = [9.0, 7.0, 7.0, 7.0, 5.0, 3.0, 1.0, 0.0]
    inputs = make_inputs(organisations=organisations, indicators=[indicator("A")],
                         results=[(o[0], "A", 2000, v) for o, v in zip(organisations, values)])
    params = SchemeParameters(improvement_weight=0.0)
    batch = batch_engine.rate_batch(batch_engine.type_arrays(inputs)["HA"], params)
    assert batch.quota[0] == 2
    assert list(np.array(batch_engine.BAND_NAMES)[batch.band[0]]) == ["green"] * 4 + ["yellow"] * 4
    assert list(batch.rank[0]) == [1, 2, 2, 2, 5, 6, 7, 8]
    assert_same_as_engine(inputs, params)


def test_arrays_of_a_call_are_rated_each_on_its_own():
    """B arbitrary arrays (here the reported figures and a copy with one
    organisation's swapped) give what each gives alone."""
    organisations = [(f"H{i}", "HA") for i in range(6)]
    inputs = make_inputs(organisations=organisations, indicators=[indicator("A"), indicator("B", core=2.0)],
                         results=[(o[0], c, y, float(i + (c == "B")))
                                  for i, o in enumerate(organisations) for c in "AB" for y in (1999, 2000)])
    arrays = batch_engine.type_arrays(inputs)["HA"]
    swapped = arrays.values.copy()
    swapped[[0, 5]] = swapped[[5, 0]]
    params = SchemeParameters()
    both = batch_engine.rate_batch(arrays, params, np.stack([arrays.values, swapped]), arrays.previous)
    alone = batch_engine.rate_batch(arrays, params, swapped[None], arrays.previous[None])
    assert list(both.band[0]) == list(batch_engine.rate_batch(arrays, params).band[0])
    assert list(both.band[1]) == list(alone.band[0]) and list(both.rank[1]) == list(alone.rank[0])
    assert list(both.band[0]) != list(both.band[1])


@pytest.fixture
def demo_inputs(loaded_demo):
    """Every demo year's engine inputs."""
    from indicators.models import OrganisationType, Result
    from ratings.inputs import load_engine_inputs

    types = list(OrganisationType.objects.values_list("code", flat=True))
    years = sorted(set(Result.objects.values_list("year", flat=True)))
    return {year: load_engine_inputs(year=year, type_codes=types, deprivation_code="DEPRIVATION")
            for year in years}


def test_every_demo_year_and_type_is_the_engine(demo_inputs):
    assert len(demo_inputs) >= 4
    for year, inputs in demo_inputs.items():
        for params in (SchemeParameters(), SchemeParameters(missing_core_data="not_green", value_added=False)):
            assert_same_as_engine(inputs, params)
