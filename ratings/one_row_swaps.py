"""The type rated again with ONE organisation's figures swapped, for many
organisations, without rating each copy in full: the decomposition's "own
figures" combinations (`decomposition.rate_swapped`), exactly as
`batch_engine.rate_batch` would rate each copy.

A swap moves one row. Every other organisation keeps its figures, so
whether it is rated, whether it is a candidate for green and which of its
cells count do not move; what moves for it is each indicator's mean and
standard deviation (steps 4 and 5) and deprivation slope (step 2). Those are
sums over the organisations: they are updated for the one row (its point
taken out of the sums and co-moments, its new point put in). Another
organisation's unclipped standardised figure is then an affine function of
its base figure, its centred deprivation and whether it is adjusted, with
per-indicator coefficients; its score a fixed weighted sum of those. So
the others' scores under many swaps are one matrix product. Clipping at
+-clip_z is not affine: the few cells within `clip_margin` of the clip in
the base are corrected exactly, and a swap that could carry any other cell
across the clip (bounded per indicator) is left to the full batched engine,
as is a swap near a case the updated sums cannot decide exactly (a spread
near zero, a deprivation fit with fewer than three distinct values). Of the
others' scores only the cut-off is needed: the q-th best candidate's.

Pure numpy, no Django. Tested against `batch_engine` and the engine
(tests/ratings/test_one_row_swaps.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .batch_engine import GREEN_CODE, NOT_RATED_CODE, RED_CODE, YELLOW_CODE, TypeArrays
from .engine import ZERO_SPREAD
from .parameters import DOMAINS, MISSING_CORE_FAILURE, MISSING_CORE_NOT_GREEN, TIE_TOLERANCE, SchemeParameters

# Base cells this close to the clip (in z) are corrected exactly; a swap may move no other cell this far.
# One row moves the others' z by about 1/n: a narrower margin for more organisations keeps the cells
# to correct few (their cost is per swap) while few swaps move a cell further.
def clip_margin(organisations: int) -> float:
    return min(0.5, max(0.1, 100 / max(organisations, 1)))
# A spread that falls below this share of the base's is left to the full engine: the updated sums'
# rounding is relative to the base's spread, and the engine calls a spread of 1e-12 flat.
FRAGILE_SPREAD = 1e-6
# Swaps of one matrix product: (swaps x candidates) doubles.
SWAPS_PER_PASS = 256


@dataclass(frozen=True)
class SwapResults:
    """Per swap (the rows asked for, in order): band code, S, c, whether a
    candidate with a score; and `exact`, False where the swap was not
    computed (left to the full engine: the other fields are meaningless)."""

    band: np.ndarray
    score: np.ndarray
    cutoff: np.ndarray
    candidate: np.ndarray
    exact: np.ndarray


def rated_rows(params: SchemeParameters, values, active) -> np.ndarray:
    """Step 1 for rows of figures: open and covering enough indicators."""
    indicators = values.shape[1]
    if not indicators:
        return np.zeros(len(values), dtype=bool)
    coverage = (~np.isnan(values)).sum(axis=1) / indicators
    return active & (coverage >= params.min_coverage - TIE_TOLERANCE)


def core_counts(arrays: TypeArrays, params: SchemeParameters, values, rated):
    """Step 3 for rows of figures: (F, missing core figures), 0 for a row not rated."""
    core = np.flatnonzero(~np.isnan(arrays.core_threshold))
    figures = values[:, core]
    threshold = arrays.core_threshold[core][None, :]
    with np.errstate(invalid="ignore"):
        passed = np.where(arrays.sign[core][None, :] > 0, figures >= threshold, figures <= threshold)
    no_data = np.isnan(figures)
    missed = (~passed & ~no_data).sum(axis=1)
    missing = no_data.sum(axis=1)
    failures = missed + missing if params.missing_core_data == MISSING_CORE_FAILURE else missed
    return np.where(rated, failures, 0), np.where(rated, missing, 0)


def candidates(params: SchemeParameters, rated, failures, missing):
    candidate = rated & (failures == 0)
    if params.missing_core_data == MISSING_CORE_NOT_GREEN:
        candidate &= missing == 0
    return candidate


def aggregation_weights(arrays: TypeArrays, params: SchemeParameters, present) -> tuple[np.ndarray, np.ndarray]:
    """K (rows, indicators) with the aggregation of steps 4 and 5 (indicator
    weights within a domain, domain weights over the domains a row has)
    equal to sum_i K_i z_i over a row's present cells; and whether the row
    has a score at all."""
    weights = np.zeros(present.shape)
    total = np.zeros(len(present))
    for domain, name in enumerate(DOMAINS):
        columns = np.flatnonzero(arrays.domain == domain)
        if not columns.size:
            continue
        cells = present[:, columns]
        within = cells @ arrays.weight[columns]
        has_domain = cells.any(axis=1) & (within != 0)
        share = arrays.weight[columns][None, :] / np.where(has_domain, within, 1.0)[:, None]
        weights[:, columns] = np.where(has_domain[:, None] & cells, share * params.domain_weights[name], 0.0)
        total += has_domain * params.domain_weights[name]
    scored = total > 0
    weights /= np.where(scored, total, 1.0)[:, None]
    weights[~scored] = 0.0
    return weights, scored


@dataclass(frozen=True)
class _Spread:
    """One standardisation (step 4's or 5's) of the base: over the cells in
    `present`, per indicator: count, mean, centred values (0 outside) and
    the sums of products the update needs."""

    present: np.ndarray
    count: np.ndarray
    mean: np.ndarray
    centred: np.ndarray
    inverse_sd: np.ndarray  # 0 where flat (every z is 0)


def _spread(values, present) -> _Spread:
    count = present.sum(axis=0)
    mean = np.where(present, values, 0.0).sum(axis=0) / np.maximum(count, 1)
    centred = np.where(present, values - mean, 0.0)
    sd = np.sqrt((centred ** 2).sum(axis=0) / np.maximum(count, 1))
    scale = ZERO_SPREAD * np.maximum(1.0, np.abs(mean))
    flat = (count < 2) | (sd <= scale)
    return _Spread(present=present, count=count, mean=mean, centred=centred,
                   inverse_sd=np.where(flat, 0.0, 1.0 / np.where(flat, 1.0, sd)))


@dataclass(frozen=True)
class _Fit:
    """Step 2's fits of the base, per indicator (all flagged ones, applied or not)."""

    in_fit: np.ndarray  # (organisations, indicators): flagged, with a figure and deprivation
    count: np.ndarray
    mean_d: np.ndarray
    mean_v: np.ndarray
    sdd: np.ndarray
    sdv: np.ndarray
    slope: np.ndarray  # signed (x = sign v): 0 where not applied
    distinct: np.ndarray  # at least 3 distinct deprivation values: one row out leaves a spread


