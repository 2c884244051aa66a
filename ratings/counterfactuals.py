"""The band each organisation would have had with one part of the method
left out, all else equal, for the admin's and the report card's "what
decided it": without the value-added adjustment (the method run again with
it off) and without credit for improvement (step 7 again on the level score
L, as if S = L). Recalculations store them and what-ifs compare them, both
through `rate_with_counterfactuals`, so the two always agree.

Pure: pandas, no Django."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pandas as pd

from . import engine
from .parameters import SchemeParameters

COLUMNS = ["band_without_adjustment", "score_without_adjustment", "band_without_improvement"]


def rate_with_counterfactuals(inputs: engine.EngineInputs, params: SchemeParameters, reuse: dict | None = None, *,
                              before_counterfactuals: Callable[[], None] | None = None) -> engine.EngineResult:
    """`engine.rate`, its ratings with the COLUMNS added. Given a `reuse`
    dict, the second pass (adjustment off) shares every step whose parameters
    it shares with the first (see `engine.rate`). `before_counterfactuals` is
    called once the method's own pass is done, for progress."""
    result = engine.rate(inputs, params, reuse)
    if before_counterfactuals:
        before_counterfactuals()
    ratings = result.ratings.copy()
    if ratings.empty:
        return replace(result, ratings=ratings.reindex(columns=[*ratings.columns, *COLUMNS]))
    unadjusted = engine.rate(inputs, replace(params, value_added=False), reuse) if params.value_added else result
    without = unadjusted.ratings.set_index("organisation").reindex(ratings["organisation"]).set_axis(ratings.index)
    ratings["band_without_adjustment"] = without["band"]
    ratings["score_without_adjustment"] = without["score"]
    ratings["band_without_improvement"] = bands_without_improvement(ratings, params)
    return replace(result, ratings=ratings)


def bands_without_improvement(ratings: pd.DataFrame, params: SchemeParameters) -> pd.Series:
    """Step 7 again on L (S with improvement not counted) within each type,
    everything else equal: whether credit for improvement decided the band.
    Indexed like `ratings` (the engine's); not rated stays not rated."""
    bands = pd.Series(engine.NOT_RATED, index=ratings.index, dtype=object)
    rated = ratings[ratings["band"] != engine.NOT_RATED]
    for _, of_type in rated.groupby("type", sort=False):
        level, failures = of_type["level"], of_type["core_failures"].astype(int)
        candidate = engine.is_candidate(failures, of_type["missing_core"].astype(int), params)
        cutoff = engine.green_cutoff(level, candidate, params)
        bands.loc[of_type.index] = engine.assign_bands(level, failures, candidate, cutoff, params)
    return bands
