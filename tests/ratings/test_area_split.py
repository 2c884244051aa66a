"""The permutation test of the north/south split of green and red: seeded
(the same seed gives the same p-value), and its p-value the exact one (every
way of dealing the same bands between the two areas, counted by
combinatorics) within sampling error."""

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ratings.area_split import area_split_test, split


def exact_p_value(north, south) -> float:
    """P(a random dealing of the bands is at least as lopsided), by enumerating every north table."""
    bands = [n + s for n, s in zip(north, south)]
    size, total = sum(north), sum(bands)
    observed = split(np.array(north), np.array(south))
    p = 0.0
    for green, yellow in itertools.product(range(bands[0] + 1), range(bands[1] + 1)):
        red = size - green - yellow
        if not 0 <= red <= bands[2]:
            continue
        dealt = np.array([green, yellow, red])
        if split(dealt, np.array(bands) - dealt) >= observed - 1e-12:
            p += math.comb(bands[0], green) * math.comb(bands[1], yellow) * math.comb(bands[2], red)
    return p / math.comb(total, size)


@pytest.mark.parametrize("north, south", [([1, 6, 5], [6, 6, 1]), ([3, 4, 3], [3, 4, 3]), ([0, 5, 7], [5, 5, 0]),
                                          ([4, 2, 0], [1, 3, 4])])
def test_the_p_value_is_the_exact_one_within_sampling_error(north, south):
    exact = exact_p_value(north, south)
    test = area_split_test(north, south, seed=7, permutations=20000)
    error = math.sqrt(exact * (1 - exact) / 20000) + 1 / 20001
    assert abs(test["p_value"] - exact) <= 4 * error, (test["p_value"], exact)


def test_a_lopsided_split_is_unlikely_to_be_chance_and_an_even_one_is_not():
    lopsided = area_split_test([2, 20, 18], [18, 20, 2], seed=2000)
    even = area_split_test([10, 20, 10], [10, 20, 10], seed=2000)
    assert lopsided["split"] > 0 and lopsided["p_value"] < 0.001
    assert even["split"] == 0 and even["p_value"] > 0.4


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, 30), min_size=3, max_size=3), st.lists(st.integers(0, 30), min_size=3, max_size=3),
       st.integers(0, 2**32 - 1))
def test_the_same_seed_gives_the_same_figures(north, south, seed):
    first = area_split_test(north, south, seed=seed, permutations=500)
    assert first == area_split_test(north, south, seed=seed, permutations=500)
    if first["p_value"] is not None:
        assert 1 / 501 <= first["p_value"] <= 1


def test_a_split_that_cannot_be_measured_says_so():
    assert area_split_test([0, 0, 0], [3, 2, 1], seed=1)["p_value"] is None  # no rated organisation in the north
    assert area_split_test([0, 4, 0], [0, 3, 0], seed=1)["p_value"] is None  # neither green nor red anywhere
