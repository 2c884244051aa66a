"""Server-rendered, accessible inline SVG charts, pure Python: each has a title and
description, every text is escaped, nothing is inline-styled (the site's strict CSP),
bands differ in shape as well as colour, and a table of the same figures sits beside."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from html import escape

from ratings import bands

from .formatting import bar_share, format_signed, format_tick, ordinal

GRID, BLUE, DARK, GREY = "#d8dde0", "#005eb8", "#212b32", "#768692"
TEXT, WHITE = bands.TEXT, bands.WHITE
CUT_OFF = bands.of(bands.GREEN).fill  # the green cut-off, in green
FONT = 'font-family="Arial, sans-serif"'
DASHED = ' stroke-dasharray="4 3"'
EM = 0.6  # estimated text width a character, in font sizes: no font metrics here, and Arial averages 0.55


def _e(text) -> str:
    return escape(str(text), quote=True)


def _n(value: float) -> str:
    """Coordinates: one decimal, short and deterministic."""
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """About `count` round ticks (steps of 1, 2, 2.5 or 5 x 10^k) from at or below
    `low` to at or above `high`; a single value is padded so the axis has a span."""
    low, high = min(low, high), max(low, high)
    if high - low < 1e-9 * max(1.0, abs(low)):
        pad = abs(low) * 0.1 or 1.0
        low, high = low - pad, high + pad
    raw = (high - low) / max(count - 1, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.floor(low / step + 1e-9)
    last = max(math.ceil(high / step - 1e-9), first + 1)
    # 12 significant digits: no float noise like 0.30000000000000004, at any scale.
    return [float(f"{index * step:.12g}") for index in range(first, last + 1)]


def _circle(x: float, y: float, half: float, colour: str) -> str:
    return f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(half)}" fill="{colour}" stroke="{DARK}" stroke-width="0.5"/>'


def _triangle(x: float, y: float, half: float, colour: str) -> str:  # pointing up
    points = f"{_n(x)},{_n(y - half)} {_n(x + half)},{_n(y + half)} {_n(x - half)},{_n(y + half)}"
    return f'<polygon points="{points}" fill="{colour}" stroke="{DARK}" stroke-width="1"/>'


def _square(x: float, y: float, half: float, colour: str) -> str:
    return (f'<rect x="{_n(x - half)}" y="{_n(y - half)}" width="{_n(2 * half)}" height="{_n(2 * half)}" '
            f'fill="{colour}" stroke="{DARK}" stroke-width="0.5"/>')


def _hollow_diamond(x: float, y: float, half: float, colour: str) -> str:  # smaller, so it reads as less
    half *= 0.8
    points = f"{_n(x)},{_n(y - half)} {_n(x + half)},{_n(y)} {_n(x)},{_n(y + half)} {_n(x - half)},{_n(y)}"
    return f'<polygon points="{points}" fill="none" stroke="{colour}" stroke-width="1.5"/>'


SHAPES = {"circle": _circle, "triangle": _triangle, "square": _square, "hollow diamond": _hollow_diamond}


def band_marker(band: str, x: float, y: float, size: float) -> str:
    """A band's marker centred on (x, y), in its shape and colour (ratings/bands.py):
    anything that is not a band is drawn as not rated."""
    terms = bands.of(band)
    return SHAPES[terms.shape](x, y, size / 2, terms.fill)


def band_icon(band: str, size: int = 16) -> str:
    """A marker on its own, for beside the band's word (so hidden from screen readers)."""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="app-band-icon" width="{int(size)}" '
            f'height="{int(size)}" viewBox="0 0 16 16" aria-hidden="true" focusable="false">'
            f'{band_marker(band, 8, 8, 13)}</svg>')


def _svg(chart_id: str, title: str, description: str, width: float, height: float, body: list[str],
         natural: bool = False, css_class: str = "app-chart") -> str:
    """`natural`: drawn at its own size (one unit a pixel), shrinking only to
    fit a narrower screen, so its text keeps the size it was drawn at; else as wide as its container."""
    chart_id = _e(chart_id)
    shown = f'width="{_n(width)}" height="{_n(height)}"' if natural else 'width="100%"'
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="{css_class}" role="img" focusable="false" '
            f'aria-labelledby="{chart_id}-title {chart_id}-desc" viewBox="0 0 {_n(width)} {_n(height)}" '
            f'{shown} preserveAspectRatio="xMinYMin meet">'
            f'<title id="{chart_id}-title">{_e(title)}</title><desc id="{chart_id}-desc">{_e(description)}</desc>'
            + "".join(body) + "</svg>")


