"""Where each organisation stands among its peers on each indicator: computed
once when a run is stored, so a report card can say "12th of 98" without
reading every other organisation's figures. Pure: works on the engine's
pandas tables without importing pandas, so the public site, which only calls
`standing`, never loads it."""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass

from .parameters import TIE_TOLERANCE


def summarise(indicator_scores, organisations, codes: dict) -> dict:
    """{indicator code: {"n", "median" (of the reported values), "z": [z, best first]}}
    over the given organisations (one type), from the engine's indicator scores."""
    if indicator_scores.empty:
        return {}
    indicator_scores = indicator_scores[indicator_scores["organisation"].isin(organisations)]
    summary = {}
    for indicator, rows in indicator_scores.groupby("indicator", sort=True):
        z = rows["z"].dropna().round(4).sort_values(ascending=False)
        summary[codes[indicator]] = {"n": int(len(z)), "median": _number(rows["value"].median()),
                                     "z": z.tolist()}
    return summary


@dataclass(frozen=True)
class Standing:
    """The one rule for a position, on the card and the indicator page alike:
    one more than the peers clearly better (ties share the better position:
    "joint 1st with 71 others", then 73rd)."""

    position: int  # 1 is best; ties share the better position
    count: int
    quarter: str  # "top" (best quarter), "bottom" (worst quarter) or "middle"
    tied_with: int | None = None  # the other peers sharing the position; None if stored before it was kept


def standing(z: float, peer_z_best_first: list[float]) -> Standing:
    """Where z stands among its peers' z-scores (its own included). The quarter
    uses the mid-rank percentile, so ties (everyone equal, say) sit in the middle."""
    count = len(peer_z_best_first)
    ascending = [-value for value in peer_z_best_first]
    better = bisect.bisect_left(ascending, -z - TIE_TOLERANCE)
    not_worse = bisect.bisect_right(ascending, -z + TIE_TOLERANCE)
    worse, equal = count - not_worse, not_worse - better
    if count < 2:
        return Standing(better + 1, count, "middle", equal - 1)
    percentile = (worse + 0.5 * (equal - 1)) / (count - 1)
    quarter = "top" if percentile >= 0.75 else "bottom" if percentile <= 0.25 else "middle"
    return Standing(better + 1, count, quarter, equal - 1)


def _number(value):
    return None if value is None or math.isnan(value) else float(value)
