"""Band certainty and the significance of a band change
(`ratings.simulation`): the draws as the spec defines them, the spec's
invariants (noise to zero gives certainty 1 away from ties; the same seed
gives the same figures), chunks that combine to the whole, and the demo read
with what the draws need."""


import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from numpy.random import PCG64, Generator

from ratings import batch_engine, simulation
from ratings.engine import DOMAINS, EngineInputs, SchemeParameters

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MEASURES = {"P": ("proportion", 100.0), "R": ("rate", 1000.0), "X": ("other", np.nan)}


def make_inputs(*, year=2000, organisations, indicators, results, deprivation=()):
    """organisations: (key, type); indicators: dicts of `indicator_row`; results:
    (organisation, indicator, year, numerator, denominator) for a proportion or
    rate (value = multiplier x numerator / denominator) or (..., value) for other."""
    table = pd.DataFrame(indicators)
    multiplier = dict(zip(table["indicator"], table["multiplier"]))
    rows = []
    for row in results:
        if len(row) == 5:
            organisation, code, y, numerator, denominator = row
            value = multiplier[code] * numerator / denominator if denominator else np.nan
            rows.append((organisation, code, y, value, numerator, denominator))
        else:
            rows.append((*row, np.nan, np.nan))
    return EngineInputs(
        year=year,
        organisations=pd.DataFrame([(o[0], o[1], True) for o in organisations],
                                   columns=["organisation", "type", "active"]),
        indicators=table.drop(columns="types"),
        applicability=table[["indicator", "types"]].explode("types").rename(columns={"types": "type"}),
        results=pd.DataFrame(rows, columns=["organisation", "indicator", "year", "value", "numerator",
                                            "denominator"]).astype({"year": int}),
        deprivation=pd.DataFrame(list(deprivation), columns=["organisation", "year", "value"]).astype(
            {"value": float, "year": int}))


def indicator_row(code, measure="P", domain="quality", direction="higher_better", core=None, adjust=False,
                  types=("HA",)):
    kind, multiplier = MEASURES[measure]
    return dict(indicator=code, domain=domain, direction=direction, weight=1.0, adjust_for_deprivation=adjust,
                core_threshold=np.nan if core is None else core, measure=kind, multiplier=multiplier, types=types)