def _text(x, y, text, size=12, anchor="start", *, bold=False, fill=TEXT, transform="") -> str:
    extra = (' font-weight="bold"' if bold else "") + (f' transform="{transform}"' if transform else "")
    return (f'<text x="{_n(x)}" y="{_n(y)}" font-size="{size}" text-anchor="{anchor}" fill="{fill}" {FONT}'
            f'{extra}>{_e(text)}</text>')


def _line(x1, y1, x2, y2, stroke=TEXT, width=1, extra="") -> str:
    return (f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" stroke="{stroke}" '
            f'stroke-width="{width}"{extra}/>')


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:max(limit - 1, 1)] + "…"


def _fit(text: str, x: float, size: float, width: float, gap: float = 6) -> tuple[float, str, str, float, float]:
    """Place a label beside x (right if it fits, else left, else centred and shortened)
    inside 0..width. Returns x, text-anchor, text and the label's estimated extent."""
    text = _shorten(text, int((width - 8) / (EM * size)))
    span = EM * size * len(text)
    if x + gap + span <= width - 4:
        return x + gap, "start", text, x + gap, x + gap + span
    if x - gap - span >= 4:
        return x - gap, "end", text, x - gap - span, x - gap
    centre = min(max(x, 4 + span / 2), width - 4 - span / 2)
    return centre, "middle", text, centre - span / 2, centre + span / 2


def _value_axis(ticks: list[float], y_of, left: float, right: float, label: str, middle: float) -> list[str]:
    """Grid lines with tick labels (the bottom and zero lines dark), and the axis label turned upright."""
    parts = [_text(16, middle, label, 12, "middle", transform=f"rotate(-90 16 {_n(middle)})")]
    for tick in ticks:
        zero = ' class="app-chart-zero"' if tick == 0 else ""
        parts.append(_line(left, y_of(tick), right, y_of(tick), TEXT if tick in (0, ticks[0]) else GRID, 1, zero))
        parts.append(_text(left - 6, y_of(tick) + 4, format_tick(tick), 11, "end"))
    return parts


def _scale(low: float, high: float, start: float, end: float):
    span = (high - low) or 1.0
    return lambda value: start + (value - low) / span * (end - start)


def _stack_rows(spans: list[tuple[float, float]], gap: float, max_rows: int) -> list[int]:
    """A row for each (start, end) span, taken in order of start: the lowest row it
    clears by `gap`; once `max_rows` are used, the row ending first (overlap is then unavoidable)."""
    row_ends: list[float] = []
    rows = []
    for start, end in spans:
        row = next((r for r, row_end in enumerate(row_ends) if start >= row_end + gap), None)
        if row is None:
            row = len(row_ends) if len(row_ends) < max_rows else min(range(max_rows), key=row_ends.__getitem__)
        row_ends[row:row + 1] = [end]  # replaces the row's end, or appends a new row
        rows.append(row)
    return rows


@dataclass(frozen=True)
class DotPoint:
    label: str
    value: float
    band: str = ""


@dataclass(frozen=True)
class ReferenceLine:
    label: str
    value: float


