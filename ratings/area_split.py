"""Could the north/south split of green and red be chance? A permutation test
(pure numpy, seeded): the bands of the rated organisations of the north and
the south are shuffled between the two areas, keeping how many each has,
and the split measured again each time. The p-value is the share of
shuffles (counting the observed one) at least as lopsided as the one
observed: small when chance alone seldom gives a split like it.

The split: the north's share of red less the south's, plus the south's share
of green less the north's (the King's Fund's question: green in the south,
red in the north). Shuffling bands among organisations with the areas' sizes
kept is drawing the north's band counts from a multivariate hypergeometric,
which numpy samples directly: no per-organisation work."""

from __future__ import annotations

from typing import Sequence

import numpy as np
from numpy.random import PCG64, Generator

PERMUTATIONS = 9999
# Shares computed two ways can differ in the last bit: a shuffle this close to the observed split counts as equal.
TOLERANCE = 1e-12


def split(north: np.ndarray, south: np.ndarray) -> np.ndarray:
    """The split for band counts (..., 3) in the order green, yellow, red."""
    north_total, south_total = north.sum(axis=-1), south.sum(axis=-1)
    return (north[..., 2] / north_total - south[..., 2] / south_total
            + south[..., 0] / south_total - north[..., 0] / north_total)


def area_split_test(north: Sequence[int], south: Sequence[int], *, seed: int,
                    permutations: int = PERMUTATIONS) -> dict:
    """The test for the north's and the south's counts of (green, yellow, red):
    {"north", "south", "split", "p_value", "permutations", "seed"}; split and
    p_value are None when it cannot be measured (an area with no rated
    organisation, or neither green nor red anywhere)."""
    north_counts, south_counts = np.asarray(north, dtype=np.int64), np.asarray(south, dtype=np.int64)
    result = {"north": [int(c) for c in north_counts], "south": [int(c) for c in south_counts],
              "split": None, "p_value": None, "permutations": permutations, "seed": seed}
    bands = north_counts + south_counts
    if north_counts.sum() == 0 or south_counts.sum() == 0 or bands[0] + bands[2] == 0:
        return result
    observed = float(split(north_counts, south_counts))
    shuffled_north = Generator(PCG64(seed)).multivariate_hypergeometric(bands, int(north_counts.sum()),
                                                                         size=permutations)
    shuffled = split(shuffled_north, bands - shuffled_north)
    as_lopsided = int(np.count_nonzero(shuffled >= observed - TOLERANCE))
    result.update(split=observed, p_value=(1 + as_lopsided) / (1 + permutations))
    return result
