"""Steps 1 to 7 of the method for one organisation type, for many variants of
one state of the figures at once, each with one organisation's figures swapped
for those of another state: the decomposition's runs that depend on which
organisation is varied (`decomposition`), one organisation's outcome per
variant. The same arithmetic as `engine` (tested equal to it within 1e-9), on
dense arrays (variants x organisations x indicators) instead of one pandas
pass per variant, whose fixed cost made the decomposition minutes long.

Pure: numpy and pandas, no Django.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .bands import GREEN, NOT_RATED, RED, YELLOW
from .engine import HIGHER_BETTER, ZERO_SPREAD
from .parameters import DOMAINS, MISSING_CORE_FAILURE, MISSING_CORE_NOT_GREEN, TIE_TOLERANCE

# Variants x organisations x indicators computed at once: bounds memory (8 bytes each, a few arrays).
CELLS_PER_CHUNK = 2_000_000
BAND_CODES = np.array([NOT_RATED, YELLOW, GREEN, RED], dtype=object)
_NOT_RATED, _YELLOW, _GREEN, _RED = range(4)


@dataclass(frozen=True)
class DenseFigures:
    """One state's figures of a type as arrays over `organisations` (rows) and the
    method's applicable performance indicators (columns), years relabelled so
    that `this_year` is the year rated."""

    active: np.ndarray  # bool, N
    this_year: np.ndarray  # N x K, NaN for no figure
    last_year: np.ndarray  # N x K
    deprivation: np.ndarray  # N, this year's; NaN for none


@dataclass(frozen=True)
class DenseMethod:
    indicators: np.ndarray  # K indicator keys, in column order
    sign: np.ndarray  # K: +1 higher_better, -1 lower_better
    weight: np.ndarray  # K
    domain: np.ndarray  # K x domains, one-hot
    domain_weight: np.ndarray  # domains
    adjust: np.ndarray  # bool K
    threshold: np.ndarray  # K, NaN when not a core target
    params: object


def dense_method(method, type_code) -> DenseMethod:
    applicable = set(method.applicability.loc[method.applicability["type"] == type_code, "indicator"])
    table = method.indicators[method.indicators["indicator"].isin(applicable)].sort_values(
        "indicator", kind="mergesort")
    domains = list(DOMAINS)
    one_hot = np.zeros((len(table), len(domains)))
    for column, domain in enumerate(table["domain"]):
        one_hot[column, domains.index(domain)] = 1.0
    return DenseMethod(
        indicators=table["indicator"].to_numpy(),
        sign=np.where(table["direction"].to_numpy() == HIGHER_BETTER, 1.0, -1.0),
        weight=table["weight"].to_numpy(dtype=float), domain=one_hot,
        domain_weight=np.array([method.params.domain_weights[d] for d in domains], dtype=float),
        adjust=table["adjust_for_deprivation"].to_numpy(dtype=bool),
        threshold=table["core_threshold"].to_numpy(dtype=float), params=method.params)


def dense_figures(figures, method: DenseMethod, organisations: np.ndarray, year: int) -> DenseFigures:
    """`figures` (a `decomposition.Figures`) over `organisations`, its own year
    relabelled `year`."""
    rows = pd.Index(organisations)
    columns = pd.Index(method.indicators)
    active = (figures.organisations.drop_duplicates("organisation").set_index("organisation")["active"]
              .reindex(rows).fillna(False).to_numpy(dtype=bool))

    def grid(of_year: int) -> np.ndarray:
        table = figures.results[(figures.results["year"] == of_year) & figures.results["indicator"].isin(columns)
                                & figures.results["organisation"].isin(rows)]
        out = np.full((len(rows), len(columns)), np.nan)
        out[rows.get_indexer(table["organisation"]), columns.get_indexer(table["indicator"])] = \
            table["value"].to_numpy(dtype=float)
        return out

    deprivation = figures.deprivation.get(method.params.deprivation_indicator)
    depth = np.full(len(rows), np.nan)
    if deprivation is not None:
        this = deprivation[(deprivation["year"] == figures.year) & deprivation["organisation"].isin(rows)]
        depth[rows.get_indexer(this["organisation"])] = this["value"].to_numpy(dtype=float)
    return DenseFigures(active=active, this_year=grid(figures.year), last_year=grid(figures.year - 1),
                        deprivation=depth)


def _standardise(values: np.ndarray, present: np.ndarray, clip: float) -> np.ndarray:
    """`engine.standardise` along the organisations axis (1) for each variant and
    indicator, over the entries `present`; NaN elsewhere."""
    count = present.sum(axis=1, keepdims=True)
    filled = np.where(present, values, 0.0)
    mean = filled.sum(axis=1, keepdims=True) / np.maximum(count, 1)
    spread = np.where(present, values - mean, 0.0)
    sd = np.sqrt((spread ** 2).sum(axis=1, keepdims=True) / np.maximum(count, 1))
    flat = (count < 2) | (sd <= ZERO_SPREAD * np.maximum(1.0, np.abs(mean)))
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(flat, 0.0, spread / np.where(flat, 1.0, sd))
    return np.where(present, np.clip(z, -clip, clip), np.nan)


def _aggregate(scores: np.ndarray, method: DenseMethod) -> np.ndarray:
    """`engine.aggregate_domains`: weighted means into domains, then overall (NaN with none)."""
    present = ~np.isnan(scores)
    weighted = np.where(present, scores, 0.0) * method.weight
    sums = weighted @ method.domain
    weights = (present * method.weight) @ method.domain
    has_domain = present.astype(float) @ method.domain > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        domain_scores = sums / weights
    has_score = has_domain & ~np.isnan(domain_scores)
    domain_weights = has_score * method.domain_weight
    total = domain_weights.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        overall = (np.where(has_score, domain_scores, 0.0) * domain_weights).sum(axis=-1) / total
    return np.where(total > 0, overall, np.nan)


def rate_variants(*, base: DenseFigures, own: DenseFigures, rows: np.ndarray, method: DenseMethod) -> dict:
    """For each i, the type rated with row rows[i]'s figures taken from `own` and
    every other row's from `base`: that organisation's band, S, the cut-off and
    whether it was a candidate for green (arrays, one entry per i)."""
    n, k = base.this_year.shape
    size = max(1, CELLS_PER_CHUNK // max(1, n * max(k, 1)))
    parts = [_rate_chunk(base, own, rows[start:start + size], method) for start in range(0, len(rows), size)]
    if not parts:
        return {name: np.empty(0) for name in ("band", "score", "cutoff", "candidate")}
    return {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}


def _swapped(base: np.ndarray, own: np.ndarray, rows: np.ndarray) -> np.ndarray:
    out = np.repeat(base[np.newaxis], len(rows), axis=0)
    out[np.arange(len(rows)), rows] = own[rows]
    return out


def _rate_chunk(base: DenseFigures, own: DenseFigures, rows: np.ndarray, method: DenseMethod) -> dict:
    params = method.params
    b = len(rows)
    n, k = base.this_year.shape
    variants = np.arange(b)
    active = _swapped(base.active, own.active, rows)
    this_year = _swapped(base.this_year, own.this_year, rows)
    last_year = _swapped(base.last_year, own.last_year, rows)
    deprivation = _swapped(base.deprivation, own.deprivation, rows)
    has_value = ~np.isnan(this_year)

    # Step 1: coverage of the applicable indicators.
    rated = active & (k > 0) & (has_value.sum(axis=2) / max(k, 1) >= params.min_coverage - TIE_TOLERANCE)

    # Step 2: OLS over every organisation of the type with both figures (rated or not).
    adjusted = this_year
    if params.value_added and method.adjust.any():
        has_d = ~np.isnan(deprivation)[:, :, np.newaxis]
        fit = has_value & has_d & method.adjust
        count = fit.sum(axis=1, keepdims=True)
        d = np.broadcast_to(deprivation[:, :, np.newaxis], this_year.shape)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean_v = np.where(fit, this_year, 0.0).sum(axis=1, keepdims=True) / count
            mean_d = np.where(fit, d, 0.0).sum(axis=1, keepdims=True) / count
            dc = np.where(fit, d - mean_d, 0.0)
            vc = np.where(fit, this_year - mean_v, 0.0)
            dd = (dc * dc).sum(axis=1, keepdims=True)
            slope = (dc * vc).sum(axis=1, keepdims=True) / np.where(dd > 0, dd, np.nan)
        d_max = np.where(fit, d, -np.inf).max(axis=1, keepdims=True)
        d_min = np.where(fit, d, np.inf).min(axis=1, keepdims=True)
        applied = (count >= 3) & (d_max > d_min) & method.adjust
        adjust_rows = applied & has_d & has_value
        with np.errstate(invalid="ignore"):
            adjusted = np.where(adjust_rows, this_year - slope * (d - mean_d), this_year)

    # Step 3: core targets on reported figures, rated organisations only.
    core = ~np.isnan(method.threshold)
    with np.errstate(invalid="ignore"):
        met = np.where(method.sign > 0, this_year >= method.threshold, this_year <= method.threshold)
    missed = (core & has_value & ~met).sum(axis=2)
    missing = (core & ~has_value).sum(axis=2)
    failures = missed + (missing if params.missing_core_data == MISSING_CORE_FAILURE else 0)
    candidate = rated & (failures == 0)
    if params.missing_core_data == MISSING_CORE_NOT_GREEN:
        candidate &= missing == 0

    # Steps 4 and 5: clipped z-scores among the rated, level and improvement.
    rated3 = rated[:, :, np.newaxis]
    z = _standardise(adjusted * method.sign, rated3 & ~np.isnan(adjusted), params.clip_z)
    level = _aggregate(z, method)
    both = rated3 & has_value & ~np.isnan(last_year)
    delta_z = _standardise((this_year - last_year) * method.sign, both, params.clip_z)
    improvement = _aggregate(delta_z, method)

    # Step 6.
    w = params.improvement_weight
    score = level if w == 0 else (1 - w) * level + w * np.nan_to_num(improvement, nan=0.0)
    score = np.where(rated, score, np.nan)

    # Step 7: the q-th candidate's score is the cut-off.
    quota = np.floor(params.green_share * rated.sum(axis=1) + TIE_TOLERANCE).astype(int)
    ranked = np.where(candidate & ~np.isnan(score), score, -np.inf)
    ordered = -np.sort(-ranked, axis=1)
    scored = (ranked > -np.inf).sum(axis=1)
    position = np.minimum(quota, scored) - 1
    cutoff = np.where((quota > 0) & (scored > 0), ordered[variants, np.maximum(position, 0)], np.nan)

    own_score = score[variants, rows]
    own_candidate = candidate[variants, rows]
    band = np.full(b, _YELLOW)
    band[failures[variants, rows] >= params.red_core_failures] = _RED
    with np.errstate(invalid="ignore"):
        green = own_candidate & (own_score >= cutoff - TIE_TOLERANCE)
    band[green] = _GREEN
    band[~rated[variants, rows]] = _NOT_RATED
    return {"band": BAND_CODES[band], "score": own_score, "cutoff": np.where(rated[variants, rows], cutoff, np.nan),
            "candidate": own_candidate}