def dot_plot(*, chart_id: str, title: str, description: str, points: list[DotPoint], axis_label: str,
             reference_lines: list[ReferenceLine] = (), width: int = 640) -> str:
    """Dots along one value axis; dots that would overlap stack into (at most 12) rows, so hundreds stay readable.
    Narrower than 640 (`width`), drawn at its own size, legible on a phone (`charting.wide_and_narrow`)."""
    left, right, size, pitch, max_rows = 40, width - 40, 8, 10, 12
    ordered = sorted(points, key=lambda p: (p.value, p.label))
    values = [p.value for p in points] + [line.value for line in reference_lines]
    ticks = nice_ticks(min(values, default=0.0), max(values, default=1.0))
    x_of = _scale(ticks[0], ticks[-1], left, right)
    rows = _stack_rows([(x_of(p.value), x_of(p.value)) for p in ordered], size + 1, max_rows)
    labels = sorted((_fit(line.label, x_of(line.value), 12, width, 4) + (x_of(line.value),)
                     for line in reference_lines), key=lambda label: label[3])
    label_rows = _stack_rows([label[3:5] for label in labels], 8, len(labels))  # staggered only if they overlap
    dots_top = 10 + 14 * (max(label_rows, default=-1) + 1)  # below the reference lines' labels
    axis_y = dots_top + (max(rows, default=0) + 1) * pitch + 6
    height = axis_y + 46
    body = []
    for (x, anchor, text, _, _, line_x), row in zip(labels, label_rows):
        body.append(_line(line_x, 20 + 14 * row, line_x, axis_y, extra=DASHED))
        body.append(_text(x, 16 + 14 * row, text, 12, anchor))
    body.append(_line(left, axis_y, right, axis_y))
    for tick in ticks:
        body.append(_line(x_of(tick), axis_y, x_of(tick), axis_y + 5))
        body.append(_text(x_of(tick), axis_y + 18, format_tick(tick), 11, "middle"))
    body.append(_text(width / 2, axis_y + 38, axis_label, 12, "middle"))
    for point, row in zip(ordered, rows):
        x, y = x_of(point.value), axis_y - 8 - row * pitch
        shape = band_marker(point.band, x, y, size) if point.band else \
            f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(size / 2)}" fill="{GREY}"/>'
        body.append(f'<g class="app-chart-point">{shape}<title>{_e(point.label)}: {_e(format_tick(point.value))}'
                    f'</title></g>')
    return _svg(chart_id, title, description, width, height, body, natural=width < 640)


def trend_chart(*, chart_id: str, title: str, description: str, years: list[str], scores: list[float | None],
                bands: list[str], cutoffs: list[float | None] | None = None, axis_label: str = "Score",
                width: int = 640) -> str:
    """An organisation's score by year, each point in its band's shape; the line breaks where a year has no score.
    Narrower than 640 (`width`), it is drawn at its own size (see `_svg`): legible on a phone."""
    count = len(years)
    cutoffs = list(cutoffs) if cutoffs is not None else [None] * count
    if not len(scores) == len(bands) == len(cutoffs) == count:
        raise ValueError("trend_chart needs one score, band and cut-off per year")
    left, right, top, bottom = 60, width - 20, 34, 210
    step = (right - left) / max(count, 1)
    crowded = step < EM * 12 * max(map(len, years), default=0) + 8  # year labels would collide
    height = bottom + (80 if crowded else 36)
    values = [v for v in (*scores, *cutoffs) if v is not None]
    ticks = nice_ticks(min(values, default=0.0), max(values, default=0.0))
    y_of = _scale(ticks[0], ticks[-1], bottom, top)
    x_of = lambda index: left + step * (index + 0.5)  # years sit in the middle of equal slots
    body = _value_axis(ticks, y_of, left, right, axis_label, (top + bottom) / 2)
    if any(cutoff is not None for cutoff in cutoffs):
        body.append(_line(right - 150, 14, right - 126, 14, CUT_OFF, 2, DASHED))
        body.append(_text(right - 120, 18, "Green cut-off", 11, fill=TEXT))
    segment: list[str] = []
    for index, score in enumerate([*scores, None]):
        if score is not None:
            segment.append(f"{_n(x_of(index))},{_n(y_of(score))}")
            continue
        if len(segment) > 1:
            body.append(f'<polyline points="{" ".join(segment)}" fill="none" stroke="{BLUE}" stroke-width="2"/>')
        segment = []
    for index, (year, score, band, cutoff) in enumerate(zip(years, scores, bands, cutoffs)):
        x = x_of(index)
        if cutoff is not None:
            half = min(24, step / 2 - 2)
            body.append(_line(x - half, y_of(cutoff), x + half, y_of(cutoff), CUT_OFF, 2, DASHED))
        if score is None:  # upright when crowded, so it takes no more room than a point
            spin = f"rotate(-90 {_n(x + 3)} {bottom - 6})" if crowded else ""
            body.append(_text(x + 3 * crowded, bottom - 6, "Not rated", 10, "start" if crowded else "middle",
                              fill=GREY, transform=spin))
        else:
            body.append(f'<g class="app-chart-point">{band_marker(band, x, y_of(score), 14)}'
                        f'<title>{_e(year)}: {_e(format_tick(score))}</title></g>')
        if crowded:
            body.append(_text(x + 4, bottom + 14, year, 11, "end", transform=f"rotate(-45 {_n(x + 4)} {bottom + 14})"))
        else:
            body.append(_text(x, bottom + 20, year, 12, "middle"))
    return _svg(chart_id, title, description, width, height, body, natural=width < 640)


