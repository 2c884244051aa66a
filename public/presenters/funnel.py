"""The indicator page's funnel plot: each organisation's figure against its
denominator, with the limits stored with the run (`RatingRun.funnels`, see
`ratings.funnels`) drawn from its p0 and τ², never recomputed from today's
figures; a table of the limits at a few sizes (the curves' text
alternative), and the organisations beyond them."""

from __future__ import annotations

import math

from indicators.years import format_year
from ratings import bands
from ratings.funnels import Classification, Funnel, limit_curve

from .. import charts
from ..formatting import format_number, format_tick, plural_of
from .charting import chart_sample_sentence, svg

LIMITS = (("95%", "limits"), ("99.8%", "limits"))
CURVE_POINTS = 48  # denominators a limit's curve is drawn through, spaced evenly on a log scale
# The organisations beyond the limits listed on the page, a side (worse, better): the furthest first.
BEYOND_SHOWN = 25


def classification_words(number) -> str:
    """A stored funnel classification (-2 to 2) in words; empty for none."""
    return "" if number is None else Classification(int(number)).words


def funnel_section(indicator, run, reading) -> dict | None:
    """The funnel of `indicator` in `run` (None when the run stored none for it:
    no measure, no counts, or a run stored before funnels were kept), with
    `reading` (an `IndicatorReading`) giving the organisations' figures."""
    stored = (run.funnels or {}).get(indicator.code) if run is not None else None
    if not stored or reading is None or not reading.funnel_count:
        return None
    funnel = Funnel.from_dict(stored)
    z_values = stored.get("limits", [1.96, 3.09])
    smallest, largest = reading.denominators
    denominators = spaced(smallest, largest, CURVE_POINTS)
    limits = []
    for (label, _), z in zip(LIMITS, z_values):
        lower, upper = limit_curve(funnel, denominators, z)
        limits.append(charts.FunnelLimits(label, denominators, lower, upper))
    plural = plural_of(run.organisation_type)
    unit = indicator.unit or indicator.name
    count = reading.funnel_count
    chart = charts.funnel_plot(
        chart_id="funnel", title=f"{indicator.name} against the size of each organisation: {plural}, "
                                 f"{format_year(run.year)}",
        description=f"Each mark is one of {count} {plural}, placed by its figure and its denominator. The solid line "
                    f"is the overall figure of all of them ({format_number(funnel.target)}); the dashed and dotted "
                    f"lines are the 95% and 99.8% limits around it, which narrow as the denominator grows. "
                    f"{reading.better} are better and {reading.worse} worse than expected (beyond the 95% limits)."
                    f"{chart_sample_sentence(count)} The limits and the organisations beyond them are in the tables "
                    "below, and every figure is in the table of figures.",
        points=[charts.FunnelPoint(name, value, denominator, (side > 0) - (side < 0), classification_words(side))
                for name, value, denominator, side in reading.funnel_points],
        target=funnel.target, limits=limits, x_label="Denominator (what the figure is out of)", y_label=unit)
    ticks = [n for n in charts.nice_ticks(0.0, largest, 4) if smallest <= n <= largest] or [largest]
    rows = []
    for n in ticks:
        (low_95, high_95), (low_998, high_998) = (limit_curve(funnel, [n], z) for z in z_values)
        rows.append({"denominator": format_tick(n), "low_998": format_number(low_998[0]),
                     "low_95": format_number(low_95[0]), "expected": format_number(funnel.target),
                     "high_95": format_number(high_95[0]), "high_998": format_number(high_998[0])})
    return {
        "chart": svg(chart), "count": count, "target": format_number(funnel.target), "unit": indicator.unit,
        "worse": reading.worse, "better": reading.better, "within": count - reading.worse - reading.better,
        "overdispersed": funnel.tau2 > 0, "phi": format_number(funnel.phi), "limit_rows": rows,
        "beyond": [beyond_group(reading.beyond, side, words, total)
                   for side, words, total in ((-1, "Worse than expected", reading.worse),
                                              (1, "Better than expected", reading.better)) if total],
    }


def spaced(smallest: float, largest: float, count: int) -> list[float]:
    """`count` denominators from smallest to largest, evenly spaced on a log
    scale (where the limits bend most, at small denominators, most are drawn)."""
    if largest <= smallest:
        return [smallest]
    ratio = math.log(largest / smallest) / (count - 1)
    return [smallest * math.exp(ratio * i) for i in range(count - 1)] + [largest]


def beyond_group(beyond: list[tuple], side: int, heading: str, total: int) -> dict:
    """The organisations listed on one side, furthest first, and how many there are in all."""
    rows = [{"code": code, "name": name, "band": band, "band_word": bands.word(band),
             "value": format_number(value), "numerator": format_number(numerator, 0),
             "denominator": format_number(denominator, 0), "words": classification_words(classification)}
            for classification, position, code, name, band, value, numerator, denominator
            in sorted(beyond, key=lambda row: row[1]) if (classification > 0) == (side > 0)]
    return {"heading": heading, "rows": rows, "total": total, "capped": len(rows) < total}
