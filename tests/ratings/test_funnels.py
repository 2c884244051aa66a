"""Funnel limits (spec: "Funnel limits, per indicator with a measure"), fitted
(`funnel_fit`) and as stored (`funnels`): small examples worked by hand, and
the properties the method promises. No database."""

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ratings import funnel_fit, funnels
from ratings.funnels import Classification, Funnel

WITHIN, BETTER, WORSE = Classification.WITHIN, Classification.BETTER, Classification.WORSE
MUCH_BETTER, MUCH_WORSE = Classification.MUCH_BETTER, Classification.MUCH_WORSE


def test_a_proportion_worked_by_hand():
    # O = 10, 20, 30, 60 of N = 100 each: p0 = 120 / 400 = 0.3; s = √(0.3·0.7/100) = √0.0021 for all,
    # so z = (−0.2, −0.1, 0, 0.3)/s = (−2a, −a, 0, 3a) with a = 0.1/s, a² = 0.01/0.0021 = 100/21.
    fitted = funnel_fit.fit([10, 20, 30, 60], [100] * 4, measure="proportion", multiplier=100,
                         direction="higher_better")
    a = 0.1 / math.sqrt(0.0021)
    assert fitted.z == pytest.approx([-2 * a, -a, 0, 3 * a])
    # Winsorised at the 10th and 90th percentiles (linear: order statistics 0.3 and 2.7 from 0):
    # −2a + 0.3a = −1.7a and 0 + 0.7·3a = 2.1a; φ = (1.7² + 1 + 0 + 2.1²)a²/4 = 8.3a²/4.
    phi = 8.3 * (100 / 21) / 4
    funnel = fitted.funnel
    assert funnel.p0 == pytest.approx(0.3) and funnel.target == pytest.approx(30)
    assert funnel.phi == pytest.approx(phi)
    # Iφ = 39.52 > I − 1 = 3; every w = 1/0.0021, so Σw − Σw²/Σw = 4w − w = 3w:
    # τ² = (4φ − 3)·0.0021/3.
    assert funnel.tau2 == pytest.approx((4 * phi - 3) * 0.0021 / 3)
    assert (funnel.organisations, funnel.numerator, funnel.denominator) == (4, 120, 400)
    # The limits at N = 100: 30 ± z·√(0.0021 + τ²)·100; that much overdispersion holds every organisation.
    spread = math.sqrt(0.0021 + funnel.tau2)
    assert funnel.limits(100, funnels.Z_95) == pytest.approx(((0.3 - 1.96 * spread) * 100, (0.3 + 1.96 * spread) * 100))
    assert funnel.limits(100, funnels.Z_998) == pytest.approx(((0.3 - 3.09 * spread) * 100, (0.3 + 3.09 * spread) * 100))
    assert fitted.classification.tolist() == [WITHIN] * 4


def test_a_rate_worked_by_hand_with_organisations_beyond_each_limit():
    # O = 50, 50, 50, 50, 100 per N = 10,000: p0 = 300/50,000 = 0.006; s² = 0.006/10,000 = 6e-7;
    # z = −0.001/s (four times) and 0.004/s: a = 0.001/s, a² = 1e-6/6e-7 = 5/3; z = (−a ×4, 4a).
    fitted = funnel_fit.fit([50, 50, 50, 50, 100], [10_000] * 5, measure="rate", multiplier=100_000,
                         direction="higher_better")
    # Percentiles (linear): 10th at order statistic 0.4 = −a; 90th at 3.6 = −a + 0.6·5a = 2a.
    # φ = (4a² + 4a²)/5 = 8a²/5 = 8/3; Iφ = 13.3 > 4; Σw − Σw²/Σw = 5w − w = 4w, w = 1/6e-7:
    # τ² = (5φ − 4)·6e-7/4 = (28/3)·1.5e-7 = 1.4e-6.
    funnel = fitted.funnel
    assert funnel.phi == pytest.approx(8 / 3)
    assert funnel.tau2 == pytest.approx(1.4e-6)
    # √(s² + τ²) = √(6e-7 + 1.4e-6) = √2e-6: the fifth is 0.004/√2e-6 = 2.83 above (beyond 95%, not 99.8%);
    # the others −0.001/√2e-6 = −0.71 (within).
    assert fitted.classification.tolist() == [WITHIN] * 4 + [BETTER]
    lower = funnel_fit.fit([50, 50, 50, 50, 100], [10_000] * 5, measure="rate", multiplier=100_000,
                        direction="lower_better")
    assert lower.classification.tolist() == [WITHIN] * 4 + [WORSE]
    assert funnel.limits(10_000, funnels.Z_95) == pytest.approx(
        ((0.006 - 1.96 * math.sqrt(2e-6)) * 1e5, (0.006 + 1.96 * math.sqrt(2e-6)) * 1e5))


