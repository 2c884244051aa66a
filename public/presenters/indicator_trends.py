"""Each indicator's own trend on a report card: the organisation's figure in
every published year beside its peers' median, as stored with each year's
rating and run (frozen: a later correction or definition changes none of it),
as small charts with one table of the same figures."""

from __future__ import annotations

from dataclasses import dataclass

from indicators.years import format_year
from ratings import standings

from .. import charts
from ..formatting import format_number
from .charting import svg


@dataclass
class IndicatorTrend:
    indicator: object
    cells: list[dict]  # a year each: {"year", "value", "median"}, figures in words ("–" when there is none)
    chart: str  # empty when no year has a figure

    @property
    def has_figures(self) -> bool:
        return bool(self.chart)


def indicator_trends(history, indicators, organisation_name: str, shown=None, shown_medians=None
                     ) -> list[IndicatorTrend]:
    """For each of `indicators` (the card's, as its run defined them), its figure
    and its peers' median in each rating of `history` (oldest first). A run
    stored before the medians were kept (migration 0009) has none, except the
    `shown` rating's, whose medians (`shown_medians`, by code) the card reads
    from its run's whole peer summary."""
    years = [format_year(rating.run.year) for rating in history]
    scores = [standings.indicator_scores(rating) for rating in history]
    medians = [rating.run.peer_medians if rating.run.peer_medians is not None else
               (shown_medians or {}) if shown is not None and rating.pk == shown.pk else {} for rating in history]
    trends = []
    for index, indicator in enumerate(indicators):
        values = [_value(year_scores.get(indicator.code)) for year_scores in scores]
        peer = [year_medians.get(indicator.code) for year_medians in medians]
        cells = [{"year": year, "value": format_number(value), "median": format_number(median)}
                 for year, value, median in zip(years, values, peer)]
        unit = f" ({indicator.unit})" if indicator.unit else ""
        chart = "" if all(value is None for value in values) else svg(charts.small_trend(
            chart_id=f"indicator-trend-{index}", title=f"{indicator.name}{unit}: {organisation_name} by year",
            description=f"{organisation_name}'s figure in each published year (solid line), against the median "
                        f"of its peers (dashed line). The same figures are in the table below.",
            years=years, values=values, medians=peer))
        trends.append(IndicatorTrend(indicator=indicator, cells=cells, chart=chart))
    return trends


def _value(score: standings.IndicatorScore | None) -> float | None:
    return score.value if score else None