@dataclass(frozen=True)
class ShareRow:
    label: str
    counts: dict[str, int]


def share_bars(*, chart_id: str, title: str, description: str, rows: list[ShareRow], width: int = 640) -> str:
    """100%-stacked horizontal bars of green, yellow and red, each segment labelled
    with its share: inside when it fits, else just below with the band's marker
    (so the label never sits on another band's colour). Narrower than 640
    (`width`), each label sits above its bar, and the chart is drawn at its own size (legible on a phone)."""
    narrow = width < 640
    label_right, bar_left, bar_right, bar = (16, 16, width - 16, 22) if narrow else (206, 214, 600, 22)
    body = []
    for index, band in enumerate(bands.RATED):
        x = bar_left + index * 90
        body.append(band_marker(band.code, x + 6, 14, 11))
        body.append(_text(x + 16, 18, band.word, 12))
    y = 32
    for row in rows:
        counts = {band: max(int(row.counts.get(band, 0)), 0) for band in bands.RATED_CODES}
        total = sum(counts.values())
        if narrow:  # the label on its own line above the bar
            shown = _shorten(row.label, int((bar_right - bar_left) / (EM * 12)))
            parts = [f"<title>{_e(row.label)}</title>", _text(label_right, y + 12, shown, 12)]
            y += 18
        else:
            shown = _shorten(row.label, 32)  # the full label is the row's title
            parts = [f"<title>{_e(row.label)}</title>", _text(label_right, y + bar / 2 + 4, shown, 12, "end")]
        if not total:
            parts.append(_text(bar_left, y + bar / 2 + 4, "No rated organisations", 12))
        x, callout_end = bar_left, None
        for terms in bands.RATED if total else ():
            band, word = terms.code, terms.word
            if not counts[band]:
                continue
            span = (bar_right - bar_left) * counts[band] / total
            share = bar_share(counts[band], total)
            parts.append(f'<g class="app-chart-segment"><rect x="{_n(x)}" y="{_n(y)}" width="{_n(span)}" '
                         f'height="{bar}" fill="{terms.fill}" stroke="{WHITE}" stroke-width="1"/>'
                         f'<title>{_e(f"{row.label}: {word} {counts[band]} ({share})")}</title></g>')
            if span >= EM * 11 * len(share) + 6:
                parts.append(_text(x + span / 2, y + bar / 2 + 4, share, 11, "middle", bold=True, fill=terms.ink))
            else:
                start = min(max(x, (callout_end or 0) + 6), width - 14 - EM * 11 * len(share))
                parts.append(band_marker(band, start + 4, y + bar + 9, 8))
                parts.append(_text(start + 11, y + bar + 13, share, 11))
                callout_end = start + 11 + EM * 11 * len(share)
            x += span
        body.append(f'<g class="app-chart-row">{"".join(parts)}</g>')
        y += bar + (18 if callout_end is not None else 0) + 10
    return _svg(chart_id, title, description, width, y, body, natural=narrow)


@dataclass(frozen=True)
class ScatterPoint:
    label: str
    x: float
    y: float
    band: str = ""


def _least_squares(xs: list[float], ys: list[float]) -> tuple[float, float] | None:
    """(slope, intercept), or None with fewer than 3 points or (nearly) constant x."""
    if len(xs) < 3 or max(xs) - min(xs) <= 1e-9 * max(1.0, abs(max(xs))):
        return None
    fit = statistics.linear_regression(xs, ys)
    return fit.slope, fit.intercept