def _fit(arrays: TypeArrays, params: SchemeParameters, values, deprivation) -> _Fit:
    flagged = arrays.adjust & params.value_added
    in_fit = ~np.isnan(values) & ~np.isnan(deprivation)[:, None] & flagged[None, :]
    count = in_fit.sum(axis=0)
    d = np.where(in_fit, deprivation[:, None], 0.0)
    v = np.where(in_fit, values, 0.0)
    mean_d, mean_v = d.sum(axis=0) / np.maximum(count, 1), v.sum(axis=0) / np.maximum(count, 1)
    dc, vc = (d - mean_d) * in_fit, (v - mean_v) * in_fit
    sdd, sdv = (dc * dc).sum(axis=0), (dc * vc).sum(axis=0)
    spread = (np.where(in_fit, d, -np.inf).max(axis=0) > np.where(in_fit, d, np.inf).min(axis=0))
    applied = (count >= 3) & spread & (sdd > 0)
    slope = np.where(applied, sdv / np.where(sdd > 0, sdd, 1.0), 0.0) * arrays.sign
    distinct = np.array([np.unique(d[in_fit[:, i], i]).size >= 3 for i in range(len(count))], dtype=bool)
    return _Fit(in_fit, count, mean_d, mean_v, sdd, sdv, slope, distinct | ~flagged)