def small_world(denominator=1000, seed=0, year=2000):
    """Twelve health authorities, a proportion, a rate (core target) and an other indicator."""
    rng = np.random.default_rng(seed)
    organisations = [(f"H{i:02d}", "HA") for i in range(12)]
    indicators = [indicator_row("A", "P"), indicator_row("B", "R", domain="access", direction="lower_better",
                                                         core=55.0), indicator_row("C", "X", domain="efficiency")]
    results = []
    for o, _ in organisations:
        for y in (year - 2, year - 1, year):
            results.append((o, "A", y, float(rng.integers(denominator // 4, denominator * 3 // 4)), denominator))
            results.append((o, "B", y, float(rng.integers(denominator // 40, denominator // 10)), denominator))
            results.append((o, "C", y, float(rng.integers(0, 10))))
    return dict(organisations=organisations, indicators=indicators, results=results,
                deprivation=[(o, y, float(i)) for i, (o, _) in enumerate(organisations) for y in (year - 1, year)])


def counts_equal(a, b):
    assert a.keys() == b.keys()
    for code in a:
        assert a[code].draws == b[code].draws
        assert np.array_equal(a[code].bands, b[code].bands)
        assert np.array_equal(a[code].ranks, b[code].ranks)


def test_draw_k_is_the_kth_block_of_one_stream_jeffreys_beta_then_gamma_over_n():
    world = small_world()
    world["results"].append(("H00", "A", 1999, 0.0, 0.0))  # N = 0: not drawn
    world["results"] = [r for r in world["results"] if not (r[0] == "H00" and r[1] == "A" and r[2] == 1999
                                                           and r[4] != 0.0)]
    inputs = make_inputs(**world)
    inputs.results.loc[inputs.results["denominator"] == 0, "value"] = 50.0  # a value, but no sampling model
    rows = simulation.drawable_results(inputs)
    assert set(rows["measure"]) == {"proportion", "rate"}  # other: never drawn
    assert len(rows) == 12 * 2 * 2 - 1  # Y and Y-1 of A and B, less the N = 0 result
    arrays = batch_engine.type_arrays(inputs)["HA"]
    plan = simulation.draw_plan(rows, {("HA", 0): (arrays, 2000), ("HA", 1): (arrays, 1999)}, seed=7)
    ordered = rows.sort_values(["measure", "year", "organisation", "indicator"])  # proportion < rate
    proportion, rate = ordered[ordered["measure"] == "proportion"], ordered[ordered["measure"] == "rate"]
    drawn = simulation.draw_values(plan, range(3, 5))
    for row, k in enumerate(range(3, 5)):
        rng = Generator(PCG64(7).jumped(k))
        expected_p = 100 * rng.beta(proportion["numerator"] + 0.5,
                                    proportion["denominator"] - proportion["numerator"] + 0.5)
        expected_r = 1000 * rng.standard_gamma(rate["numerator"] + 0.5) / rate["denominator"]
        np.testing.assert_allclose(drawn[row], np.concatenate([expected_p, expected_r]), rtol=1e-14)
    # Means over many draws: (O + 1/2) / (N + 1) and (O + 1/2) / N.
    many = simulation.draw_values(plan, range(4000)).mean(axis=0)
    np.testing.assert_allclose(many[: len(proportion)], 100 * (proportion["numerator"] + 0.5)
                               / (proportion["denominator"] + 1), rtol=0.01)
    np.testing.assert_allclose(many[len(proportion):], 1000 * (rate["numerator"] + 0.5) / rate["denominator"],
                               rtol=0.02)


NOISY = make_inputs(**small_world(denominator=200))


@settings(max_examples=15, deadline=None)
@given(st.lists(st.integers(1, 59), unique=True, max_size=5), st.integers(0, 2**32))
def test_chunks_of_draws_combine_to_all_of_them(cuts, seed):
    inputs, params = NOISY, SchemeParameters(uncertainty_seed=seed)
    whole = simulation.certainty_counts(inputs, params, range(0, 60))
    bounds = [0, *sorted(cuts), 60]
    chunks = simulation.combine_counts(simulation.certainty_counts(inputs, params, range(a, b))
                                       for a, b in zip(bounds, bounds[1:]))
    counts_equal(whole, chunks)
    pd.testing.assert_frame_equal(simulation.certainty_table(inputs, params, whole),
                                  simulation.certainty_table(inputs, params, chunks))
    plan = simulation.draw_plan(simulation.drawable_results(inputs), {}, seed=seed)
    assert np.array_equal(simulation.draw_values(plan, range(0, 20))[5:12], simulation.draw_values(plan, range(5, 12)))
    # And the combined counts are of something: noisy, so not every draw gives the published band.
    table = simulation.certainty_table(inputs, params, whole)
    assert (table["certainty"] < 1).any() and (table["draws"] == 60).all()
    np.testing.assert_allclose(table[["p_green", "p_yellow", "p_red", "p_not_rated"]].sum(axis=1), 1.0)


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 2**32 - 2), st.randoms(use_true_random=False))
def test_the_same_seed_gives_the_same_figures_and_row_order_changes_nothing(seed, random):
    inputs = NOISY
    params = SchemeParameters(uncertainty_seed=seed)
    first = simulation.certainty_counts(inputs, params, range(30))
    counts_equal(first, simulation.certainty_counts(inputs, params, range(30)))
    shuffled = EngineInputs(**{**inputs.__dict__, "results": inputs.results.sample(
        frac=1, random_state=random.randrange(2**32))})
    counts_equal(first, simulation.certainty_counts(shuffled, params, range(30)))
    other_seed = simulation.certainty_counts(inputs, SchemeParameters(uncertainty_seed=seed + 1), range(30))
    assert not np.array_equal(first["HA"].ranks, other_seed["HA"].ranks)


@st.composite
def quiet_worlds(draw):
    """Figures far apart (no ties, no zero spread, even after the adjustment, no figure at a target) with
    denominators so large the noise is about 1e-6 of a score."""
    n = draw(st.integers(3, 14))
    organisations = [(f"H{i:02d}", "HA") for i in range(n)]
    indicators = []
    for i in range(draw(st.integers(1, 4))):
        indicators.append(indicator_row(
            f"I{i}", draw(st.sampled_from(["P", "R"])), domain=draw(st.sampled_from(DOMAINS)),
            direction=draw(st.sampled_from(["higher_better", "lower_better"])), adjust=draw(st.booleans()),
            # Between two grid points: no figure can sit on the target.
            core=draw(st.one_of(st.none(), st.integers(1, n).map(lambda k: (k + 0.5) / (n + 2))))))
    for row in indicators:
        if not np.isnan(row["core_threshold"]):
            row["core_threshold"] *= row["multiplier"]
    big = 1e12
    results = []
    for row in indicators:
        level = draw(st.permutations(range(n)))
        change = draw(st.permutations(range(n)))
        missing = draw(st.sets(st.integers(0, n - 1), max_size=n // 3))
        for i, (o, _) in enumerate(organisations):
            if i in missing:
                continue
            p = (level[i] + 1) / (n + 2)
            results.append((o, row["indicator"], 2000, p * big, big))
            results.append((o, row["indicator"], 1999, (p - (change[i] + 1) / (10 * (n + 2))) * big, big))
    deprivation = [(o, 2000, float(draw(st.integers(0, 30)))) for o, _ in organisations]
    # An adjusted indicator whose figures of a year lie exactly on a line in deprivation has no spread
    # left after the adjustment: the published rating scores it 0 for all (step 4: zero spread), while
    # any noise, however small, gives it a spread of its own and z-scores of order 1 (found by
    # hypothesis: three authorities, values 20, 40, 60 at deprivation 0, 10, 20). Not a quiet world.
    by_organisation = {o: d for o, _, d in deprivation}
    for row in indicators:
        for year in (1999, 2000):
            figures = [(by_organisation[o], numerator / denominator) for o, code, at, numerator, denominator
                       in results if code == row["indicator"] and at == year]
            if row["adjust_for_deprivation"] and len(figures) >= 3:
                x, y = np.array(figures).T
                if np.ptp(x) > 0:
                    residual = y - np.polyval(np.polyfit(x, y, 1), x)
                    assume(np.std(residual) > 1e-3 * np.std(y))
    params = SchemeParameters(green_share=draw(st.sampled_from([0.25, 0.5])),
                              improvement_weight=draw(st.sampled_from([0.0, 0.25])),
                              missing_core_data=draw(st.sampled_from(["failure", "not_green"])),
                              red_core_failures=draw(st.integers(1, 2)), uncertainty_seed=draw(st.integers(0, 99)))
    return make_inputs(organisations=organisations, indicators=indicators, results=results,
                       deprivation=deprivation), params


@SETTINGS
@given(quiet_worlds())
def test_noise_to_zero_gives_certainty_one_away_from_ties(case):
    inputs, params = case
    table = simulation.certainty_table(inputs, params, simulation.certainty_counts(inputs, params, range(40)))
    published = batch_engine.rate_batch(batch_engine.type_arrays(inputs)["HA"], params)
    margin, score, rank = published.margin[0], published.score[0], published.rank[0]
    rated = table["band"].to_numpy() != "not_rated"
    away = rated & ~(np.abs(margin) <= 1e-3)  # NaN: no cut-off, nothing to be tied at
    assert (table.loc[away, "certainty"] == 1.0).all()
    assert (table.loc[away, "words"].str.startswith("very likely")).all()
    alone = np.zeros(len(score), dtype=bool)  # no other rated score within 1e-3: its rank cannot move
    for i in np.flatnonzero(rated):
        alone[i] = np.all(np.abs(np.delete(score, i)[np.delete(rated, i)] - score[i]) > 1e-3)
    assert (table.loc[alone, "rank_low"].to_numpy() == rank[alone]).all()
    assert (table.loc[alone, "rank_high"].to_numpy() == rank[alone]).all()


@given(st.lists(st.lists(st.integers(0, 30), min_size=1, max_size=300), min_size=1, max_size=5),
       st.sampled_from([1, 7, 10_000]))
def test_the_rank_interval_is_the_inverted_cdf_percentile_of_each_organisations_ranked_draws(columns, block):
    draws = max(map(len, columns))
    ranks = np.zeros((draws, len(columns)), dtype=np.int16)  # 0: a draw that did not rank it
    for organisation, column in enumerate(columns):
        ranks[: len(column), organisation] = column
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(simulation, "RANK_SORT_ELEMENTS", block * draws)  # blocks of 1, 7 or all organisations
        found = simulation.rank_percentiles(ranks, simulation.RANK_INTERVAL_PER_MILLE)
    for organisation, column in enumerate(columns):
        ranked = sorted(r for r in column if r > 0)
        for row, per_mille in enumerate(simulation.RANK_INTERVAL_PER_MILLE):
            if not ranked:
                assert np.isnan(found[row, organisation])
                continue
            expected = ranked[-(-per_mille * len(ranked) // 1000) - 1]  # the ceil(p k)-th smallest
            assert found[row, organisation] == expected
            if (per_mille * len(ranked)) % 1000:  # off the boundary, float percentiles agree
                assert expected == np.percentile(ranked, per_mille / 10, method="inverted_cdf")


def test_the_ranks_kept_take_two_bytes_a_draw_and_organisation_whatever_their_spread():
    counts = simulation.certainty_counts(NOISY, SchemeParameters(), range(30))["HA"]
    assert counts.ranks.shape == (30, len(counts.organisations)) and counts.ranks.dtype == np.int16
    assert simulation.rank_type(32_767) is np.int16 and simulation.rank_type(32_768) is np.int32


def test_certainty_words():
    words = simulation.certainty_words
    assert words("green", {"green": 0.95, "yellow": 0.05}) == "very likely green"
    assert words("green", {"green": 0.9499, "yellow": 0.0501}) == "likely green"
    assert words("red", {"red": 0.80, "yellow": 0.20}) == "likely red"
    assert words("yellow", {"yellow": 0.5, "green": 0.2, "red": 0.3}) == "uncertain: yellow, could be green or red"
    assert words("yellow", {"yellow": 0.6, "green": 0.19, "red": 0.21}) == "uncertain: yellow, could be red"
    assert words("yellow", {"yellow": 0.62, "green": 0.19, "red": 0.19}) == "uncertain: yellow"
    assert words("green", {"green": 0.7, "not_rated": 0.3}) == "uncertain: green, could be not rated"


def test_a_real_change_is_a_drawn_move_the_same_way_with_both_years_rated():
    r, y, g, n = (simulation.RED_CODE, simulation.YELLOW_CODE, simulation.GREEN_CODE, simulation.NOT_RATED_CODE)
    before = np.array([r, r, r, g, g, g, y])
    after = np.array([g, g, g, y, y, y, g])
    drawn_before = np.array([r, y, n, g, y, y, y])
    drawn_after = np.array([y, y, g, r, r, n, g])
    assert list(simulation.real_change(before, after, drawn_before, drawn_after)) == [
        True, False, False, True, True, False, True]


def two_years(denominator):
    """Y-1 and Y inputs of one world, with H00 red in Y-1 (its rate far over the target) and well below it in Y."""
    world = small_world(denominator=denominator)
    results = [r for r in world["results"] if not (r[0] == "H00" and r[1] == "B" and r[2] >= 1999)]
    results += [("H00", "B", 1999, denominator * 0.5, denominator), ("H00", "B", 2000, denominator * 0.01,
                                                                     denominator)]
    world["results"] = results
    before = make_inputs(**{**world, "results": [r for r in results if r[2] <= 1999]}, year=1999)
    after = make_inputs(**{**world, "results": [r for r in results if r[2] >= 1999]}, year=2000)
    return before, after


def test_a_band_change_far_beyond_the_noise_is_real_and_y_minus_1_is_drawn_once():
    before, after = two_years(denominator=100_000)
    params = SchemeParameters(red_core_failures=1)
    counts = simulation.combine_change_counts([simulation.change_counts(before, params, after, params, range(0, 15)),
                                              simulation.change_counts(before, params, after, params, range(15, 30))])
    whole = simulation.change_counts(before, params, after, params, range(30))
    assert np.array_equal(counts["HA"].real, whole["HA"].real)
    table = simulation.change_table(counts).set_index("organisation")
    assert table.loc["H00", "band_before"] == "red" and table.loc["H00", "band"] != "red"
    assert table.loc["H00", "p_real"] == 1.0 and table.loc["H00", "words"] == "a real change"
    assert (table["draws"] == 30).all() and ((table["p_real"] >= 0) & (table["p_real"] <= 1)).all()
    assert set(table["words"]) <= {"a real change", "could be chance"}
    # Y-1's results are one set of draws, placed into both years' arrays.
    rows = pd.concat([simulation.drawable_results(after), simulation.drawable_results(before)])
    a, b = batch_engine.type_arrays(after)["HA"], batch_engine.type_arrays(before)["HA"]
    plan = simulation.draw_plan(rows, {"after": (a, 1999), "before": (b, 1999)}, seed=1)
    assert plan.size == len(rows.drop_duplicates(["year", "organisation", "indicator"]))
    assert np.array_equal(plan.places["after"][0], plan.places["before"][0])


def test_with_few_cases_a_small_change_could_be_chance():
    before, after = two_years(denominator=40)
    params = SchemeParameters(red_core_failures=1)
    table = simulation.change_table(simulation.change_counts(before, params, after, params, range(200)))
    assert (table["p_real"] < 0.95).any() and (table["words"] == "could be chance").any()


@pytest.fixture
def demo_inputs(loaded_demo):
    from ratings.inputs import load_engine_inputs

    return load_engine_inputs(year=2000, type_codes=["HA", "TRUST", "PCG"], deprivation_code="DEPRIVATION")


def test_the_demo_is_read_with_what_the_draws_need_and_gives_certainty(demo_inputs):
    inputs = demo_inputs
    assert set(inputs.indicators["measure"]) >= {"proportion", "rate"}
    drawable = simulation.drawable_results(inputs)
    assert len(drawable) > len(inputs.results) / 3
    fixed = inputs.results.merge(inputs.indicators[["indicator", "measure", "multiplier"]], on="indicator")
    fixed = fixed[fixed["measure"].isin(["proportion", "rate"]) & fixed["denominator"].gt(0)]
    # The demo's values are multiplier x numerator / denominator (to its rounding).
    np.testing.assert_allclose(fixed["value"], fixed["multiplier"] * fixed["numerator"] / fixed["denominator"],
                               rtol=0.01, atol=0.5)  # some are whole numbers
    params = SchemeParameters()
    table = simulation.certainty_table(inputs, params, simulation.certainty_counts(inputs, params, range(20)))
    rated = table[table["band"] != "not_rated"]
    assert set(table["type"]) == {"HA", "TRUST", "PCG"} and len(rated) > 500
    assert rated["certainty"].between(0, 1).all() and (rated["rank_low"] <= rated["rank_high"]).all()
