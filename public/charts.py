"""Server-rendered, accessible inline SVG charts. Pure Python (no Django):
every chart has a title and description, every text is escaped, and nothing
is inline-styled, so the pages keep a strict Content-Security-Policy. Each
chart sits beside a table of the same figures, its text alternative."""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

GREEN, YELLOW, RED, GREY = "#007f3b", "#ffeb3b", "#d5281b", "#768692"
TEXT, GRID, BLUE, DARK = "#212b32", "#d8dde0", "#005eb8", "#212b32"
FONT = 'font-family="Arial, sans-serif"'


def _e(text) -> str:
    return escape(str(text), quote=True)


def _n(value: float) -> str:
    """Coordinates: short and deterministic."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def format_number(value: float) -> str:
    """Axis labels: up to 3 decimals, no trailing zeros, thousands separated from 10,000."""
    if abs(value) >= 10000:
        text = f"{value:,.0f}"
    else:
        text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values (steps of 1, 2, 2.5 or 5 x 10^k) covering [low, high]."""
    if high < low:
        low, high = high, low
    if high - low < 1e-9 * max(1.0, abs(low)):
        pad = max(abs(low) * 0.1, 1.0)
        low, high = low - pad, high + pad
    raw = (high - low) / max(count - 1, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.floor(low / step + 1e-9)
    last = max(math.ceil(high / step - 1e-9), first + 1)
    # 12 significant digits: no float noise like 0.30000000000000004, at any scale.
    return [float(f"{index * step:.12g}") for index in range(first, last + 1)]


def band_marker(band: str, x: float, y: float, size: float) -> str:
    """A band's marker: green circle, yellow triangle, red square, anything else a hollow grey diamond."""
    half = size / 2
    if band == "green":
        return f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(half)}" fill="{GREEN}" stroke="{DARK}" stroke-width="0.5"/>'
    if band == "yellow":
        points = f"{_n(x)},{_n(y - half)} {_n(x + half)},{_n(y + half)} {_n(x - half)},{_n(y + half)}"
        return f'<polygon points="{points}" fill="{YELLOW}" stroke="{DARK}" stroke-width="1"/>'
    if band == "red":
        return (f'<rect x="{_n(x - half)}" y="{_n(y - half)}" width="{_n(size)}" height="{_n(size)}" '
                f'fill="{RED}" stroke="{DARK}" stroke-width="0.5"/>')
    points = f"{_n(x)},{_n(y - half)} {_n(x + half)},{_n(y)} {_n(x)},{_n(y + half)} {_n(x - half)},{_n(y)}"
    return f'<polygon points="{points}" fill="none" stroke="{GREY}" stroke-width="1.5"/>'


def band_icon(band: str, size: int = 16) -> str:
    """A marker on its own, for beside the band's word (so hidden from screen readers)."""
    return (f'<svg class="app-band-icon" xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
            f'viewBox="0 0 16 16" aria-hidden="true" focusable="false">{band_marker(band, 8, 8, 13)}</svg>')


def _svg(chart_id: str, title: str, description: str, width: float, height: float, body: list[str]) -> str:
    chart_id = _e(chart_id)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" role="img" focusable="false" '
            f'aria-labelledby="{chart_id}-title {chart_id}-desc" viewBox="0 0 {_n(width)} {_n(height)}" '
            f'width="100%" preserveAspectRatio="xMinYMin meet">'
            f'<title id="{chart_id}-title">{_e(title)}</title><desc id="{chart_id}-desc">{_e(description)}</desc>'
            + "".join(body) + "</svg>")


def _text(x, y, text, size=12, anchor="start", weight="normal", fill=TEXT) -> str:
    bold = ' font-weight="bold"' if weight == "bold" else ""
    return (f'<text x="{_n(x)}" y="{_n(y)}" font-size="{size}" text-anchor="{anchor}" fill="{fill}" {FONT}'
            f'{bold}>{_e(text)}</text>')


def _scale(low: float, high: float, start: float, end: float):
    span = (high - low) or 1.0
    return lambda value: start + (value - low) / span * (end - start)


@dataclass(frozen=True)
class DotPoint:
    label: str
    value: float
    band: str = ""
    highlight: bool = False


@dataclass(frozen=True)
class ReferenceLine:
    label: str
    value: float