def scatter_plot(*, chart_id: str, title: str, description: str, points: list[ScatterPoint], x_label: str,
                 y_label: str, fit: tuple[float, float] | None = None, width: int = 640) -> str:
    """Points by band shape, with the least-squares line across the points' x range
    when it can be fitted (cut where it would leave the plot): `fit` (slope,
    intercept) when the points drawn are a sample of those it was fitted to."""
    height, left, right, top, bottom = 340, 60, width - 20, 20, 280
    xs, ys = [p.x for p in points], [p.y for p in points]
    x_ticks = nice_ticks(min(xs, default=0.0), max(xs, default=1.0))
    y_ticks = nice_ticks(min(ys, default=0.0), max(ys, default=1.0))
    x_of = _scale(x_ticks[0], x_ticks[-1], left, right)
    y_of = _scale(y_ticks[0], y_ticks[-1], bottom, top)
    body = _value_axis(y_ticks, y_of, left, right, y_label, (top + bottom) / 2)
    for tick in x_ticks:
        body.append(_line(x_of(tick), top, x_of(tick), bottom, GRID))
        body.append(_text(x_of(tick), bottom + 18, format_tick(tick), 11, "middle"))
    body.append(_line(left, top, left, bottom))
    body.append(_text((left + right) / 2, bottom + 40, x_label, 12, "middle"))
    for point in points:
        name = f"{point.label}: " if point.label else ""
        body.append(f'<g class="app-chart-point">{band_marker(point.band, x_of(point.x), y_of(point.y), 8)}'
                    f'<title>{_e(name)}{_e(format_tick(point.x))}, {_e(format_tick(point.y))}</title></g>')
    fit = fit or _least_squares(xs, ys)
    if fit and points:
        slope, intercept = fit
        start, end = min(xs), max(xs)
        if slope:  # keep x where the line is within the y axis' range
            bounds = [(y_ticks[0] - intercept) / slope, (y_ticks[-1] - intercept) / slope]
            start, end = max(start, min(bounds)), min(end, max(bounds))
        body.append(_line(x_of(start), y_of(intercept + slope * start), x_of(end), y_of(intercept + slope * end),
                          BLUE, 2, ' class="app-trend"'))
    return _svg(chart_id, title, description, width, height, body, natural=width < 640)


def _polyline(points: list[tuple[float, float] | None], stroke: str, extra: str = "") -> list[str]:
    """One polyline a run of points, broken where a point is None."""
    lines, segment = [], []
    for point in [*points, None]:
        if point is not None:
            segment.append(f"{_n(point[0])},{_n(point[1])}")
            continue
        if len(segment) > 1:
            lines.append(f'<polyline points="{" ".join(segment)}" fill="none" stroke="{stroke}" stroke-width="2"'
                         f'{extra}/>')
        segment = []
    return lines


def small_trend(*, chart_id: str, title: str, description: str, years: list[str], values: list[float | None],
                medians: list[float | None], width: int = 300) -> str:
    """One indicator's figure by year (solid, with dots) against its peers' median
    (dashed, with hollow diamonds), small enough to set several side by side and
    drawn at its own size, so its 11-unit text stays 11 pixels on a phone."""
    if not len(values) == len(medians) == len(years):
        raise ValueError("small_trend needs one value and one median per year")
    height, top, bottom = 150, 12, 112
    known = [v for v in (*values, *medians) if v is not None]
    ticks = nice_ticks(min(known, default=0.0), max(known, default=1.0), count=3)
    left = 10 + EM * 11 * max(len(format_tick(tick)) for tick in ticks) + 6
    right = width - 10
    step = (right - left) / max(len(years), 1)
    x_of = lambda index: left + step * (index + 0.5)
    y_of = _scale(ticks[0], ticks[-1], bottom, top)
    body = []
    for tick in ticks:
        body.append(_line(left, y_of(tick), right, y_of(tick), TEXT if tick == ticks[0] else GRID))
        body.append(_text(left - 6, y_of(tick) + 4, format_tick(tick), 11, "end"))
    every = max(1, math.ceil(EM * 11 * max(map(len, years), default=0) / max(step - 4, 1)))  # labels that fit
    for index, year in enumerate(years):
        if index % every == 0 or index == len(years) - 1:
            body.append(_text(x_of(index), bottom + 16, year, 11, "middle"))
    body += _polyline([(x_of(i), y_of(m)) if m is not None else None for i, m in enumerate(medians)], GREY, DASHED)
    body += _polyline([(x_of(i), y_of(v)) if v is not None else None for i, v in enumerate(values)], BLUE)
    for index, (year, value, median) in enumerate(zip(years, values, medians)):
        if median is not None:
            body.append(f'<g class="app-chart-point">{_hollow_diamond(x_of(index), y_of(median), 5, DARK)}'
                        f'<title>{_e(year)}: median {_e(format_tick(median))}</title></g>')
        if value is not None:
            body.append(f'<g class="app-chart-point">{_circle(x_of(index), y_of(value), 4, BLUE)}'
                        f'<title>{_e(year)}: {_e(format_tick(value))}</title></g>')
    body.append(_line(10, height - 12, 28, height - 12, BLUE, 2))
    body.append(_text(32, height - 8, "This organisation", 11))
    body.append(_line(150, height - 12, 168, height - 12, GREY, 2, DASHED))
    body.append(_text(172, height - 8, "Peers' median", 11))
    return _svg(chart_id, title, description, width, height, body, natural=True)


