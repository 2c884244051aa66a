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
# pass holds about a dozen such arrays (8 MB each here): small enough to be reused
# from the heap rather than mapped afresh (and page-faulted) for every pass.
BATCH_ELEMENTS = 1_000_000


@dataclass(frozen=True)
class TypeArrays:
    """One organisation type's inputs for one year, as dense arrays.

    organisations: keys of every organisation of the type (active or not:
        the adjustment is fitted over all of them), sorted; `active` says
        which are open in the year (only those can be rated).
    indicators: keys of the performance indicators that apply, by domain
        (as `domain`: each domain's are one slice) then key, with
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
    domain_index = {d: i for i, d in enumerate(DOMAINS)}
    # By domain, then key: each domain's indicators are one slice of the arrays.
    indicators = (inputs.indicators[inputs.indicators["indicator"].isin(applicable)]
                  .drop_duplicates("indicator"))
    indicators = indicators.assign(domain_index=indicators["domain"].map(domain_index)).sort_values(
        ["domain_index", "indicator"])
    ind_keys = indicators["indicator"].to_numpy()
    results = inputs.results
    results = results[results["organisation"].isin(org_keys) & results["indicator"].isin(ind_keys)]

    def dense(year):
        table = np.full((len(org_keys), len(ind_keys)), np.nan)
        rows = results[results["year"] == year]
        table[np.searchsorted(org_keys, rows["organisation"].to_numpy()),
              positions(ind_keys, rows["indicator"].to_numpy())] = rows["value"].to_numpy(dtype=float)
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
        domain=indicators["domain_index"].to_numpy(dtype=np.intp),
        core_threshold=indicators["core_threshold"].to_numpy(dtype=float),
        adjust=indicators["adjust_for_deprivation"].to_numpy(dtype=bool),
        values=dense(inputs.year), previous=dense(inputs.year - 1), deprivation=deprivation)


def positions(keys: np.ndarray, wanted) -> np.ndarray:
    """Where each of `wanted` is in `keys` (every one must be there)."""
    order = np.argsort(keys, kind="stable")
    return order[np.searchsorted(keys, wanted, sorter=order)]


def batch_size(arrays: TypeArrays) -> int:
    """How many draws of this type one pass of `rate_batch` should take, so its memory stays bounded."""
    cells = max(1, len(arrays.organisations) * max(1, len(arrays.indicators)))
    return max(1, BATCH_ELEMENTS // cells)


def rate_batch(arrays: TypeArrays, params: SchemeParameters, values: np.ndarray | None = None,
               previous: np.ndarray | None = None, deprivation: np.ndarray | None = None, *,
               indicators_first: bool = False) -> BatchRatings:
    """Steps 1 to 7 for B value-arrays at once.

    values, previous: (B, organisations, indicators) figures for the year and
    the year before (default: the reported ones, B = 1), or (B, indicators,
    organisations) with `indicators_first` (the layout the computation uses:
    a caller that builds many arrays saves a copy); deprivation:
    (organisations,) or (B, organisations) (default: the reported one).
    Memory grows with B: `batch_size` says how many to pass at a time."""

    def layout(given, reported):
        if given is None:
            return reported.T[None]
        given = np.asarray(given, dtype=float)
        given = given[None] if given.ndim == 2 else given
        return given if indicators_first else given.transpose(0, 2, 1)

    values, previous = layout(values, arrays.values), layout(previous, arrays.previous)
    draws = max(values.shape[0], previous.shape[0])
    shape = (draws, len(arrays.indicators), len(arrays.organisations))
    values, previous = np.broadcast_to(values, shape), np.broadcast_to(previous, shape)
    deprivation = arrays.deprivation if deprivation is None else np.asarray(deprivation, dtype=float)
    deprivation = np.broadcast_to(deprivation, (draws, len(arrays.organisations)))
    with np.errstate(invalid="ignore", divide="ignore"):
        return _rate(arrays, params, values, previous, deprivation)


# Arrays below are (draws, indicators, organisations): sums over organisations
# run along contiguous memory, and the domain sums are one matrix product.

def _rate(arrays: TypeArrays, params: SchemeParameters, values, previous, deprivation) -> BatchRatings:
    draws, indicator_count, organisations = values.shape
    has = ~np.isnan(values)

    # Step 1: who is rated.
    if indicator_count:
        coverage = has.sum(axis=1) / indicator_count
        rated = arrays.active[None, :] & (coverage >= params.min_coverage - TIE_TOLERANCE)
    else:
        rated = np.zeros((draws, organisations), dtype=bool)

    # Step 2: the value-added adjustment, fitted over every organisation of the type.
    sign = arrays.sign[None, :, None]
    signed = values * sign
    flagged = np.flatnonzero(arrays.adjust)
    if params.value_added and flagged.size:
        signed[:, flagged] = _adjusted(values[:, flagged], has[:, flagged], deprivation) * sign[:, flagged]

    # Step 3: core targets, on reported values.
    core = np.flatnonzero(~np.isnan(arrays.core_threshold))
    core_values = values[:, core]
    threshold = arrays.core_threshold[core][None, :, None]
    higher = (arrays.sign[core] > 0)[None, :, None]
    passed = np.where(higher, core_values >= threshold, core_values <= threshold)
    no_data = np.isnan(core_values)
    missed = (~passed & ~no_data).sum(axis=1)
    missing = no_data.sum(axis=1)
    failures = missed + missing if params.missing_core_data == MISSING_CORE_FAILURE else missed
    failures = np.where(rated, failures, 0)
    missing = np.where(rated, missing, 0)

    # Step 4: level score, over the rated organisations (v' is NaN exactly where v is).
    in_level = rated[:, None, :] & has
    level = _aggregated(_standardised(signed, in_level, params.clip_z), in_level, arrays, params)

    # Step 5: improvement, on reported values.
    in_change = in_level & ~np.isnan(previous)
    change = np.subtract(values, previous, out=signed)
    change *= sign
    improvement = _aggregated(_standardised(change, in_change, params.clip_z), in_change, arrays, params)
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
    d = deprivation[:, None, :]
    fit = has & ~np.isnan(d)
    n = fit.sum(axis=2)
    dc = np.where(fit, d, 0.0)
    vc = np.where(fit, values, 0.0)
    mean_d = dc.sum(axis=2) / np.maximum(n, 1)
    mean_v = vc.sum(axis=2) / np.maximum(n, 1)
    spread = (np.where(fit, d, -np.inf).max(axis=2) > np.where(fit, d, np.inf).min(axis=2))
    dc -= mean_d[:, :, None]
    dc *= fit
    vc -= mean_v[:, :, None]
    vc *= fit
    dd = np.einsum("bio,bio->bi", dc, dc)
    applied = (n >= 3) & spread & (dd > 0)
    slope = np.where(applied, np.einsum("bio,bio->bi", dc, vc) / np.where(dd > 0, dd, 1.0), 0.0)
    shifted = values - slope[:, :, None] * (d - mean_d[:, :, None])
    return np.where(applied[:, :, None] & fit, shifted, values)


def _standardised(values, present, clip):
    """(x - mean) / sd per draw and indicator over the present cells,
    population sd; 0 when the spread is zero or fewer than 2 values; clipped.
    0 where not present (the aggregation counts only present cells). In
    place on one array: at 10,000 organisations each pass over the cells costs."""
    count = present.sum(axis=2)
    z = np.where(present, values, 0.0)
    mean = z.sum(axis=2) / np.maximum(count, 1)
    z -= mean[:, :, None]
    z *= present
    sd = np.sqrt(np.einsum("bio,bio->bi", z, z) / count)
    flat = (count < 2) | (sd <= ZERO_SPREAD * np.maximum(1.0, np.abs(mean)))
    z /= np.where(flat, np.inf, sd)[:, :, None]  # flat: every z is 0
    return np.clip(z, -clip, clip, out=z)


def _aggregated(scores, present, arrays: TypeArrays, params: SchemeParameters):
    """Weighted mean of per-indicator scores (0 where not present) into
    domains (indicator weights), then over the domains that have one (domain
    weights). NaN for none. (draws, organisations)."""
    draws, _, organisations = scores.shape
    bounds = np.searchsorted(arrays.domain, np.arange(len(DOMAINS) + 1))
    overall = np.zeros((draws, organisations))
    total = np.zeros((draws, organisations))
    for domain, name in enumerate(DOMAINS):
        first, last = bounds[domain], bounds[domain + 1]
        if first == last:
            continue
        # Each domain's indicators are one slice: weighted sums without a gather (nor BLAS,
        # whose threads wait on each other on a busy machine).
        weight = arrays.weight[first:last]
        cells = present[:, first:last]
        domain_score = (np.einsum("bio,i->bo", scores[:, first:last], weight)
                        / np.einsum("bio,i->bo", cells, weight))
        has_domain = cells.any(axis=1) & ~np.isnan(domain_score)
        domain_weight = params.domain_weights[name]
        overall += np.where(has_domain, domain_score * domain_weight, 0.0)
        total += has_domain * domain_weight
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