def test_without_overdispersion_the_limits_are_the_binomial_ones_and_far_figures_are_much_better_or_worse():
    # p0 = 1500/5000 = 0.3; z of the three middle ones 0 and of the ends ±0.05/√(0.21/1000) = ±3.45:
    # winsorising at the 10th and 90th percentiles (order statistics 0.4 and 3.6) takes the ends to
    # ±0.6·3.45 = ±2.07; φ = 2·2.07²/5 = 1.71, above (I − 1)/I = 0.8: τ² = (5φ − 4)·0.00021/4 = 0.00024.
    fitted = funnel_fit.fit([250, 300, 300, 300, 350], [1000] * 5, measure="proportion", multiplier=100,
                         direction="higher_better")
    z_end = 0.05 / math.sqrt(0.21 / 1000)
    phi = 2 * (0.6 * z_end) ** 2 / 5
    assert fitted.funnel.phi == pytest.approx(phi)
    assert fitted.funnel.tau2 == pytest.approx((5 * phi - 4) * (0.21 / 1000) / 4)
    # The ends at ±0.05 are ±0.05/√(0.00021 + 0.00024) = ±2.36: beyond 95%, within 99.8%.
    assert fitted.funnel.tau2 == pytest.approx(0.00024, rel=0.01)
    assert fitted.classification.tolist() == [WORSE, WITHIN, WITHIN, WITHIN, BETTER]
    # Identical figures: no spread at all.
    flat = funnel_fit.fit([30, 60, 90], [100, 200, 300], measure="proportion", multiplier=100, direction="higher_better")
    assert (flat.funnel.phi, flat.funnel.tau2) == (0, 0)
    assert flat.funnel.limits(100, funnels.Z_95) == pytest.approx(
        (30 - 196 * math.sqrt(0.0021), 30 + 196 * math.sqrt(0.0021)))
    # Beyond 99.8% with no overdispersion: 3 organisations at 0.3, one far above, binomial limits.
    strict = Funnel(measure="proportion", multiplier=100, direction="higher_better", p0=0.3, phi=0, tau2=0,
                    organisations=4, numerator=0, denominator=0)
    assert strict.classify(300 + 3.1 * math.sqrt(210), 1000) == MUCH_BETTER  # z = 3.1
    assert strict.classify(300 + 3.0 * math.sqrt(210), 1000) == BETTER  # z = 3.0
    assert strict.classify(300 - 2.0 * math.sqrt(210), 1000) == WORSE
    assert strict.classify(300 - 1.9 * math.sqrt(210), 1000) == WITHIN
    assert strict.classify(300 - 3.2 * math.sqrt(210), 1000) == MUCH_WORSE


def test_organisations_without_counts_or_with_no_denominator_are_left_out():
    with_gaps = funnel_fit.fit([10, np.nan, 20, 5, 7], [100, 100, np.nan, 0, 50], measure="proportion",
                            multiplier=100, direction="higher_better")
    alone = funnel_fit.fit([10, 7], [100, 50], measure="proportion", multiplier=100, direction="higher_better")
    assert with_gaps.funnel == alone.funnel
    assert with_gaps.funnel.organisations == 2 and with_gaps.funnel.p0 == pytest.approx(17 / 150)
    assert with_gaps.included.tolist() == [True, False, False, False, True]
    assert np.isnan(with_gaps.z[1:4]).all() and np.isnan(with_gaps.classification[1:4]).all()
    nobody = funnel_fit.fit([np.nan], [0], measure="rate", multiplier=1000, direction="lower_better")
    assert nobody.funnel is None and np.isnan(nobody.classification).all()


def test_a_proportion_of_zero_has_no_spread_and_a_measure_with_no_sampling_model_is_refused():
    none = funnel_fit.fit([0, 0, 0], [10, 20, 30], measure="proportion", multiplier=100, direction="lower_better")
    assert (none.funnel.p0, none.funnel.phi, none.funnel.tau2) == (0, 0, 0)
    assert none.classification.tolist() == [WITHIN] * 3 and none.z.tolist() == [0, 0, 0]
    with pytest.raises(ValueError, match="no sampling model"):
        funnel_fit.fit([1], [2], measure="other", multiplier=1, direction="higher_better")


def test_the_curve_for_drawing_stays_within_what_the_measure_can_be():
    funnel = Funnel(measure="proportion", multiplier=100, direction="higher_better", p0=0.9, phi=0, tau2=0.01,
                    organisations=3, numerator=0, denominator=0)
    lower, upper = funnels.limit_curve(funnel, [1, 10, 1000], funnels.Z_998)
    assert max(upper) <= 100 and min(lower) >= 0 and upper[0] == 100
    assert lower[2] == pytest.approx(funnel.limits(1000, funnels.Z_998)[0])  # 90 - 3.09·√(0.09/1000 + 0.01)·100


def test_classification_words():
    assert [c.words for c in sorted(Classification)] == [
        "much worse than expected", "worse than expected", "within the expected range", "better than expected",
        "much better than expected"]
    assert not WITHIN.beyond and BETTER.beyond and MUCH_WORSE.beyond