@dataclass(frozen=True)
class ScoreRow:
    label: str
    score: float | None
    band: str


def score_strip(*, chart_id: str, title: str, description: str, rows: list[ScoreRow], cutoff: float | None,
                width: int = 350) -> str:
    """A few organisations' final scores on one axis, a row each (its name above
    its marker, in its band's shape), with the green cut-off dashed across them:
    drawn at its own size, so its text stays legible on a phone."""
    left, right, pitch, top = 16, width - 16, 40, 28
    values = [row.score for row in rows if row.score is not None] + ([cutoff] if cutoff is not None else [])
    ticks = nice_ticks(min(values, default=0.0), max(values, default=1.0))
    x_of = _scale(ticks[0], ticks[-1], left, right)
    axis_y = top + pitch * len(rows) + 4
    height = axis_y + 44
    body = []
    if cutoff is not None:
        x, anchor, text, _, _ = _fit("Green cut-off", x_of(cutoff), 11, width, 4)
        body.append(_line(x_of(cutoff), 16, x_of(cutoff), axis_y, CUT_OFF, 2, DASHED))
        body.append(_text(x, 12, text, 11, anchor))
    for index, row in enumerate(rows):
        y = top + pitch * index
        body.append(_text(left, y + 8, _shorten(row.label, int((right - left) / (EM * 12))), 12))
        if row.score is None:
            body.append(_text(left, y + 28, "Not rated: no final score", 11, fill=GREY))
            continue
        body.append(_line(left, y + 22, right, y + 22, GRID))
        body.append(f'<g class="app-chart-point">{band_marker(row.band, x_of(row.score), y + 22, 14)}'
                    f'<title>{_e(row.label)}: {_e(format_tick(row.score))}</title></g>')
    body.append(_line(left, axis_y, right, axis_y))
    for tick in ticks:
        body.append(_line(x_of(tick), axis_y, x_of(tick), axis_y + 5))
        body.append(_text(x_of(tick), axis_y + 18, format_tick(tick), 11, "middle"))
    body.append(_text(width / 2, axis_y + 36, "Final score", 12, "middle"))
    return _svg(chart_id, title, description, width, height, body, natural=True)


@dataclass(frozen=True)
class FunnelPoint:
    label: str
    value: float
    denominator: float
    side: int  # beyond the limits: 1 better than expected, -1 worse, 0 within
    words: str = ""  # where it falls, in words, for its tooltip


@dataclass(frozen=True)
class FunnelLimits:
    label: str  # "95%", "99.8%"
    denominators: list[float]
    lower: list[float]
    upper: list[float]


BETTER_INK, WORSE_INK = BLUE, "#8a1538"  # not the bands' colours: this is not a band


def _down_triangle(x: float, y: float, half: float, colour: str) -> str:
    points = f"{_n(x)},{_n(y + half)} {_n(x + half)},{_n(y - half)} {_n(x - half)},{_n(y - half)}"
    return f'<polygon points="{points}" fill="{colour}" stroke="{DARK}" stroke-width="0.5"/>'


def _funnel_marker(side: int, x: float, y: float) -> str:
    if side > 0:
        return _triangle(x, y, 5, BETTER_INK)
    if side < 0:
        return _down_triangle(x, y, 5, WORSE_INK)
    return f'<circle cx="{_n(x)}" cy="{_n(y)}" r="3" fill="{GREY}"/>'


