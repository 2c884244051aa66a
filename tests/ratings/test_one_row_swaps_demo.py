"""One-row swaps rated from the updated sums against the full batched engine
for every demo organisation: each year with a published year before it, each
type, under either year's method, either way round (the four "own figures"
combinations of the decomposition)."""

import io

import numpy as np
import pytest
from django.core.management import call_command

from indicators.models import OrganisationType
from ratings import actions, batch_engine, change_explanations, decomposition, one_row_swaps
from ratings.actions.schemes import checked_scheme
from ratings.inputs import load_engine_inputs, run_method

YEARS = (1997, 1998, 1999, 2000)


@pytest.fixture
def demo(db):
    call_command("load_demo", "fixtures/demo", stdout=io.StringIO())
    for year in YEARS[:-1]:
        actions.recalculate(year=year, publish=True)


def test_every_demo_organisations_swaps_rate_as_the_full_engine_rates_them(demo):
    types = sorted(OrganisationType.objects.values_list("code", flat=True))
    checked = exact = 0
    for year in YEARS[1:]:
        params = checked_scheme(year).parameters()
        inputs = load_engine_inputs(year=year, type_codes=types, deprivation_code=params.deprivation_indicator)
        previous = change_explanations.load_previous(year=year, inputs=inputs, params=params, type_codes=types)
        this_method = decomposition.Method(params=params, indicators=inputs.indicators,
                                           applicability=inputs.applicability)
        for type_code, run in sorted(previous.runs.items()):
            for method in (run_method(run), this_method):
                arrays = [batch_engine.type_arrays(decomposition.combination_inputs(
                    own=state, others=state, method=method, organisation=None, year=year,
                    type_code=type_code))[type_code] for state in previous.figures]
                for base, own in (arrays, arrays[::-1]):
                    rows = np.flatnonzero(base.active == own.active)
                    organisations = list(base.organisations[rows])
                    fast = one_row_swaps.SwapRater(base, method.params).rate(own, rows)
                    slow = decomposition.rate_swapped_copies(base, own, rows, organisations, method.params)
                    for i, organisation in enumerate(organisations):
                        checked += 1
                        if not fast.exact[i]:
                            continue
                        exact += 1
                        wanted = slow[organisation]
                        assert batch_engine.BAND_NAMES[fast.band[i]] == wanted.band, (year, organisation)
                        assert bool(fast.candidate[i]) == wanted.candidate
                        np.testing.assert_allclose([fast.score[i], fast.cutoff[i]], [wanted.score, wanted.cutoff],
                                                   rtol=0, atol=1e-9)
    # Every demo organisation is swapped, and the sums decide nearly every swap themselves.
    assert checked > 1000
    assert exact >= 0.95 * checked, (exact, checked)
