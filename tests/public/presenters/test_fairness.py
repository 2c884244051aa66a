"""The fairness page's statistics and their words (no database)."""

import pytest

from public.presenters import fairness


def correlation(xs, ys):
    """Pearson's r of two lists, through the sums the database makes for the page."""
    return fairness.correlation_of_sums(len(xs), sum(xs), sum(ys), sum(x * x for x in xs), sum(y * y for y in ys),
                                        sum(x * y for x, y in zip(xs, ys)))


def test_correlation_and_its_words():
    assert correlation([1, 2, 3], [2, 4, 6]) == pytest.approx(1)
    assert correlation([1, 2, 3], [3, 2, 1]) == pytest.approx(-1)
    assert correlation([1, 2], [1, 2]) is None
    assert correlation([1, 1, 1], [1, 2, 3]) is None
    assert fairness.strength(-0.6) == "strong, more deprived areas scoring lower"
    assert fairness.strength(0.05) == "very weak"
    assert fairness.strength(None) == "cannot be measured"