def funnel_plot(*, chart_id: str, title: str, description: str, points: list[FunnelPoint], target: float,
                limits: list[FunnelLimits], x_label: str, y_label: str) -> str:
    """Each organisation's value against its denominator, the expected value
    (a solid line) and the limits around it (dashed for the first, dotted for
    the second), which narrow as the denominator grows. Drawn narrow, with
    large text, so that it stays legible on a phone: better than expected is
    a triangle pointing up, worse one pointing down, within a small circle."""
    width, left, right, top, bottom, size = 380, 62, 368, 12, 232, 13
    all_x = [p.denominator for p in points] + [n for curve in limits for n in curve.denominators]
    x_ticks = nice_ticks(0.0, max(all_x, default=1.0), 4)
    # The value axis spans the points, the expected value and the limits at the largest denominator;
    # nearer the narrow end the limits leave it, cut at the plot's edge.
    widest = [v for curve in limits for v in (curve.lower[-1:] + curve.upper[-1:])]
    values = [p.value for p in points] + [target] + widest
    y_ticks = nice_ticks(min(values), max(values), 5)
    x_of = _scale(x_ticks[0], x_ticks[-1], left, right)
    y_of = _scale(y_ticks[0], y_ticks[-1], bottom, top)
    clip = f"{_e(chart_id)}-plot"
    body = [f'<clipPath id="{clip}"><rect x="{left}" y="{top}" width="{right - left}" height="{bottom - top}"/>'
            f'</clipPath>']
    middle = (top + bottom) / 2
    body.append(_text(14, middle, y_label, size, "middle", transform=f"rotate(-90 14 {_n(middle)})"))
    for tick in y_ticks:
        body.append(_line(left, y_of(tick), right, y_of(tick), TEXT if tick == y_ticks[0] else GRID))
        body.append(_text(left - 6, y_of(tick) + 4, format_tick(tick), size, "end"))
    for tick in x_ticks:
        body.append(_line(x_of(tick), bottom, x_of(tick), bottom + 5))
        body.append(_text(x_of(tick), bottom + 20, format_tick(tick), size, "middle"))
    body.append(_line(left, top, left, bottom))
    body.append(_text((left + right) / 2, bottom + 40, x_label, size, "middle"))
    lines = [f'<line x1="{left}" y1="{_n(y_of(target))}" x2="{right}" y2="{_n(y_of(target))}" stroke="{DARK}" '
             f'stroke-width="2"/>']
    # Where a limit leaves the value axis, held just outside the plot, which the clip hides.
    inside = lambda value: min(max(y_of(value), top - 2), bottom + 2)  # noqa: E731
    for curve, dash in zip(limits, (' stroke-dasharray="6 4"', ' stroke-dasharray="2 3"')):
        for side in (curve.lower, curve.upper):
            path = " ".join(f"{_n(x_of(n))},{_n(inside(v))}" for n, v in zip(curve.denominators, side))
            lines.append(f'<polyline points="{path}" fill="none" stroke="{DARK}" stroke-width="1.5"{dash}/>')
    body.append(f'<g clip-path="url(#{clip})">{"".join(lines)}</g>')
    for point in sorted(points, key=lambda p: (p.side != 0, p.denominator, p.label)):  # beyond on top
        words = f", {point.words}" if point.words else ""
        mark = _funnel_marker(point.side, x_of(point.denominator), y_of(point.value))
        body.append(f'<g class="app-chart-point">{mark}'
                    f'<title>{_e(point.label)}: {_e(format_tick(point.value))} of {_e(format_tick(point.denominator))}'
                    f'{_e(words)}</title></g>')
    # The key, below the axis label: the lines on the left, the markers on the right.
    key_top = bottom + 64
    key = [(f'<line x1="8" y1="{key_top - 4}" x2="32" y2="{key_top - 4}" stroke="{DARK}" stroke-width="2"/>',
            "Expected"),
           *[(f'<line x1="8" y1="{key_top - 4 + 18 * (i + 1)}" x2="32" y2="{key_top - 4 + 18 * (i + 1)}" '
              f'stroke="{DARK}" stroke-width="1.5"{dash}/>', f"{curve.label} limits")
             for i, (curve, dash) in enumerate(zip(limits, (' stroke-dasharray="6 4"', ' stroke-dasharray="2 3"')))]]
    for row, (mark, text) in enumerate(key):
        body.append(mark)
        body.append(_text(38, key_top + 18 * row, text, size))
    for row, (side, text) in enumerate(((1, "Better than expected"), (0, "Within"), (-1, "Worse than expected"))):
        body.append(_funnel_marker(side, 196, key_top - 4 + 18 * row))
        body.append(_text(206, key_top + 18 * row, text, size))
    height = key_top + 18 * max(len(key), 3)
    return _svg(chart_id, title, description, width, height, body, css_class="app-chart app-chart-compact")


