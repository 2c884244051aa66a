"""One-row swaps rated from the base's updated sums (`ratings.one_row_swaps`)
against the reference, the full batched engine rating a whole copy of the
figures per swap (`decomposition.rate_swapped_copies`). No database."""

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ratings import batch_engine, decomposition, one_row_swaps
from ratings.batch_engine import TypeArrays
from ratings.engine import DOMAINS, SchemeParameters

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def type_arrays(rng, organisations, indicators, *, missing=0.1, integers=False, tails=1.0, inactive=0.0):
    """Two years' arrays of one type (base and own: the same organisations, other figures)."""
    domain = np.sort(rng.integers(0, len(DOMAINS), indicators))
    sign = rng.choice([-1.0, 1.0], indicators)
    # Core targets most organisations meet (a figure is about N(0, 1)), so that there are candidates.
    threshold = np.where(rng.random(indicators) < 0.4, -sign * rng.uniform(0.5, 2.0, indicators), np.nan)

    def figures():
        values = rng.standard_t(tails * 10, (organisations, indicators)) if not integers else \
            rng.integers(0, 4, (organisations, indicators)).astype(float)
        values[rng.random(values.shape) < missing] = np.nan
        return values

    def year():
        deprivation = rng.uniform(0, 50, organisations)
        deprivation[rng.random(organisations) < missing] = np.nan
        return figures(), figures(), deprivation

    active = rng.random(organisations) >= inactive
    common = dict(type_code="HA", organisations=np.arange(organisations), active=active,
                  indicators=np.arange(indicators), sign=sign,
                  weight=rng.choice([0.5, 1.0, 2.0], indicators), domain=domain, core_threshold=threshold,
                  adjust=rng.random(indicators) < 0.5)
    return [TypeArrays(**common, values=v, previous=p, deprivation=d) for v, p, d in (year(), year())]


def parameters(rng):
    return SchemeParameters(
        green_share=float(rng.choice([0.25, 0.5, 1.0])), red_core_failures=int(rng.integers(1, 4)),
        improvement_weight=float(rng.choice([0.0, 0.25, 1.0])), value_added=bool(rng.random() < 0.7),
        min_coverage=float(rng.choice([0.25, 0.5, 1.0])), clip_z=float(rng.choice([1.0, 3.0])),
        missing_core_data=str(rng.choice(["failure", "not_green"])))


def compare(base, own, params):
    """Every exact swap's outcome is the reference's; returns how many were exact."""
    rows = np.arange(len(base.organisations))
    fast = one_row_swaps.SwapRater(base, params).rate(own, rows)
    slow = decomposition.rate_swapped_copies(base, own, rows, list(rows), params)
    for row in np.flatnonzero(fast.exact):
        wanted = slow[row]
        assert batch_engine.BAND_NAMES[fast.band[row]] == wanted.band, row
        assert bool(fast.candidate[row]) == wanted.candidate, row
        for mine, theirs in ((fast.score[row], wanted.score), (fast.cutoff[row], wanted.cutoff)):
            assert (math.isnan(mine) and math.isnan(theirs)) or abs(mine - theirs) <= 1e-9, (row, mine, theirs)
    return int(fast.exact.sum())


@SETTINGS
@given(st.integers(0, 2 ** 32 - 1), st.integers(3, 60), st.integers(1, 7), st.booleans(), st.booleans())
def test_every_exact_swap_rates_as_the_full_engine_rates_its_copy(seed, organisations, indicators, integers,
                                                                  heavy_tails):
    """Random figures (ties, missing figures, flat indicators, closed
    organisations, heavy tails that reach the clip), random parameters,
    either way round."""
    rng = np.random.default_rng(seed)
    base, own = type_arrays(rng, organisations, indicators, integers=integers, tails=0.2 if heavy_tails else 1.0,
                            inactive=0.1)
    own = TypeArrays(**{**own.__dict__, "active": base.active})  # a change of `active` is rated apart
    compare(base, own, parameters(rng))


@pytest.mark.parametrize("seed", range(6))
def test_continuous_figures_are_all_rated_from_the_sums(seed):
    """On continuous figures of a few hundred organisations no swap is left
    to the full engine, and the clip corrections are exercised (clip_z = 1)."""
    rng = np.random.default_rng(seed)
    base, own = type_arrays(rng, 300, 12, missing=0.05)
    params = SchemeParameters(clip_z=1.0 if seed % 2 else 3.0, value_added=True,
                              improvement_weight=0.25 * (seed % 3))
    rater = one_row_swaps.SwapRater(base, params)
    assert sum(rows.size for _, rows, _ in rater.near) > 0
    assert compare(base, own, params) == 300


def test_a_swap_the_sums_cannot_decide_goes_to_the_full_engine():
    """An indicator all of whose base figures are equal but the swapped
    organisation's: its spread after the swap is zero, which the updated sums
    can only approach. The swap is left to the full engine, and
    `rate_swapped` still gives the engine's outcome."""
    rng = np.random.default_rng(1)
    base, own = type_arrays(rng, 20, 3, missing=0.0)
    params = SchemeParameters(value_added=False)
    base.values[:, 0] = 5.0
    base.values[7, 0] = 9.0
    own.values[:, 0] = base.values[:, 0]
    own.values[7, 0] = 5.0
    own = TypeArrays(**{**own.__dict__, "active": base.active})
    rated = one_row_swaps.SwapRater(base, params).rate(own, np.array([7, 8]))
    assert rated.exact.tolist() == [False, True]
    outcomes = decomposition.rate_swapped(base=base, own=own, organisations=[7, 8], params=params)
    reference = decomposition.rate_swapped_copies(base, own, np.array([7, 8]), [7, 8], params)
    assert outcomes[7] == reference[7]  # the same computation
    assert outcomes[8].band == reference[8].band and abs(outcomes[8].score - reference[8].score) <= 1e-9