def _moved(count, mean, comoment_dd, comoment_dv, old_d, old_v, out, new_d, new_v, into):
    """Means and co-moments with one point taken out (where `out`) and one put in (where `into`)."""
    count_out = count - out
    safe = np.maximum(count_out, 1)
    mean_d = np.where(out, (count * mean[0] - np.where(out, old_d, 0.0)) / safe, mean[0])
    mean_v = np.where(out, (count * mean[1] - np.where(out, old_v, 0.0)) / safe, mean[1])
    mean_d, mean_v = np.where(count_out == 0, 0.0, mean_d), np.where(count_out == 0, 0.0, mean_v)
    old_dc = np.where(out, old_d - mean[0], 0.0)
    dd = comoment_dd - np.where(out, old_dc * (np.where(out, old_d, 0.0) - mean_d), 0.0)
    dv = comoment_dv - np.where(out, old_dc * (np.where(out, old_v, 0.0) - mean_v), 0.0)
    count_in = count_out + into
    safe = np.maximum(count_in, 1)
    new_dc = np.where(into, new_d - mean_d, 0.0)
    mean_d2 = mean_d + np.where(into, new_dc / safe, 0.0)
    mean_v2 = mean_v + np.where(into, np.where(into, new_v - mean_v, 0.0) / safe, 0.0)
    dd = dd + np.where(into, new_dc * (np.where(into, new_d, 0.0) - mean_d2), 0.0)
    dv = dv + np.where(into, new_dc * (np.where(into, new_v, 0.0) - mean_v2), 0.0)
    return count_in, mean_d2, dd, dv


