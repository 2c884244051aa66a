"""The engine's tables as rows of the ratings table, ready for a bulk write.
Pure: pandas, numpy and orjson, no Django.

Every rating carries its per-indicator detail as JSON, so at national scale
encoding it is most of the write. The JSON columns are encoded here straight
from float arrays with orjson (NaN becomes null, as JSON needs), one call per
organisation; the per-indicator scores, most of the bytes, with no Python
object per value in between. The shapes are
exactly those the readers expect (see `Rating`'s help texts), and reading a
row back gives the same values as the engine's, rounded as documented.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import orjson
import pandas as pd

from .engine import DOMAINS, EngineResult
from .parameters import TIE_TOLERANCE
from .standings import STANDING_FIELDS, Adjustment, CoreFailure, IndicatorScore

# Column order of the rows, as in the ratings table (without id and run_id, added by the writer).
COLUMNS = ["organisation_id", "band", "band_without_adjustment", "band_without_improvement", "score",
           "score_without_adjustment", "level_score", "improvement_score", "improvement_measured", "domain_scores",
           "core_targets_failed", "core_failures", "rank", "candidate_position", "green_quota", "green_candidates",
           "green_cutoff", "gap_to_green", "coverage", "not_rated_reason", "adjustments", "indicator_scores",
           "peer_standings", "change_reason", "decomposition"]
JSON_COLUMNS = {"domain_scores", "core_failures", "adjustments", "indicator_scores", "decomposition"}
# The JSON shapes' fields, as their reader (standings.py) names them: numbers, then texts; the
# indicator code is the key (or, in a list of objects, the first field).
SCORE_NUMBERS = list(IndicatorScore._fields)
FUNNEL_NUMBERS = SCORE_NUMBERS[-3:]  # numerator, denominator, funnel: stored with a run's funnel figures
STANDING_NUMBERS, STANDING_TEXTS = ["position", "count", "tied_with"], ["quarter"]
FAILURE_NUMBERS, FAILURE_TEXTS = list(CoreFailure._fields[1:-1]), list(CoreFailure._fields[-1:])
ADJUSTMENT_NUMBERS, ADJUSTMENT_TEXTS = list(Adjustment._fields[1:-1]), list(Adjustment._fields[-1:])
# Shown to 4 places (S, L and I are stored in full): shorter JSON, and reproducible to 1e-6 where it matters.
SCORE_ROUNDING = {"adjusted": 6, "z": 4, "delta_z": 4}
ADJUSTMENT_ROUNDING = {"adjusted": 6, "slope": 6}


def rating_rows(result: EngineResult, ratings: pd.DataFrame, codes: dict[int, str], summary: dict,
                funnel_figures: pd.DataFrame | None = None) -> Iterator[tuple]:
    """One tuple per row of `ratings` (some of `result.ratings`, with the
    columns of `counterfactuals`), in COLUMNS order; JSON columns as text.
    `codes` maps indicator keys to codes; `summary` is the run's peer summary
    (`peers.summarise`); `funnel_figures` (organisation, indicator, numerator,
    denominator, funnel: see `outputs.funnel_figures`) are stored beside each
    indicator's scores (null where there are none)."""
    organisations = ratings["organisation"].to_numpy()
    table = result.indicator_scores
    if funnel_figures is not None and not table.empty:
        table = table.merge(funnel_figures[["organisation", "indicator", *FUNNEL_NUMBERS]],
                            on=["organisation", "indicator"], how="left")  # keeps the engine's order
    # Without funnel figures (an indicator with no counts, or none given), null.
    table = table.reindex(columns=[*table.columns.difference(FUNNEL_NUMBERS, sort=False), *FUNNEL_NUMBERS])
    rounded_scores = table.round(SCORE_ROUNDING)
    scores = _per_organisation(rounded_scores, organisations, codes, SCORE_NUMBERS, _scores_json)
    of_these = rounded_scores[rounded_scores["organisation"].isin(organisations)]
    standings = _per_organisation(peer_standings(of_these, summary, codes), organisations, codes,
                                  STANDING_NUMBERS, _standings_json, text_columns=STANDING_TEXTS)
    failures = _per_organisation(result.core_failures, organisations, codes, FAILURE_NUMBERS,
                                 _failures_json, text_columns=FAILURE_TEXTS)
    adjustments = _per_organisation(result.adjustments.round(ADJUSTMENT_ROUNDING), organisations, codes,
                                    ADJUSTMENT_NUMBERS, _adjustments_json, text_columns=ADJUSTMENT_TEXTS)
    level = ratings[[f"level_{d}" for d in DOMAINS]].to_numpy(dtype=float).tolist()
    improvement = ratings[[f"improvement_{d}" for d in DOMAINS]].to_numpy(dtype=float).tolist()
    domain_scores = [orjson.dumps({"level": dict(zip(DOMAINS, lv)), "improvement": dict(zip(DOMAINS, iv))}).decode()
                     for lv, iv in zip(level, improvement)]
    organisation_ids = organisations.tolist()
    columns = [
        organisation_ids, ratings["band"].tolist(), ratings["band_without_adjustment"].tolist(),
        ratings["band_without_improvement"].tolist(), _floats(ratings["score"]),
        _floats(ratings["score_without_adjustment"]),
        _floats(ratings["level"]), _floats(ratings["improvement"]), _booleans(ratings["improvement_measured"]),
        domain_scores, _integers(ratings["core_failures"]),
        [failures.get(o, "[]") for o in organisation_ids], _integers(ratings["rank"]),
        _integers(ratings["candidate_position"]), _integers(ratings["green_quota"]),
        _integers(ratings["green_candidates"]), _floats(ratings["green_cutoff"]),
        _floats(ratings["gap_to_green"]), ratings["coverage"].astype(float).tolist(),
        ratings["not_rated_reason"].tolist(), [adjustments.get(o, "[]") for o in organisation_ids],
        [scores.get(o, "{}") for o in organisation_ids], [standings.get(o, "{}") for o in organisation_ids],
        # The decomposition's (`change_explanations`), when it was worked out.
        ratings["change_reason"].tolist() if "change_reason" in ratings else [""] * len(organisation_ids),
        ratings["decomposition"].tolist() if "decomposition" in ratings else [None] * len(organisation_ids),
    ]
    return zip(*columns)


