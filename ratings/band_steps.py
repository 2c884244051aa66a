"""Steps 7 and 8 of the method (`docs/rating-method.md`, version 2):
the green quota and its candidates, the bands, and the ranks each rating
records. Pure: pandas and numpy, no Django; `engine` runs them and
`counterfactuals` reruns them on other scores."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .bands import GREEN, RED, YELLOW
from .parameters import MISSING_CORE_NOT_GREEN, TIE_TOLERANCE, SchemeParameters


def green_quota(rated_count: int, params: SchemeParameters) -> int:
    """q = floor(green_share x |R| + 1e-9)."""
    return math.floor(params.green_share * rated_count + TIE_TOLERANCE)


def is_candidate(failures: pd.Series, missing: pd.Series, params: SchemeParameters) -> pd.Series:
    """Who may be green: F = 0 and, under `not_green`, no missing core figure.
    Both indexed by the rated set."""
    eligible = failures == 0
    if params.missing_core_data == MISSING_CORE_NOT_GREEN:
        eligible &= missing.reindex(failures.index).fillna(0) == 0
    return eligible


def green_candidates(score: pd.Series, candidate: pd.Series) -> pd.Series:
    """Candidates' scores, best first (no score last)."""
    return score[candidate.reindex(score.index).fillna(False).astype(bool)].sort_values(
        ascending=False, na_position="last", kind="mergesort")


def green_cutoff(score: pd.Series, candidate: pd.Series, params: SchemeParameters) -> float:
    """c: S of the q-th candidate (of the last, when there are fewer than q,
    so that all of them are green); NaN when none can be green (q = 0 or no
    candidates)."""
    q = green_quota(len(score), params)
    candidates = green_candidates(score, candidate).dropna()
    if q == 0 or candidates.empty:
        return np.nan
    return float(candidates.iloc[min(q, len(candidates)) - 1])


def assign_bands(score: pd.Series, failures: pd.Series, candidate: pd.Series, cutoff: float,
                 params: SchemeParameters) -> pd.Series:
    """Red: F >= red_core_failures. Green: candidates scoring at least the
    cut-off less 1e-9 (the first q, and any tied with the q-th). Yellow: the
    rest. Indexed like `score` (the rated set)."""
    bands = pd.Series(YELLOW, index=score.index, dtype=object)
    bands[failures.reindex(score.index) >= params.red_core_failures] = RED
    if not np.isnan(cutoff):
        eligible = candidate.reindex(score.index).fillna(False).astype(bool)
        bands[eligible & (score >= cutoff - TIE_TOLERANCE)] = GREEN
    return bands


def rank_scores(score: pd.Series) -> pd.Series:
    """Rank of S, 1 = best; ties share the lower number. NaN for no score.

    Scores within TIE_TOLERANCE of the one above tie, as at the green cut-off:
    equal scores can differ in the last bit with the order rows were summed
    in, and row order must change nothing."""
    ordered = score.dropna().sort_values(ascending=False, kind="mergesort")
    if ordered.empty:
        return pd.Series(np.nan, index=score.index)
    values = ordered.to_numpy()
    starts_group = np.r_[True, (values[:-1] - values[1:]) > TIE_TOLERANCE]
    first_position = np.flatnonzero(starts_group) + 1
    ranks = first_position[np.cumsum(starts_group) - 1]
    return pd.Series(ranks, index=ordered.index, dtype=float).reindex(score.index)


def candidate_positions(score: pd.Series, candidate: pd.Series) -> pd.Series:
    """The candidate position: rank of S among the candidates (ties share the
    lower number); NaN for an organisation that is not a candidate."""
    eligible = candidate.reindex(score.index).fillna(False).astype(bool)
    return rank_scores(score[eligible]).reindex(score.index)