def test_stored_and_read_back():
    funnel = funnel_fit.fit([3, 4, 9], [10, 20, 30], measure="rate", multiplier=1000, direction="lower_better").funnel
    assert Funnel.from_dict(funnel.as_dict()) == funnel


# Properties ---------------------------------------------------------------

denominators = st.lists(st.integers(min_value=200, max_value=200_000), min_size=3, max_size=40)


@settings(max_examples=150, deadline=None)
@given(denominators, st.floats(0.05, 0.95), st.data())
def test_no_overdispersion_when_every_z_is_small(sizes, p, data):
    # Each O within a quarter of a standard error of N·p (then rounded): z against p0 stays small.
    noise = data.draw(st.lists(st.floats(-0.25, 0.25), min_size=len(sizes), max_size=len(sizes)))
    n = np.array(sizes, dtype=float)
    o = np.clip(np.round(n * p + np.array(noise) * np.sqrt(n * p * (1 - p))), 0, n)
    fitted = funnel_fit.fit(o, n, measure="proportion", multiplier=100, direction="higher_better")
    count = len(sizes)
    assume(np.max(fitted.z ** 2) <= (count - 1) / count)  # then φ ≤ (I − 1)/I: nothing to add
    assert fitted.funnel.tau2 == 0
    assert (fitted.classification == 0).all()


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["proportion", "rate"]), st.floats(0.001, 0.999), st.floats(0, 0.05),
       st.integers(1, 10**6), st.integers(1, 10**6))
def test_limits_widen_as_the_denominator_falls(measure, p0, tau2, small, large):
    assume(small < large)
    funnel = Funnel(measure=measure, multiplier=100, direction="higher_better", p0=p0, phi=1, tau2=tau2,
                    organisations=2, numerator=0, denominator=0)
    for z in (funnels.Z_95, funnels.Z_998):
        low_small, high_small = funnel.limits(small, z)
        low_large, high_large = funnel.limits(large, z)
        assert high_small - low_small > high_large - low_large
        assert low_small < low_large < funnel.target < high_large < high_small
    # And the 99.8% limits are outside the 95% ones.
    assert funnel.limits(small, funnels.Z_998)[1] > funnel.limits(small, funnels.Z_95)[1]


counts = st.lists(st.tuples(st.integers(0, 5000), st.integers(1, 5000)), min_size=1, max_size=30)


@settings(max_examples=150, deadline=None)
@given(counts, st.sampled_from(["proportion", "rate"]))
def test_classification_flips_with_the_direction(pairs, measure):
    o = np.array([min(a, b) if measure == "proportion" else a for a, b in pairs], dtype=float)
    n = np.array([b for _, b in pairs], dtype=float)
    higher = funnel_fit.fit(o, n, measure=measure, multiplier=100, direction="higher_better")
    lower = funnel_fit.fit(o, n, measure=measure, multiplier=100, direction="lower_better")
    assert (higher.funnel.p0, higher.funnel.tau2) == (lower.funnel.p0, lower.funnel.tau2)
    assert (higher.classification == -lower.classification).all()
    # Better means above the expected rate when higher is better.
    above = o / n > higher.funnel.p0
    assert (higher.classification[~above] <= 0).all() and (higher.classification[above] >= 0).all()


@settings(max_examples=100, deadline=None)
@given(counts, st.randoms(use_true_random=False))
def test_the_order_of_organisations_changes_nothing(pairs, random):
    o = np.array([min(a, b) for a, b in pairs], dtype=float)
    n = np.array([b for _, b in pairs], dtype=float)
    order = list(range(len(pairs)))
    random.shuffle(order)
    fitted = funnel_fit.fit(o, n, measure="proportion", multiplier=100, direction="higher_better")
    shuffled = funnel_fit.fit(o[order], n[order], measure="proportion", multiplier=100, direction="higher_better")
    assert shuffled.funnel.p0 == pytest.approx(fitted.funnel.p0)
    assert shuffled.funnel.tau2 == pytest.approx(fitted.funnel.tau2, rel=1e-9, abs=1e-15)
    assert (shuffled.classification == fitted.classification[order]).all()


@settings(max_examples=150, deadline=None)
@given(counts, st.sampled_from(["proportion", "rate"]), st.sampled_from(["higher_better", "lower_better"]))
def test_the_stored_funnel_classifies_each_figure_as_the_fit_did(pairs, measure, direction):
    # `Funnel.classify` (pure Python, for one figure) and the fit's classification (numpy, all at once) agree.
    o = np.array([min(a, b) if measure == "proportion" else a for a, b in pairs], dtype=float)
    n = np.array([b for _, b in pairs], dtype=float)
    fitted = funnel_fit.fit(o, n, measure=measure, multiplier=100, direction=direction)
    stored = Funnel.from_dict(fitted.funnel.as_dict())
    assert [stored.classify(a, b) for a, b in zip(o, n)] == fitted.classification.tolist()