def dot_plot(*, chart_id: str, title: str, description: str, points: list[DotPoint], axis_label: str,
             reference_lines: list[ReferenceLine] = ()) -> str:
    """A strip of dots along one axis; dots that would overlap stack into rows."""
    width, left, right, marker, max_rows = 640, 20, 620, 8, 12
    values = [p.value for p in points] + [r.value for r in reference_lines]
    ticks = nice_ticks(min(values, default=0), max(values, default=1))
    x_of = _scale(ticks[0], ticks[-1], left, right)
    rows_used: dict[int, int] = {}
    placed = []
    for point in sorted((p for p in points if not p.highlight), key=lambda p: p.value):
        column = int(x_of(point.value) // marker)
        row = rows_used.get(column, 0)
        rows_used[column] = row + 1
        placed.append((point, row % max_rows))
    rows = max((row for _, row in placed), default=0) + 1
    top = 40 + 14 * max(len(reference_lines) - 1, 0)
    axis_y = top + rows * (marker + 2) + 16
    height = axis_y + 46
    body = []
    for index, line in enumerate(reference_lines):
        x = x_of(line.value)
        body.append(f'<line x1="{_n(x)}" y1="{_n(top - 8)}" x2="{_n(x)}" y2="{_n(axis_y)}" stroke="{TEXT}" '
                    f'stroke-width="1" stroke-dasharray="4 3"/>')
        anchor = "start" if x < width / 2 else "end"
        body.append(_text(x + (4 if anchor == "start" else -4), 16 + 14 * index, line.label, 12, anchor))
    body.append(f'<line x1="{left}" y1="{_n(axis_y)}" x2="{right}" y2="{_n(axis_y)}" stroke="{TEXT}"/>')
    for tick in ticks:
        x = x_of(tick)
        body.append(f'<line x1="{_n(x)}" y1="{_n(axis_y)}" x2="{_n(x)}" y2="{_n(axis_y + 5)}" stroke="{TEXT}"/>')
        body.append(_text(x, axis_y + 18, format_number(tick), 11, "middle"))
    body.append(_text(width / 2, axis_y + 38, axis_label, 12, "middle"))
    for point, row in placed:
        y = axis_y - 10 - row * (marker + 2)
        shape = band_marker(point.band, x_of(point.value), y, marker) if point.band else \
            f'<circle cx="{_n(x_of(point.value))}" cy="{_n(y)}" r="{marker / 2}" fill="{GREY}"/>'
        body.append(f"<g>{shape}<title>{_e(point.label)}: {_e(format_number(point.value))}</title></g>")
    for point in (p for p in points if p.highlight):
        x, y = x_of(point.value), axis_y - 10
        anchor = "start" if x < width / 2 else "end"
        body.append(f'<g><circle cx="{_n(x)}" cy="{_n(y)}" r="7" fill="{BLUE}" stroke="#ffffff" stroke-width="2"/>'
                    f"<title>{_e(point.label)}: {_e(format_number(point.value))}</title></g>")
        body.append(_text(x + (10 if anchor == "start" else -10), top - 14, point.label, 12, anchor, "bold", BLUE))
    return _svg(chart_id, title, description, width, height, body)


def trend_chart(*, chart_id: str, title: str, description: str, years: list[str], scores: list[float | None],
                bands: list[str], cutoffs: list[float | None] | None = None, axis_label: str = "Score") -> str:
    """An organisation's score by year, each point in its band's shape; the line
    breaks where a year has no score."""
    width, height, left, right, top, bottom = 640, 260, 60, 620, 30, 210
    cutoffs = cutoffs or [None] * len(years)
    values = [v for v in list(scores) + list(cutoffs) if v is not None]
    low, high = min(values + [0.0]), max(values + [0.0])
    ticks = nice_ticks(low, high)
    y_of = _scale(ticks[0], ticks[-1], bottom, top)
    step = (right - left) / len(years) if years else 0
    x_of = lambda index: left + step * (index + 0.5)  # noqa: E731
    body = []
    for tick in ticks:
        y = y_of(tick)
        colour, dash = (TEXT, "") if tick == 0 else (GRID, "")
        body.append(f'<line x1="{left}" y1="{_n(y)}" x2="{right}" y2="{_n(y)}" stroke="{colour}"{dash}/>')
        body.append(_text(left - 6, y + 4, format_number(tick), 11, "end"))
    body.append(_text(14, (top + bottom) / 2, axis_label, 12, "middle").replace(
        "<text ", f'<text transform="rotate(-90 14 {_n((top + bottom) / 2)})" ', 1))
    segment: list[str] = []
    for index, score in enumerate(list(scores) + [None]):
        if score is None:
            if len(segment) > 1:
                body.append(f'<polyline points="{" ".join(segment)}" fill="none" stroke="{BLUE}" stroke-width="2"/>')
            segment = []
        else:
            segment.append(f"{_n(x_of(index))},{_n(y_of(score))}")
    labelled = False
    for index, (year, score, band, cutoff) in enumerate(zip(years, scores, bands, cutoffs)):
        x = x_of(index)
        if cutoff is not None:
            y = y_of(cutoff)
            body.append(f'<line x1="{_n(x - 24)}" y1="{_n(y)}" x2="{_n(x + 24)}" y2="{_n(y)}" stroke="{GREEN}" '
                        f'stroke-width="2" stroke-dasharray="4 3"/>')
            if not labelled:
                body.append(_text(x + 28, y + 4, "Green cut-off", 11, "start", fill=GREEN))
                labelled = True
        if score is None:
            body.append(_text(x, bottom - 6, "Not rated", 11, "middle"))
        else:
            body.append(f"<g>{band_marker(band, x, y_of(score), 14)}<title>{_e(year)}: {_e(format_number(score))}"
                        f"</title></g>")
        body.append(_text(x, bottom + 22, year, 12, "middle"))
    return _svg(chart_id, title, description, width, height, body)


@dataclass(frozen=True)
class ShareRow:
    label: str
    counts: dict[str, int]


BANDS = (("green", "Green", GREEN), ("yellow", "Yellow", YELLOW), ("red", "Red", RED))


def share_bars(*, chart_id: str, title: str, description: str, rows: list[ShareRow]) -> str:
    """100%-stacked horizontal bars of green, yellow and red, each segment labelled with its share."""
    width, label_width, right, bar, gap = 640, 210, 630, 22, 10
    body = []
    for index, (band, word, _) in enumerate(BANDS):
        x = label_width + index * 90
        body.append(band_marker(band, x + 6, 14, 11))
        body.append(_text(x + 16, 18, word, 12))
    for index, row in enumerate(rows):
        y = 34 + index * (bar + gap)
        label = row.label if len(row.label) <= 32 else row.label[:31] + "…"
        body.append(f"<g><title>{_e(row.label)}</title>{_text(label_width - 8, y + bar / 2 + 4, label, 12, 'end')}</g>")
        total = sum(row.counts.get(band, 0) for band, _, _ in BANDS)
        if not total:
            body.append(_text(label_width, y + bar / 2 + 4, "No rated organisations", 12))
            continue
        x = label_width
        for band, word, colour in BANDS:
            count = row.counts.get(band, 0)
            if not count:
                continue
            span = (right - label_width) * count / total
            share = f"{round(100 * count / total)}%"
            body.append(f'<g><rect x="{_n(x)}" y="{_n(y)}" width="{_n(span)}" height="{bar}" fill="{colour}" '
                        f'stroke="#ffffff" stroke-width="1"/><title>{_e(row.label)}: {word} {count} ({share})'
                        f"</title></g>")
            if span >= 34:
                ink = "#ffffff" if band != "yellow" else TEXT
                body.append(_text(x + span / 2, y + bar / 2 + 4, share, 11, "middle", "bold", ink))
            x += span
    height = 34 + len(rows) * (bar + gap) + 4
    return _svg(chart_id, title, description, width, height, body)


@dataclass(frozen=True)
class ScatterPoint:
    label: str
    x: float
    y: float
    band: str = ""


def scatter_plot(*, chart_id: str, title: str, description: str, points: list[ScatterPoint], x_label: str,
                 y_label: str) -> str:
    """Points by band shape, with the least-squares line when it can be fitted."""
    width, height, left, right, top, bottom = 640, 340, 60, 620, 20, 280
    x_ticks = nice_ticks(min((p.x for p in points), default=0), max((p.x for p in points), default=1))
    y_ticks = nice_ticks(min((p.y for p in points), default=0), max((p.y for p in points), default=1))
    x_of = _scale(x_ticks[0], x_ticks[-1], left, right)
    y_of = _scale(y_ticks[0], y_ticks[-1], bottom, top)
    body = []
    for tick in y_ticks:
        body.append(f'<line x1="{left}" y1="{_n(y_of(tick))}" x2="{right}" y2="{_n(y_of(tick))}" stroke="{GRID}"/>')
        body.append(_text(left - 6, y_of(tick) + 4, format_number(tick), 11, "end"))
    for tick in x_ticks:
        body.append(_text(x_of(tick), bottom + 18, format_number(tick), 11, "middle"))
    body.append(f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="{TEXT}"/>')
    body.append(_text((left + right) / 2, bottom + 40, x_label, 12, "middle"))
    body.append(_text(14, (top + bottom) / 2, y_label, 12, "middle").replace(
        "<text ", f'<text transform="rotate(-90 14 {_n((top + bottom) / 2)})" ', 1))
    for point in points:
        body.append(f"<g>{band_marker(point.band, x_of(point.x), y_of(point.y), 8)}<title>"
                    f"{_e(point.label + ': ' if point.label else '')}{_e(format_number(point.x))}, "
                    f"{_e(format_number(point.y))}</title></g>")
    fit = least_squares([p.x for p in points], [p.y for p in points])
    if fit:
        slope, intercept = fit
        x1, x2 = x_ticks[0], x_ticks[-1]
        y1, y2 = (min(max(intercept + slope * x, y_ticks[0]), y_ticks[-1]) for x in (x1, x2))
        body.append(f'<line class="app-trend" x1="{_n(x_of(x1))}" y1="{_n(y_of(y1))}" x2="{_n(x_of(x2))}" '
                    f'y2="{_n(y_of(y2))}" stroke="{BLUE}" stroke-width="2"/>')
    return _svg(chart_id, title, description, width, height, body)


def least_squares(xs: list[float], ys: list[float]) -> tuple[float, float] | None:
    """(slope, intercept), or None with fewer than 3 points or constant x."""
    if len(xs) < 3:
        return None
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mean_x) ** 2 for x in xs)
    if sxx <= 1e-12:
        return None
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys)) / sxx
    return slope, mean_y - slope * mean_x
