"""What the presenters hand the charts (public/charts.py): which of many
ordered points a chart draws, the sentence that says so, and the finished
markup, marked safe for the templates."""

from __future__ import annotations

from django.utils.safestring import mark_safe

# A chart draws at most this many points (each a shape in the page's markup):
# past it, an even sample across the ordered points, said in the chart's
# description; the table beside it has every organisation.
MAX_CHART_POINTS = 500


def chart_sample(count: int) -> list[int]:
    """Which of `count` ordered points a chart draws (positions from 0): all
    of them up to MAX_CHART_POINTS; past it, that many evenly spread, always
    including the first and last."""
    if count <= MAX_CHART_POINTS:
        return list(range(count))
    # i * (count - 1) / (points - 1), rounded half up in whole numbers: the
    # database picks the same positions with the same arithmetic (IndicatorFigures).
    spaces = MAX_CHART_POINTS - 1
    return [(2 * i * (count - 1) + spaces) // (2 * spaces) for i in range(MAX_CHART_POINTS)]


def chart_sample_sentence(count: int) -> str:
    """What a chart's description says when it draws a sample (empty when it draws every point)."""
    if count <= MAX_CHART_POINTS:
        return ""
    return f" To keep the chart readable it draws {MAX_CHART_POINTS} of the {count:,}, evenly spread from lowest to highest."


def svg(markup: str):
    """Chart markup is built with every text escaped (public/charts.py), so it is safe to insert."""
    return mark_safe(markup)  # noqa: S308


# The width a chart is drawn at for a phone: within a 390-pixel screen less the page's 16-pixel margins (358),
# so it is shown at its own size and its text keeps the size it was drawn at.
PHONE_WIDTH = 350


def wide_and_narrow(draw, chart_id: str, **arguments):
    """A chart twice: as wide as the page for larger screens, and drawn at
    PHONE_WIDTH for phones, where the wide one's text would shrink to 6
    pixels; the stylesheet shows one (the other, `display: none`, is hidden
    from screen readers too)."""
    wide = draw(chart_id=chart_id, **arguments)
    narrow = draw(chart_id=f"{chart_id}-narrow", width=PHONE_WIDTH, **arguments)
    both = f'<div class="app-chart-wide">{wide}</div><div class="app-chart-narrow">{narrow}</div>'
    return mark_safe(both)  # noqa: S308