class SwapRater:
    """The base state's sums, kept to rate any number of one-row swaps of it."""

    def __init__(self, base: TypeArrays, params: SchemeParameters):
        self.base, self.params = base, params
        values = base.values
        self.rated = rated_rows(params, values, base.active)
        failures, missing = core_counts(base, params, values, self.rated)
        candidate = candidates(params, self.rated, failures, missing)
        self.fit = _fit(base, params, values, base.deprivation)
        applied = self.fit.slope != 0
        self.offset = np.where(self.fit.in_fit, base.deprivation[:, None] - self.fit.mean_d, 0.0)  # D
        adjusted = values * base.sign - np.where(applied & self.fit.in_fit, self.fit.slope * self.offset, 0.0)
        in_level = self.rated[:, None] & ~np.isnan(values)
        self.level = _spread(adjusted, in_level)
        self.change = _spread((values - base.previous) * base.sign, in_level & ~np.isnan(base.previous))
        self.level_offset = self.offset * in_level  # D on the level cells
        self.level_fitted = (self.fit.in_fit & in_level).astype(float)  # A on the level cells
        y, d, a = self.level.centred, self.level_offset, self.level_fitted
        yi = self.change.centred
        self.sums = {"y": y.sum(0), "yy": (y * y).sum(0), "d": d.sum(0), "a": a.sum(0), "dd": (d * d).sum(0),
                     "yd": (y * d).sum(0), "ya": (y * a).sum(0), "da": (d * a).sum(0),
                     "yi": yi.sum(0), "yiyi": (yi * yi).sum(0)}

        w = params.improvement_weight
        level_k, level_scored = aggregation_weights(base, params, in_level)
        change_k, _ = aggregation_weights(base, params, self.change.present)
        level_k, change_k = (1 - w) * level_k, w * change_k
        # The pool: the candidates with a score; only they make the cut-off.
        pool = np.flatnonzero(candidate & level_scored)
        self.pool, self.pool_position = pool, np.full(len(values), -1)
        self.pool_position[pool] = np.arange(len(pool))
        self.level_k, self.change_k = level_k, change_k
        # Others' score = terms . coefficients (per swap): see `_coefficients`.
        self.terms = np.hstack([(level_k * y)[pool], (level_k * d)[pool], (level_k * a)[pool], level_k[pool],
                                (change_k * yi)[pool], change_k[pool]])
        self.largest_offset = np.abs(d[pool]).max(axis=0) if pool.size else np.zeros(values.shape[1])
        # Cells near the clip in the base, of the pool: corrected per swap.
        self.margin = margin = clip_margin(int(self.rated.sum()))
        near = []
        clip = params.clip_z
        for part, spread, k in (("level", self.level, level_k), ("change", self.change, change_k)):
            z = spread.centred[pool] * spread.inverse_sd
            rows, columns = np.nonzero((np.abs(z) > clip - margin) & spread.present[pool] & (k[pool] != 0))
            near.append((part, rows, columns))
        self.near = near

    def rate(self, own: TypeArrays, rows: np.ndarray) -> SwapResults:
        """Each of `rows` rated with its figures from `own` and the others' from the base (same active)."""
        parts = [self._rate_pass(own, rows[start:start + SWAPS_PER_PASS])
                 for start in range(0, len(rows), SWAPS_PER_PASS)]
        if not parts:
            empty = np.zeros(0)
            return SwapResults(empty.astype(np.int8), empty, empty, empty.astype(bool), empty.astype(bool))
        return SwapResults(*(np.concatenate([getattr(p, name) for p in parts])
                             for name in SwapResults.__dataclass_fields__))

    def _rate_pass(self, own: TypeArrays, rows: np.ndarray) -> SwapResults:
        base, params, fit, level, change = self.base, self.params, self.fit, self.level, self.change
        sign, clip = base.sign, params.clip_z
        values, previous, deprivation = own.values[rows], own.previous[rows], own.deprivation[rows]
        has = ~np.isnan(values)
        rated = rated_rows(params, values, base.active[rows])
        failures, missing = core_counts(base, params, values, rated)
        candidate = candidates(params, rated, failures, missing)
        in_level = rated[:, None] & has
        in_change = in_level & ~np.isnan(previous)

        # Step 2: the fits with the row's point out and its new point in.
        flagged = base.adjust & params.value_added
        in_fit = has & ~np.isnan(deprivation)[:, None] & flagged[None, :]
        was_in_fit = fit.in_fit[rows]
        count, mean_d, sdd, sdv = _moved(
            fit.count, (fit.mean_d, fit.mean_v), fit.sdd, fit.sdv, base.deprivation[rows][:, None],
            base.values[rows], was_in_fit, deprivation[:, None], values, in_fit)
        undecided = (~fit.distinct[None, :] & flagged[None, :] & (count >= 3)).any(axis=1)
        applied = flagged & (count >= 3) & (sdd > 0)
        slope = np.where(applied, sdv / np.where(sdd > 0, sdd, 1.0), 0.0) * sign
        slope_change = slope - fit.slope
        shift = slope * (mean_d - fit.mean_d)  # k: an adjusted cell's move besides -slope_change * D

        # Step 4's mean and sd: the others' cells moved (sums), the row's taken out and put in.
        y_old, d_old, a_old = level.centred[rows], self.level_offset[rows], self.level_fitted[rows]
        s = self.sums
        total = (s["y"] - y_old) - slope_change * (s["d"] - d_old) + shift * (s["a"] - a_old)
        squares = ((s["yy"] - y_old ** 2)
                   + 2 * (-slope_change * (s["yd"] - y_old * d_old) + shift * (s["ya"] - y_old * a_old))
                   + slope_change ** 2 * (s["dd"] - d_old ** 2) - 2 * slope_change * shift * (s["da"] - d_old * a_old)
                   + shift ** 2 * (s["a"] - a_old))
        adjusted = values * sign - np.where(in_fit, slope * (deprivation[:, None] - mean_d), 0.0)
        y_new = np.where(in_level, adjusted - level.mean, 0.0)
        level_count = level.count - level.present[rows] + in_level
        level_mean, level_inverse, level_undecided = _moments(
            level_count, total + y_new, squares + y_new ** 2, level.mean, s["yy"] + y_new ** 2 + y_old ** 2)

        # Step 5's.
        yi_old = change.centred[rows]
        delta = (values - previous) * sign
        yi_new = np.where(in_change, delta - change.mean, 0.0)
        change_count = change.count - change.present[rows] + in_change
        change_mean, change_inverse, change_undecided = _moments(
            change_count, s["yi"] - yi_old + yi_new, s["yiyi"] - yi_old ** 2 + yi_new ** 2, change.mean,
            s["yiyi"] + yi_new ** 2 + yi_old ** 2)

        # No other cell may cross the clip, nor a flat indicator come alive.
        margin = self.margin
        bound_level = _clip_bound(level.inverse_sd, level_inverse, clip, margin,
                                  np.abs(slope_change) * self.largest_offset + np.abs(shift) + np.abs(level_mean))
        bound_change = _clip_bound(change.inverse_sd, change_inverse, clip, margin, np.abs(change_mean))
        exact = ~(undecided | level_undecided.any(axis=1) | change_undecided.any(axis=1)
                  | (bound_level >= margin).any(axis=1) | (bound_change >= margin).any(axis=1))

        # The row's own score.
        z_level = np.where(in_level, np.clip((y_new - level_mean) * level_inverse, -clip, clip), 0.0)
        z_change = np.where(in_change, np.clip((yi_new - change_mean) * change_inverse, -clip, clip), 0.0)
        level_k, level_scored = aggregation_weights(base, params, in_level)
        change_k, _ = aggregation_weights(base, params, in_change)
        w = params.improvement_weight
        score = (1 - w) * (level_k * z_level).sum(axis=1) + w * (change_k * z_change).sum(axis=1)
        score = np.where(rated & level_scored, score, np.nan)

        # Every other candidate's score, then the cut-off.
        coefficients = np.hstack([level_inverse, -slope_change * level_inverse, shift * level_inverse,
                                  -level_mean * level_inverse, change_inverse, -change_mean * change_inverse])
        others = coefficients @ self.terms.T
        self._clip_corrections(others, slope_change, shift, level_mean, level_inverse, change_mean, change_inverse)
        swaps = np.arange(len(rows))
        position = self.pool_position[rows]
        others[swaps[position >= 0], position[position >= 0]] = -np.inf
        mine = np.where(candidate & ~np.isnan(score), score, -np.inf)
        pool = np.concatenate([others, mine[:, None]], axis=1)
        available = (pool > -np.inf).sum(axis=1)
        rated_count = self.rated.sum() - self.rated[rows] + rated
        quota = np.floor(params.green_share * rated_count + TIE_TOLERANCE).astype(np.int64)
        place = np.maximum(np.minimum(quota, available) - 1, 0)
        best_first = -np.partition(-pool, np.unique(place), axis=1)
        cutoff = np.where((quota > 0) & (available > 0), best_first[swaps, place], np.nan)

        band = np.where(rated, YELLOW_CODE, NOT_RATED_CODE).astype(np.int8)
        band[rated & (failures >= params.red_core_failures)] = RED_CODE
        with np.errstate(invalid="ignore"):
            band[candidate & (score >= cutoff - TIE_TOLERANCE)] = GREEN_CODE
        return SwapResults(band=band, score=score, cutoff=np.where(rated, cutoff, np.nan),
                           candidate=candidate & ~np.isnan(score), exact=exact)

    def _clip_corrections(self, others, slope_change, shift, level_mean, level_inverse, change_mean,
                          change_inverse) -> None:
        """Cells near the clip in the base: their clipped z in place of the affine one."""
        clip = self.params.clip_z
        for part, rows, columns in self.near:
            if not rows.size:
                continue
            pool_rows = self.pool[rows]
            if part == "level":
                y = self.level.centred[pool_rows, columns]
                z = (y[None, :] - slope_change[:, columns] * self.level_offset[pool_rows, columns][None, :]
                     + shift[:, columns] * self.level_fitted[pool_rows, columns][None, :]
                     - level_mean[:, columns]) * level_inverse[:, columns]
                k = self.level_k[pool_rows, columns]
            else:
                y = self.change.centred[pool_rows, columns]
                z = (y[None, :] - change_mean[:, columns]) * change_inverse[:, columns]
                k = self.change_k[pool_rows, columns]
            correction = (np.clip(z, -clip, clip) - z) * k[None, :]
            order = np.argsort(rows, kind="stable")
            starts = np.flatnonzero(np.r_[True, np.diff(rows[order]) != 0])
            others[:, rows[order][starts]] += np.add.reduceat(correction[:, order], starts, axis=1)


