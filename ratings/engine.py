"""The rating method (`shared/specs/rating-method.md`, version 2), step by step.

Pure: pandas and numpy only, no Django. One function per step of the
method, each named for it; `rate` runs them for every organisation type. Steps 7
and 8 (the green quota, bands and ranks) are in `band_steps`.

Inputs are tidy DataFrames (see `EngineInputs`); organisations and
indicators are identified by opaque keys (the adapter uses database ids), so
names never affect a result. Outputs are tidy DataFrames too (see
`EngineResult`). `counterfactuals` adds the bands without the adjustment
and without improvement; `outputs` stores the ratings.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .band_steps import (assign_bands, candidate_positions, green_candidates, green_cutoff,  # noqa: F401
                         green_quota, is_candidate, rank_scores)
from .bands import GREEN, NOT_RATED, RED, YELLOW  # noqa: F401 (re-exported)
from .parameters import DOMAINS, SchemeParameters, parameter_problems  # noqa: F401 (re-exported)
from .parameters import MISSING_CORE_FAILURE, TIE_TOLERANCE

# Bump whenever the same inputs would give different outputs; stored with every run.
ENGINE_VERSION = "2.0.0"

HIGHER_BETTER, LOWER_BETTER = "higher_better", "lower_better"
# A spread this small relative to the values is floating-point noise around
# identical values (mean of 0.1, 0.1, 0.1 is not exactly 0.1): treat it as zero.
ZERO_SPREAD = 1e-12


@dataclass(frozen=True)
class EngineInputs:
    """One year's inputs.

    organisations: organisation, type, active (open in `year`): every
        organisation of the types being rated, active or not (the
        adjustment is fitted over every organisation of the type with both
        figures in `year`).
    indicators: indicator, domain, direction, weight, adjust_for_deprivation,
        core_threshold (NaN when not a core target): performance indicators;
        optionally measure ("proportion", "rate" or "other") and multiplier,
        which only band certainty reads (`simulation`; absent: "other").
    applicability: indicator, type: which types each indicator applies to.
    results: organisation, indicator, year, value: performance results for
        `year` and `year - 1` (the year before only for improvement, on
        reported values); optionally numerator and denominator (NaN when
        not held), which only band certainty reads (absent: none).
    deprivation: organisation, year, value: the deprivation context
        indicator (only `year`'s is used since method version 2).
    """

    year: int
    organisations: pd.DataFrame
    indicators: pd.DataFrame
    applicability: pd.DataFrame
    results: pd.DataFrame
    deprivation: pd.DataFrame


@dataclass(frozen=True)
class EngineResult:
    """ratings: one row per active organisation (see `RATING_COLUMNS`).
    indicator_scores: organisation, indicator, value, adjusted, z, delta, delta_z
        for the year rated (rated organisations only).
    core_failures: organisation, indicator, value (reported), threshold, reason ("missed" or
        "no data"): every core target not met. A "no data" counts in F only under
        `missing_core_data = failure`; under `not_green` it bars green.
    adjustments: organisation, indicator, value, adjusted, deprivation, slope, status,
        for each flagged indicator in the year rated.
    fits: type, indicator, year, n, slope, intercept, mean_deprivation, applied.
    """

    ratings: pd.DataFrame
    indicator_scores: pd.DataFrame
    core_failures: pd.DataFrame
    adjustments: pd.DataFrame
    fits: pd.DataFrame


# Step 8's records. core_failures is F; missing_core the core targets with no
# figure (in F or not, by `missing_core_data`); gap_to_green is the margin
# m = S - c; candidate_position is NaN for a non-candidate; green_quota (q)
# and green_candidates are the type's, on every rated organisation's row.
RATING_COLUMNS = (
    ["organisation", "type", "band", "score", "level", "improvement", "improvement_measured"]
    + [f"level_{d}" for d in DOMAINS] + [f"improvement_{d}" for d in DOMAINS]
    + ["core_failures", "missing_core", "coverage", "reported", "applicable", "not_rated_reason", "rank",
       "candidate_position", "green_quota", "green_candidates", "green_cutoff", "gap_to_green"]
)


def rate(inputs: EngineInputs, params: SchemeParameters, reuse: dict | None = None) -> EngineResult:
    """Run the method for every organisation type in the inputs, each on its own.

    `reuse`: a dict kept between calls on the same inputs (a what-if rates
    them four times), in which each step's result is kept under the
    parameters it depends on, so a later pass computes only the steps whose
    parameters differ. The results are the same as without it."""
    parts = [rate_type(inputs, params, type_code, reuse)
             for type_code in sorted(inputs.organisations["type"].unique())]
    if not parts:
        return EngineResult(*(pd.DataFrame() for _ in range(5)))
    return EngineResult(*(pd.concat([getattr(p, name) for p in parts], ignore_index=True)
                          for name in ("ratings", "indicator_scores", "core_failures", "adjustments", "fits")))


def _kept(reuse: dict | None, key: tuple, compute):
    if reuse is None:
        return compute()
    if key not in reuse:
        reuse[key] = compute()
    return reuse[key]


def _of_type(inputs: EngineInputs, type_code):
    organisations = inputs.organisations[inputs.organisations["type"] == type_code]
    applicable = set(inputs.applicability.loc[inputs.applicability["type"] == type_code, "indicator"])
    indicators = inputs.indicators[inputs.indicators["indicator"].isin(applicable)].set_index("indicator")
    of_type = set(organisations["organisation"])
    results = inputs.results[inputs.results["organisation"].isin(of_type)
                             & inputs.results["indicator"].isin(indicators.index)]
    deprivation = inputs.deprivation[inputs.deprivation["organisation"].isin(of_type)]
    active = organisations.loc[organisations["active"], "organisation"]
    return indicators, results, deprivation, active


def rate_type(inputs: EngineInputs, params: SchemeParameters, type_code, reuse: dict | None = None) -> EngineResult:
    year = inputs.year
    indicators, results, deprivation, active = _kept(reuse, ("type", type_code), lambda: _of_type(inputs, type_code))
    # Each step under the parameters it reads (see `rate`'s `reuse`); no step changes what it is given.
    rated_by = (type_code, params.min_coverage)
    adjusted_by = (type_code, params.value_added)
    aggregated_by = (params.min_coverage, params.clip_z, tuple(sorted(params.domain_weights.items())))
    coverage = _kept(reuse, ("coverage", *rated_by), lambda: select_rated(
        active, results[results["year"] == year], indicators, params))
    rated = coverage.index[coverage["rated"]]
    # v' is used only in step 4, for year Y: only Y is fitted.
    adjusted, fits = _kept(reuse, ("adjusted", *adjusted_by), lambda: adjust_for_deprivation(
        results[results["year"] == year], deprivation, indicators, params))
    fits = fits.copy()
    fits.insert(0, "type", type_code)
    this_year = adjusted
    # Core targets and improvement read reported values only: the adjustment never reaches them.
    failures = _kept(reuse, ("failures", *rated_by), lambda: core_target_shortfalls(
        results[results["year"] == year], indicators, rated))
    level, level_domains, z = _kept(reuse, ("level", *adjusted_by, *aggregated_by), lambda: score_level(
        this_year, indicators, rated, params))
    improvement, improvement_domains, delta = _kept(reuse, ("improvement", *rated_by, *aggregated_by),
                                                    lambda: score_improvement(results, year, indicators, rated,
                                                                              params))
    measured = improvement.notna()
    score = combine_scores(level, improvement, params)
    failure_counts, missing_counts = count_core_failures(failures, rated, params)
    candidate = is_candidate(failure_counts, missing_counts, params)
    cutoff = green_cutoff(score, candidate, params)
    bands = assign_bands(score, failure_counts, candidate, cutoff, params)

    ratings = pd.DataFrame(index=coverage.index)
    ratings["organisation"] = coverage.index
    ratings["type"] = type_code
    ratings["band"] = bands.reindex(coverage.index).fillna(NOT_RATED)
    ratings["score"] = score
    ratings["level"] = level
    ratings["improvement"] = improvement.fillna(0.0).reindex(coverage.index)  # not measured: average (I = 0)
    ratings["improvement_measured"] = measured.reindex(coverage.index).astype("boolean")
    for domain in DOMAINS:
        ratings[f"level_{domain}"] = level_domains.get(domain, np.nan)
        ratings[f"improvement_{domain}"] = improvement_domains.get(domain, np.nan)
    ratings["core_failures"] = failure_counts.reindex(coverage.index).astype("Int64")
    ratings["missing_core"] = missing_counts.reindex(coverage.index).astype("Int64")
    for column in ("coverage", "reported", "applicable", "not_rated_reason"):
        ratings[column] = coverage[column]
    ratings["rank"] = rank_scores(score).astype("Int64")
    ratings["candidate_position"] = candidate_positions(score, candidate).astype("Int64")
    is_rated = (ratings["band"] != NOT_RATED).to_numpy()
    ratings["green_quota"] = pd.Series(green_quota(len(rated), params), index=rated).astype("Int64")
    ratings["green_candidates"] = pd.Series(int(candidate.sum()), index=rated).astype("Int64")
    ratings["green_cutoff"] = np.where(is_rated, cutoff, np.nan)
    ratings["gap_to_green"] = ratings["score"] - ratings["green_cutoff"]

    scores = z.join(delta[["delta", "delta_z"]], how="left").reset_index()
    flagged = this_year[this_year["status"].to_numpy() != NOT_FLAGGED]
    adjustments = flagged[["organisation", "indicator", "value", "adjusted", "deprivation", "slope"]].assign(
        status=flagged["status"].map(ADJUSTMENT_STATUS))
    return EngineResult(ratings[RATING_COLUMNS].reset_index(drop=True), scores, failures,
                        adjustments.reset_index(drop=True), fits)


NOT_FLAGGED, ADJUSTED, NO_DEPRIVATION, NO_FIT, ADJUSTMENT_OFF = range(5)
ADJUSTMENT_STATUS = {
    NOT_FLAGGED: "",
    ADJUSTED: "adjusted",
    NO_DEPRIVATION: "not adjusted: no deprivation value",
    NO_FIT: "not adjusted: fewer than 3 organisations with values, or deprivation all equal",
    ADJUSTMENT_OFF: "not adjusted: value-added adjustment is off",
}


# Step 1 -------------------------------------------------------------------

def select_rated(active: pd.Series, results: pd.DataFrame, indicators: pd.DataFrame,
                 params: SchemeParameters) -> pd.DataFrame:
    """Coverage of the applicable performance indicators; below min_coverage is not rated.

    Returns, indexed by organisation: applicable, reported, coverage, rated, not_rated_reason.
    """
    applicable = len(indicators)
    reported = (results.dropna(subset=["value"]).groupby("organisation")["indicator"].nunique()
                .reindex(pd.Index(active, name="organisation"), fill_value=0))
    frame = pd.DataFrame({"applicable": applicable, "reported": reported.astype(int)})
    frame["coverage"] = frame["reported"] / applicable if applicable else 0.0
    frame["rated"] = (frame["coverage"] >= params.min_coverage - TIE_TOLERANCE) & (applicable > 0)
    frame["not_rated_reason"] = np.where(
        frame["rated"], "",
        [f"Reported {r} of the {applicable} indicators that apply ({c:.0%}); at least "
         f"{params.min_coverage:.0%} are needed to be rated." if applicable else
         "No performance indicators apply to this type of organisation."
         for r, c in zip(frame["reported"], frame["coverage"])])
    return frame


# Step 2 -------------------------------------------------------------------

def adjust_for_deprivation(results: pd.DataFrame, deprivation: pd.DataFrame, indicators: pd.DataFrame,
                           params: SchemeParameters) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The value-added adjustment, fitted separately for each flagged indicator and year.

    OLS v = a + b*d over the organisations with both v and d (at least 3, d not
    all equal); v' = v - b*(d - mean d). Returns the results with columns
    deprivation, adjusted, slope and status (a code of ADJUSTMENT_STATUS), and
    one row per fit.
    """
    frame = results.merge(deprivation.rename(columns={"value": "deprivation"}),
                          on=["organisation", "year"], how="left")
    frame["adjusted"] = frame["value"]
    frame["slope"] = np.nan
    flagged = frame["indicator"].map(indicators["adjust_for_deprivation"]).fillna(False).astype(bool).to_numpy()
    # Small integer codes, not strings: labels are needed only for flagged rows.
    frame["status"] = np.where(flagged, ADJUSTMENT_OFF, NOT_FLAGGED).astype(np.int8)
    fit_columns = ["indicator", "year", "n", "slope", "intercept", "mean_deprivation", "applied"]
    if not params.value_added or not flagged.any():
        return frame, pd.DataFrame(columns=fit_columns)

    has_value = frame["value"].notna().to_numpy()
    has_deprivation = frame["deprivation"].notna().to_numpy()
    fit_set = frame[flagged & has_value & has_deprivation]
    groups = fit_set.groupby(["indicator", "year"])
    stats = groups.agg(n=("value", "size"), mean_v=("value", "mean"), mean_d=("deprivation", "mean"),
                       min_d=("deprivation", "min"), max_d=("deprivation", "max"))
    centred = fit_set.assign(
        dc=fit_set["deprivation"] - groups["deprivation"].transform("mean"),
        vc=fit_set["value"] - groups["value"].transform("mean"))
    centred = centred.assign(dv=centred["dc"] * centred["vc"], dd=centred["dc"] ** 2)
    sums = centred.groupby(["indicator", "year"])[["dv", "dd"]].sum()
    stats["applied"] = (stats["n"] >= 3) & (stats["max_d"] > stats["min_d"])
    stats["slope"] = np.where(stats["applied"], sums["dv"] / sums["dd"].where(sums["dd"] > 0), np.nan)
    stats["intercept"] = stats["mean_v"] - stats["slope"] * stats["mean_d"]

    keys = pd.MultiIndex.from_frame(frame[["indicator", "year"]])
    slope = stats["slope"].reindex(keys).to_numpy()
    mean_d = stats["mean_d"].reindex(keys).to_numpy()
    applied = stats["applied"].reindex(keys).fillna(False).to_numpy(dtype=bool) & flagged
    adjust_rows = applied & has_deprivation & has_value
    frame.loc[adjust_rows, "adjusted"] = (frame["value"] - slope * (frame["deprivation"] - mean_d))[adjust_rows]
    frame["slope"] = np.where(applied, slope, np.nan)
    status = np.full(len(frame), NO_FIT, dtype=np.int8)
    status[~flagged] = NOT_FLAGGED
    status[applied & ~has_deprivation] = NO_DEPRIVATION
    status[adjust_rows] = ADJUSTED
    frame["status"] = status
    fits = stats.reset_index().rename(columns={"mean_d": "mean_deprivation"})[fit_columns]
    return frame, fits


# Step 3 -------------------------------------------------------------------

def core_target_shortfalls(results: pd.DataFrame, indicators: pd.DataFrame, rated: pd.Index) -> pd.DataFrame:
    """Each core target a rated organisation did not meet, judged on its
    reported value (never the adjusted one: a target is a standard, and
    others' figures must not move it): value, threshold, and reason
    "missed", or "no data" when there is no value."""
    core = indicators[indicators["core_threshold"].notna()]
    columns = ["organisation", "indicator", "value", "threshold", "reason"]
    if core.empty or rated.empty:
        return pd.DataFrame(columns=columns)
    grid = pd.MultiIndex.from_product([rated, core.index], names=["organisation", "indicator"])
    values = (results[results["indicator"].isin(core.index)].dropna(subset=["value"])
              .set_index(["organisation", "indicator"])["value"].reindex(grid))
    frame = values.rename("value").reset_index()
    frame["threshold"] = frame["indicator"].map(core["core_threshold"])
    higher = frame["indicator"].map(core["direction"]) == HIGHER_BETTER
    passed = np.where(higher, frame["value"] >= frame["threshold"], frame["value"] <= frame["threshold"])
    frame["reason"] = np.where(frame["value"].isna(), "no data", "missed")
    return frame[~passed | frame["value"].isna()][columns].reset_index(drop=True)


def count_core_failures(shortfalls: pd.DataFrame, rated: pd.Index,
                        params: SchemeParameters) -> tuple[pd.Series, pd.Series]:
    """F (missed targets, and missing figures under `missing_core_data =
    failure`) and the number of missing core figures, per rated organisation."""
    no_data = shortfalls["reason"] == "no data"
    missing = shortfalls[no_data].groupby("organisation").size().reindex(rated, fill_value=0)
    counted = shortfalls if params.missing_core_data == MISSING_CORE_FAILURE else shortfalls[~no_data]
    failures = counted.groupby("organisation").size().reindex(rated, fill_value=0)
    return failures.astype(int), missing.astype(int)


# Step 4 -------------------------------------------------------------------

def standardise(values: pd.Series, by: pd.Series, clip: float) -> pd.Series:
    """(x - mean) / sd within each group, population sd; 0 for all when the
    spread is zero or fewer than 2 values; clipped to +-clip."""
    groups = values.groupby(by)
    mean = groups.transform("mean")
    sd = groups.transform("std", ddof=0)
    count = groups.transform("count")
    flat = (count < 2) | (sd <= ZERO_SPREAD * np.maximum(1.0, mean.abs()))
    z = ((values - mean) / sd.where(~flat)).where(~flat, 0.0)
    return z.clip(-clip, clip)


def sign_of(direction: pd.Series) -> pd.Series:
    return np.where(direction == HIGHER_BETTER, 1.0, -1.0)


def aggregate_domains(scores: pd.DataFrame, column: str, indicators: pd.DataFrame,
                      params: SchemeParameters) -> tuple[pd.Series, dict[str, pd.Series]]:
    """Weighted mean of a per-indicator score into domain scores (indicator
    weights), then into one overall score (domain weights)."""
    frame = scores[["organisation", "indicator", column]].dropna(subset=[column])
    frame = frame.assign(domain=frame["indicator"].map(indicators["domain"]),
                         weight=frame["indicator"].map(indicators["weight"]))
    frame["weighted"] = frame[column] * frame["weight"]
    sums = frame.groupby(["organisation", "domain"])[["weighted", "weight"]].sum()
    domain_scores = (sums["weighted"] / sums["weight"]).unstack("domain")
    domain_weight = pd.Series(params.domain_weights)
    weights = domain_scores.notna().mul(domain_weight.reindex(domain_scores.columns), axis=1)
    total = weights.sum(axis=1)
    overall = (domain_scores.fillna(0.0) * weights).sum(axis=1) / total.where(total > 0)
    return overall, {d: domain_scores[d] for d in domain_scores.columns}


def score_level(results: pd.DataFrame, indicators: pd.DataFrame, rated: pd.Index,
                params: SchemeParameters):
    """Level score L: clipped z-scores of this year's adjusted values among the
    rated organisations, averaged into domains and then overall."""
    frame = results[results["organisation"].isin(rated)].dropna(subset=["adjusted"]).copy()
    signed = frame["adjusted"] * sign_of(frame["indicator"].map(indicators["direction"]))
    frame["z"] = standardise(signed, frame["indicator"], params.clip_z)
    level, domains = aggregate_domains(frame, "z", indicators, params)
    z = frame.set_index(["organisation", "indicator"])[["value", "adjusted", "z"]]
    return level.reindex(rated), {d: s.reindex(rated) for d, s in domains.items()}, z


# Step 5 -------------------------------------------------------------------

def score_improvement(results: pd.DataFrame, year: int, indicators: pd.DataFrame, rated: pd.Index,
                      params: SchemeParameters):
    """Improvement score I: clipped z-scores of the signed year-on-year change
    in reported values (never adjusted: each year's own slope would show a
    change where the figures did not move), for organisations with both
    years. NaN for an organisation with no change at all (not measured)."""
    frame = results[results["organisation"].isin(rated)].dropna(subset=["value"])
    columns = ["organisation", "indicator", "value"]
    both = frame.loc[frame["year"] == year, columns].merge(
        frame.loc[frame["year"] == year - 1, columns], on=["organisation", "indicator"],
        suffixes=("", "_previous"))
    if both.empty:
        empty = pd.DataFrame(columns=["delta", "delta_z"],
                             index=pd.MultiIndex.from_arrays([[], []], names=["organisation", "indicator"]))
        return pd.Series(np.nan, index=rated), {}, empty
    both["delta"] = (both["value"] - both["value_previous"]) * sign_of(both["indicator"].map(indicators["direction"]))
    both["delta_z"] = standardise(both["delta"], both["indicator"], params.clip_z)
    improvement, domains = aggregate_domains(both, "delta_z", indicators, params)
    delta = both.set_index(["organisation", "indicator"])[["delta", "delta_z"]]
    return improvement.reindex(rated), {d: s.reindex(rated) for d, s in domains.items()}, delta


# Step 6 -------------------------------------------------------------------

def combine_scores(level: pd.Series, improvement: pd.Series, params: SchemeParameters) -> pd.Series:
    """S = (1 - w) L + w I, with I = 0 (average improvement) when not measured,
    so that every organisation is on the same scale."""
    w = params.improvement_weight
    if w == 0:
        return level.copy()
    return (1 - w) * level + w * improvement.fillna(0.0)


# Steps 7 and 8: `band_steps`.
