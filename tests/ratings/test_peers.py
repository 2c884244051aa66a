"""Where an organisation stands among its peers (pure, no database)."""

import pandas as pd
import pytest

from ratings.peers import standing, summarise


def test_summary_per_indicator_sorts_z_best_first_and_takes_the_median_of_reported_values():
    scores = pd.DataFrame({"organisation": [1, 2, 3, 4, 9], "indicator": [10, 10, 10, 11, 10],
                           "value": [5.0, 7.0, 9.0, 1.0, 100.0], "z": [-1.0, 0.0, 1.0, 0.0, 3.0]})
    summary = summarise(scores, pd.Series([1, 2, 3, 4]), {10: "A", 11: "B"})
    assert summary == {"A": {"n": 3, "median": 7.0, "z": [1.0, 0.0, -1.0]},
                       "B": {"n": 1, "median": 1.0, "z": [0.0]}}


def test_summary_of_nothing_is_empty():
    assert summarise(pd.DataFrame(), pd.Series([], dtype=int), {}) == {}


@pytest.mark.parametrize("z, expected", [
    (2.0, (1, 8, "top", 0)), (1.5, (2, 8, "top", 0)), (1.0, (3, 8, "middle", 0)),
    (-1.0, (6, 8, "middle", 0)), (-1.5, (7, 8, "bottom", 0)), (-2.0, (8, 8, "bottom", 0)),
])
def test_position_and_quarter_among_eight(z, expected):
    peers = [2.0, 1.5, 1.0, 0.5, -0.5, -1.0, -1.5, -2.0]
    assert tuple(vars(standing(z, peers)).values()) == expected


def test_ties_share_the_better_position_and_everyone_equal_is_the_middle():
    assert (standing(0.0, [1.0, 0.0, 0.0, -1.0]).position, standing(0.0, [1.0, 0.0, 0.0, -1.0]).tied_with) == (2, 1)
    assert standing(-1.0, [1.0, 0.0, 0.0, -1.0]).position == 4  # after a tie, the positions it took are skipped
    assert vars(standing(0.0, [0.0] * 10)) == {"position": 1, "count": 10, "quarter": "middle", "tied_with": 9}
    # Floating-point noise below the engine's tie tolerance is a tie.
    assert standing(0.5 + 1e-12, [1.0, 0.5, 0.0]).position == 2


def test_one_organisation_alone_is_first_of_one_in_the_middle():
    assert vars(standing(0.0, [0.0])) == {"position": 1, "count": 1, "quarter": "middle", "tied_with": 0}