def rank_interval_chart(*, chart_id: str, rank: int, low: int, high: int, rated: int, band: str) -> str:
    """A rank and its interval among `rated` organisations (1 = best, on the
    left): a bar from `low` to `high`, the published rank in its band's shape."""
    if not (1 <= low <= high <= rated and 1 <= rank <= rated):
        raise ValueError("rank_interval_chart needs 1 <= low <= high <= rated and 1 <= rank <= rated")
    width, left, right, middle = 350, 20, 330, 40
    x_of = _scale(1, max(rated, 2), left, right)
    ticks = sorted({1, rated, *(t for t in (int(v) for v in nice_ticks(1, rated)) if 1 <= t <= rated)})
    body = [_line(left, middle + 16, right, middle + 16, TEXT)]
    for tick in ticks:
        body.append(_line(x_of(tick), middle + 16, x_of(tick), middle + 21, TEXT))
        body.append(_text(x_of(tick), middle + 34, ordinal(tick), 11, "middle"))
    body.append(f'<rect x="{_n(x_of(low))}" y="{middle - 5}" width="{_n(max(x_of(high) - x_of(low), 2))}" '
                f'height="10" fill="{GRID}" stroke="{GREY}" stroke-width="1"/>')
    body.append(f'<g class="app-chart-point">{band_marker(band, x_of(rank), middle, 14)}'
                f'<title>Ranked {_e(ordinal(rank))}</title></g>')
    body.append(_text(left, 14, f"1st (best) to {ordinal(rated)}", 11))
    title = f"Rank {ordinal(rank)} of {rated}, with its range over the simulated years"
    description = (f"The bar runs from {ordinal(low)} to {ordinal(high)}: the ranks of the middle 95 in 100 "
                   f"simulated years. The marker is the published rank. The same figures are in the table below.")
    return _svg(chart_id, title, description, width, middle + 44, body, natural=True)



@dataclass(frozen=True)
class PartBar:
    label: str
    value: float


def part_bars(*, chart_id: str, title: str, description: str, rows: list[PartBar], width: int = 640) -> str:
    """Horizontal bars from a zero line, one per part of a change (left for a
    part that lowered it, right for one that raised it, in different shades
    and with the signed figure written beside each bar, so colour is never
    the only cue). Narrower than 640, drawn at its own size (for phones: see
    `presenters.charting.wide_and_narrow`), its labels shortened to fit."""
    label_right, bar = round(width * 0.275), 20
    left, right = label_right + 20, width - 40
    extent = max([abs(row.value) for row in rows] + [1e-9])
    ticks = nice_ticks(-extent, extent, 4)
    x_of = _scale(ticks[0], ticks[-1], left, right)
    top = 12
    height = top + len(rows) * (bar + 12) + 28
    body = []
    for tick in ticks:
        body.append(_line(x_of(tick), top - 4, x_of(tick), height - 24, TEXT if tick == 0 else GRID, 1))
        body.append(_text(x_of(tick), height - 8, format_tick(tick), 11, "middle"))
    y = top
    for row in rows:
        start, end = sorted((x_of(0), x_of(row.value)))
        shown = format_signed(row.value)
        colour = BLUE if row.value >= 0 else DARK
        parts = [f"<title>{_e(row.label)}: {_e(shown)}</title>",
                 _text(label_right, y + bar / 2 + 4, _shorten(row.label, int((label_right - 8) / (EM * 12))), 12, "end"),
                 f'<rect x="{_n(start)}" y="{_n(y)}" width="{_n(max(end - start, 1))}" height="{bar}" '
                 f'fill="{colour}"/>']
        label_x, anchor = (end + 4, "start") if row.value >= 0 else (start - 4, "end")
        if anchor == "end" and label_x - EM * 11 * len(shown) < left:
            label_x, anchor = end + 4, "start"  # no room left of a long bar: write it to the right of zero
        parts.append(_text(label_x, y + bar / 2 + 4, shown, 11, anchor))
        body.append(f'<g class="app-chart-row">{"".join(parts)}</g>')
        y += bar + 12
    return _svg(chart_id, title, description, width, height, body, natural=width < 640)