def peer_standings(rounded_scores: pd.DataFrame, summary: dict, codes: dict) -> pd.DataFrame:
    """organisation, indicator, position, count, quarter: where each reported
    z-score stands among the run's peers (`summary`), exactly as
    `peers.standing` places it, for every indicator at once (a binary search
    per value in numpy rather than in Python)."""
    table = rounded_scores[["organisation", "indicator", "z"]].dropna(subset=["z"])
    parts = []
    for indicator, rows in table.groupby("indicator", sort=False):
        peer_z = summary.get(codes[indicator], {}).get("z")
        if not peer_z:
            continue
        ascending = -np.asarray(peer_z, dtype=float)
        z = rows["z"].to_numpy(dtype=float)
        better = np.searchsorted(ascending, -z - TIE_TOLERANCE, side="left")
        not_worse = np.searchsorted(ascending, -z + TIE_TOLERANCE, side="right")
        count = len(ascending)
        worse, equal = count - not_worse, not_worse - better
        percentile = (worse + 0.5 * (equal - 1)) / (count - 1) if count >= 2 else np.full(len(z), 0.5)
        quarter = np.where(percentile >= 0.75, "top", np.where(percentile <= 0.25, "bottom", "middle"))
        parts.append(pd.DataFrame({"organisation": rows["organisation"].to_numpy(), "indicator": indicator,
                                   **dict(zip(STANDING_FIELDS, (better + 1, count, quarter, not_worse - better - 1)))}))
    if not parts:
        return pd.DataFrame(columns=["organisation", "indicator", *STANDING_FIELDS])
    # Back in the engine's order (by organisation then indicator), as the other JSON columns are.
    return pd.concat(parts, ignore_index=True).sort_values(["organisation", "indicator"], kind="stable")


def _floats(series: pd.Series) -> list:
    values = series.to_numpy(dtype=float)
    return [None if v != v else v for v in values.tolist()]  # NaN is NULL


def _booleans(series: pd.Series) -> list:
    return [None if pd.isna(v) else bool(v) for v in series.astype(object).tolist()]


def _integers(series: pd.Series) -> list:
    return [None if pd.isna(v) else int(v) for v in series.astype(object).tolist()]


def _per_organisation(table: pd.DataFrame, organisations: np.ndarray, codes: dict, number_columns: list[str],
                      encode, text_columns: list[str] = ()) -> dict:
    """{organisation: JSON text} of `encode(codes, number rows, text rows)` over
    each organisation's rows, in the engine's order. Slices one sorted table
    rather than grouping: this runs for every indicator of every organisation."""
    if not table.empty:
        table = table[table["organisation"].isin(organisations)].sort_values("organisation", kind="stable")
    if table.empty:
        return {}
    keys = table["organisation"].to_numpy()
    key_list = keys.tolist()
    indicator_codes = table["indicator"].map(codes).tolist()
    numbers = np.ascontiguousarray(table[number_columns].to_numpy(dtype=float))
    texts = table[list(text_columns)].to_numpy().tolist() if text_columns else None
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    ends = np.r_[starts[1:], len(keys)]
    return {key_list[s]: encode(indicator_codes[s:e], numbers[s:e], texts[s:e] if texts else None)
            for s, e in zip(starts.tolist(), ends.tolist())}


def _scores_json(codes, numbers: np.ndarray, _texts) -> str:
    # Each row a numpy view that orjson writes itself: no Python float per value (half the time).
    return orjson.dumps(dict(zip(codes, numbers)), option=orjson.OPT_SERIALIZE_NUMPY).decode()


def _standings_json(codes, numbers: np.ndarray, texts) -> str:
    # In STANDING_FIELDS order (position, count, quarter, tied with); the numbers are whole.
    return orjson.dumps({c: [int(position), int(count), quarter, int(tied_with)]
                         for c, (position, count, tied_with), (quarter,) in zip(codes, numbers.tolist(), texts)}).decode()


def _failures_json(codes, numbers: np.ndarray, texts) -> str:
    return orjson.dumps([CoreFailure(c, *n, *t)._asdict() for c, n, t in zip(codes, numbers.tolist(), texts)]).decode()


def _adjustments_json(codes, numbers: np.ndarray, texts) -> str:
    return orjson.dumps([Adjustment(c, *n, *t)._asdict() for c, n, t in zip(codes, numbers.tolist(), texts)]).decode()
