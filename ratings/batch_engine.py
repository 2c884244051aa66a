"""Steps 1 to 7 of the method (`shared/specs/rating-method.md`, version 2)
for many sets of figures at once: the batched engine.

Pure numpy, no Django and no pandas in the computation (pandas only to
read `EngineInputs` once). One organisation type's inputs become dense
arrays (`TypeArrays`: organisations x indicators, NaN where a figure is
missing); `rate_batch` then rates B value-arrays of shape (B, organisations,
indicators) together and gives, per draw and organisation, what `engine`
records: band, S, L, I, F, missing core figures, rank, candidate position,
the green cut-off and the margin. For one array of the reported values it
gives exactly the engine's bands, ranks and candidate positions, and its
scores within 1e-9 (tests/ratings/test_batch_engine.py).

The arrays of a call need not be draws of one state: a caller may pass any B
value-arrays (say, copies of the reported figures with one organisation's
swapped) and, with them, B deprivation vectors. Parameters are given per
call, never kept in `TypeArrays`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .engine import HIGHER_BETTER, ZERO_SPREAD, EngineInputs
from .parameters import DOMAINS, MISSING_CORE_FAILURE, MISSING_CORE_NOT_GREEN, TIE_TOLERANCE, SchemeParameters

# Band codes, ordered so that a larger code is a better band (red < yellow < green).
NOT_RATED_CODE, RED_CODE, YELLOW_CODE, GREEN_CODE = 0, 1, 2, 3
BAND_NAMES = ("not_rated", "red", "yellow", "green")  # indexed by code; the same words as `bands`

# Elements of one (draws x organisations x indicators) array in one pass: the
# pass holds about a dozen such arrays, so this bounds its memory (~40 MB each).
BATCH_ELEMENTS = 5_000_000


@dataclass(frozen=True)
class TypeArrays:
    """One organisation type's inputs for one year, as dense arrays.

    organisations: keys of every organisation of the type (active or not:
        the adjustment is fitted over all of them), sorted; `active` says
        which are open in the year (only those can be rated).
    indicators: keys of the performance indicators that apply, sorted, with
        `sign` (+1 higher better, -1 lower better), `weight`, `domain` (index
        into `DOMAINS`), `core_threshold` (NaN: not a core target) and
        `adjust` (flagged for the deprivation adjustment).
    values, previous: reported figures in the year and the year before,
        (organisations, indicators), NaN where missing.
    deprivation: the year's deprivation value per organisation, NaN where missing.
    """

    type_code: str
    organisations: np.ndarray
    active: np.ndarray
    indicators: np.ndarray
    sign: np.ndarray
    weight: np.ndarray
    domain: np.ndarray
    core_threshold: np.ndarray
    adjust: np.ndarray
    values: np.ndarray
    previous: np.ndarray
    deprivation: np.ndarray


@dataclass(frozen=True)
class BatchRatings:
    """Per draw (first axis) and organisation (second, as `TypeArrays.organisations`).

    band: codes (`BAND_NAMES`); score, level, improvement (0 when not
    measured, as the engine records it), NaN for an organisation not rated;
    failures (F) and missing_core, 0 when not rated; rank and
    candidate_position, 0 for none; cutoff (c), quota (q) and candidates per
    draw; margin = S - c, NaN when there is no cut-off or no rating."""

    band: np.ndarray
    score: np.ndarray
    level: np.ndarray
    improvement: np.ndarray
    improvement_measured: np.ndarray
    failures: np.ndarray
    missing_core: np.ndarray
    rank: np.ndarray
    candidate_position: np.ndarray
    cutoff: np.ndarray
    quota: np.ndarray
    candidates: np.ndarray
    margin: np.ndarray


def type_arrays(inputs: EngineInputs) -> dict[str, TypeArrays]:
    """Dense arrays for every organisation type in the inputs (as `engine.rate` rates them)."""
    return {type_code: _arrays_of_type(inputs, type_code)
            for type_code in sorted(inputs.organisations["type"].unique())}


def _arrays_of_type(inputs: EngineInputs, type_code) -> TypeArrays:
    organisations = inputs.organisations[inputs.organisations["type"] == type_code]
    organisations = organisations.drop_duplicates("organisation").sort_values("organisation")
    org_keys = organisations["organisation"].to_numpy()
    applicable = set(inputs.applicability.loc[inputs.applicability["type"] == type_code, "indicator"])
    indicators = (inputs.indicators[inputs.indicators["indicator"].isin(applicable)]
                  .drop_duplicates("indicator").sort_values("indicator"))
    ind_keys = indicators["indicator"].to_numpy()
    domain_index = {d: i for i, d in enumerate(DOMAINS)}
    results = inputs.results
    results = results[results["organisation"].isin(org_keys) & results["indicator"].isin(ind_keys)]

    def dense(year):
        table = np.full((len(org_keys), len(ind_keys)), np.nan)
        rows = results[results["year"] == year]
        table[np.searchsorted(org_keys, rows["organisation"].to_numpy()),
              np.searchsorted(ind_keys, rows["indicator"].to_numpy())] = rows["value"].to_numpy(dtype=float)
        return table

    deprivation = np.full(len(org_keys), np.nan)
    rows = inputs.deprivation[(inputs.deprivation["year"] == inputs.year)
                              & inputs.deprivation["organisation"].isin(org_keys)]
    deprivation[np.searchsorted(org_keys, rows["organisation"].to_numpy())] = rows["value"].to_numpy(dtype=float)
    return TypeArrays(
        type_code=type_code, organisations=org_keys,
        active=organisations["active"].to_numpy(dtype=bool),
        indicators=ind_keys,
        sign=np.where(indicators["direction"].to_numpy() == HIGHER_BETTER, 1.0, -1.0),
        weight=indicators["weight"].to_numpy(dtype=float),
        domain=np.array([domain_index[d] for d in indicators["domain"]], dtype=np.intp),
        core_threshold=indicators["core_threshold"].to_numpy(dtype=float),
        adjust=indicators["adjust_for_deprivation"].to_numpy(dtype=bool),
        values=dense(inputs.year), previous=dense(inputs.year - 1), deprivation=deprivation)


def batch_size(arrays: TypeArrays) -> int:
    """How many draws of this type one pass of `rate_batch` should take, so its memory stays bounded."""
    cells = max(1, len(arrays.organisations) * max(1, len(arrays.indicators)))
    return max(1, BATCH_ELEMENTS // cells)


def rate_batch(arrays: TypeArrays, params: SchemeParameters, values: np.ndarray | None = None,
               previous: np.ndarray | None = None, deprivation: np.ndarray | None = None) -> BatchRatings:
    """Steps 1 to 7 for B value-arrays at once.

    values, previous: (B, organisations, indicators) figures for the year and
    the year before (default: the reported ones, B = 1); deprivation:
    (organisations,) or (B, organisations) (default: the reported one).
    Memory grows with B: `batch_size` says how many to pass at a time."""
    values = arrays.values[None] if values is None else np.asarray(values, dtype=float)
    previous = arrays.previous[None] if previous is None else np.asarray(previous, dtype=float)
    if values.ndim == 2:
        values = values[None]
    if previous.ndim == 2:
        previous = previous[None]
    draws = max(values.shape[0], previous.shape[0])
    values = np.broadcast_to(values, (draws, *arrays.values.shape))
    previous = np.broadcast_to(previous, (draws, *arrays.values.shape))
    deprivation = arrays.deprivation if deprivation is None else np.asarray(deprivation, dtype=float)
    deprivation = np.broadcast_to(deprivation, (draws, len(arrays.organisations)))
    with np.errstate(invalid="ignore", divide="ignore"):
        return _rate(arrays, params, values, previous, deprivation)


def _rate(arrays: TypeArrays, params: SchemeParameters, values, previous, deprivation) -> BatchRatings:
    draws, organisations, indicator_count = values.shape
    has = ~np.isnan(values)

    # Step 1: who is rated.
    if indicator_count:
        coverage = has.sum(axis=2) / indicator_count
        rated = arrays.active[None, :] & (coverage >= params.min_coverage - TIE_TOLERANCE)
    else:
        rated = np.zeros((draws, organisations), dtype=bool)

    # Step 2: the value-added adjustment, fitted over every organisation of the type.
    adjusted = values
    flagged = np.flatnonzero(arrays.adjust)
    if params.value_added and flagged.size:
        adjusted = values.copy()
        adjusted[:, :, flagged] = _adjusted(values[:, :, flagged], has[:, :, flagged], deprivation)

    # Step 3: core targets, on reported values.
    core = np.flatnonzero(~np.isnan(arrays.core_threshold))
    core_values = values[:, :, core]
    threshold = arrays.core_threshold[core]
    higher = arrays.sign[core] > 0
    passed = np.where(higher, core_values >= threshold, core_values <= threshold)
    no_data = np.isnan(core_values)
    missed = (~passed & ~no_data).sum(axis=2)
    missing = no_data.sum(axis=2)
    failures = missed + missing if params.missing_core_data == MISSING_CORE_FAILURE else missed
    failures = np.where(rated, failures, 0)
    missing = np.where(rated, missing, 0)

    # Step 4: level score, over the rated organisations.
    in_level = rated[:, :, None] & ~np.isnan(adjusted)
    z = _standardised(adjusted * arrays.sign, in_level, params.clip_z)
    level = _aggregated(z, in_level, arrays, params)

    # Step 5: improvement, on reported values.
    in_change = rated[:, :, None] & has & ~np.isnan(previous)
    delta_z = _standardised((values - previous) * arrays.sign, in_change, params.clip_z)
    improvement = _aggregated(delta_z, in_change, arrays, params)
    measured = ~np.isnan(improvement)

    # Step 6: final score.
    w = params.improvement_weight
    score = level.copy() if w == 0 else (1 - w) * level + w * np.where(measured, improvement, 0.0)
    score[~rated] = np.nan

    # Step 7: bands.
    rated_count = rated.sum(axis=1)
    quota = np.floor(params.green_share * rated_count + TIE_TOLERANCE).astype(np.int64)
    candidate = rated & (failures == 0)
    if params.missing_core_data == MISSING_CORE_NOT_GREEN:
        candidate &= missing == 0
    cutoff = _cutoffs(np.where(candidate, score, np.nan), quota)
    band = np.where(rated, YELLOW_CODE, NOT_RATED_CODE).astype(np.int8)
    band[rated & (failures >= params.red_core_failures)] = RED_CODE
    band[candidate & (score >= cutoff[:, None] - TIE_TOLERANCE)] = GREEN_CODE

    return BatchRatings(
        band=band, score=score, level=np.where(rated, level, np.nan),
        improvement=np.where(rated, np.where(measured, improvement, 0.0), np.nan),
        improvement_measured=rated & measured, failures=failures, missing_core=missing,
        rank=_ranks(score), candidate_position=_ranks(np.where(candidate, score, np.nan)),
        cutoff=cutoff, quota=quota, candidates=candidate.sum(axis=1),
        margin=np.where(rated, score - cutoff[:, None], np.nan))


def _adjusted(values, has, deprivation):
    """v' = v - b (d - mean d) per draw and flagged indicator, b fitted by OLS
    over the organisations with both v and d (at least 3, d not all equal)."""
    has_d = ~np.isnan(deprivation)[:, :, None]
    fit = has & has_d
    n = fit.sum(axis=1)
    d = np.where(fit, deprivation[:, :, None], 0.0)
    v = np.where(fit, values, 0.0)
    mean_d = d.sum(axis=1) / n
    mean_v = v.sum(axis=1) / n
    dc = np.where(fit, deprivation[:, :, None] - mean_d[:, None, :], 0.0)
    vc = np.where(fit, values - mean_v[:, None, :], 0.0)
    dd = (dc * dc).sum(axis=1)
    spread = (np.where(fit, deprivation[:, :, None], -np.inf).max(axis=1)
              > np.where(fit, deprivation[:, :, None], np.inf).min(axis=1))
    applied = (n >= 3) & spread & (dd > 0)
    slope = np.where(applied, (dc * vc).sum(axis=1) / np.where(dd > 0, dd, 1.0), 0.0)
    shifted = values - slope[:, None, :] * (deprivation[:, :, None] - mean_d[:, None, :])
    return np.where(applied[:, None, :] & fit, shifted, values)


def _standardised(values, present, clip):
    """(x - mean) / sd per draw and indicator over the present cells,
    population sd; 0 when the spread is zero or fewer than 2 values; clipped.
    NaN where not present."""
    count = present.sum(axis=1)
    x = np.where(present, values, 0.0)
    mean = x.sum(axis=1) / count
    centred = np.where(present, values - mean[:, None, :], 0.0)
    sd = np.sqrt((centred * centred).sum(axis=1) / count)
    flat = (count < 2) | (sd <= ZERO_SPREAD * np.maximum(1.0, np.abs(mean)))
    z = np.where(flat[:, None, :], 0.0, centred / np.where(flat, 1.0, sd)[:, None, :])
    return np.where(present, np.clip(z, -clip, clip), np.nan)


def _aggregated(scores, present, arrays: TypeArrays, params: SchemeParameters):
    """Weighted mean of per-indicator scores into domains (indicator weights),
    then over the domains that have one (domain weights). NaN for none."""
    membership = np.zeros((len(arrays.indicators), len(DOMAINS)))
    membership[np.arange(len(arrays.indicators)), arrays.domain] = 1.0
    weighted = np.where(present, scores * arrays.weight, 0.0)
    weights = np.where(present, arrays.weight, 0.0)
    count = present.astype(float) @ membership
    domain_scores = np.where(count > 0, (weighted @ membership) / (weights @ membership), np.nan)
    domain_weight = np.array([params.domain_weights[d] for d in DOMAINS])
    has_domain = ~np.isnan(domain_scores)
    weight_of = np.where(has_domain, domain_weight, 0.0)
    total = weight_of.sum(axis=2)
    overall = (np.where(has_domain, domain_scores, 0.0) * weight_of).sum(axis=2)
    return np.where(total > 0, overall / np.where(total > 0, total, 1.0), np.nan)


def _cutoffs(candidate_scores, quota):
    """c per draw: S of the q-th best candidate (of the last when fewer than q); NaN for none."""
    scores = np.where(np.isnan(candidate_scores), -np.inf, candidate_scores)
    best_first = -np.sort(-scores, axis=1)
    available = (~np.isnan(candidate_scores)).sum(axis=1)
    position = np.minimum(quota, available) - 1
    cutoff = np.take_along_axis(best_first, np.maximum(position, 0)[:, None], axis=1)[:, 0]
    return np.where((quota > 0) & (available > 0), cutoff, np.nan)


def _ranks(scores):
    """Rank of each score in its draw, 1 = best; scores within TIE_TOLERANCE of
    the one above share its rank (chains included, as `band_steps.rank_scores`).
    0 for no score."""
    draws, organisations = scores.shape
    if organisations == 0:
        return np.zeros(scores.shape, dtype=np.int64)
    missing = np.isnan(scores)
    order = np.argsort(np.where(missing, np.inf, -scores), axis=1, kind="stable")
    ordered = np.take_along_axis(scores, order, axis=1)
    starts = np.ones(ordered.shape, dtype=bool)
    starts[:, 1:] = ~((ordered[:, :-1] - ordered[:, 1:]) <= TIE_TOLERANCE)
    positions = np.where(starts, np.arange(1, organisations + 1), 0)
    ranked = np.maximum.accumulate(positions, axis=1)
    ranks = np.empty_like(ranked)
    np.put_along_axis(ranks, order, ranked, axis=1)
    return np.where(missing, 0, ranks)


def rate_in_batches(arrays: TypeArrays, params: SchemeParameters, values, previous, deprivation=None):
    """`rate_batch` over any number of arrays, `batch_size` at a time; the results concatenated."""
    step = batch_size(arrays)
    parts = [rate_batch(arrays, params, values[start:start + step], previous[start:start + step],
                        None if deprivation is None or np.ndim(deprivation) == 1
                        else deprivation[start:start + step])
             for start in range(0, len(values), step)]
    return BatchRatings(*(np.concatenate([getattr(p, name) for p in parts])
                          for name in BatchRatings.__dataclass_fields__))