def _moments(count, total, squares, base_mean, magnitude):
    """Mean (as a shift of the base's), 1/sd (0 where flat) and whether the
    spread is too close to zero to be told from the updated sums."""
    safe = np.maximum(count, 1)
    shift = total / safe
    spread = np.maximum(squares - total * shift, 0.0)
    sd = np.sqrt(spread / safe)
    scale = ZERO_SPREAD * np.maximum(1.0, np.abs(base_mean + shift))
    flat = (count < 2) | (sd <= scale)
    undecided = (count >= 2) & ((sd <= scale / FRAGILE_SPREAD) | (spread <= FRAGILE_SPREAD * magnitude))
    return shift, np.where(flat, 0.0, 1.0 / np.where(flat, 1.0, sd)), undecided


def _clip_bound(base_inverse, inverse, clip, margin, moved):
    """How far (in z) a cell not within `margin` of the clip in the base could move: infinite where a flat
    indicator comes alive."""
    ratio = np.where(base_inverse > 0, inverse / np.where(base_inverse > 0, base_inverse, 1.0), 0.0)
    bound = (clip - margin) * np.abs(ratio - 1) + moved * inverse
    return np.where((base_inverse == 0) & (inverse > 0), np.inf, np.where(base_inverse == 0, 0.0, bound))
