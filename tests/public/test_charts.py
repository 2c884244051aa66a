"""The inline SVG charts: accessible, escaped, CSP-safe, and drawn where the
figures say (pure, no database)."""

import math
import xml.etree.ElementTree as ET
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from public import charts
from ratings import bands
from public.formatting import format_tick

SVG = "{http://www.w3.org/2000/svg}"
NASTY = '<script>&"\'x'
SHAPES = {"green": "circle", "yellow": "polygon", "red": "rect"}


def parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)


def texts(root) -> list[str]:
    return [t.text for t in root.iter(SVG + "text")]


def marker(markup: str) -> ET.Element:
    (element,) = parse(f'<g xmlns="http://www.w3.org/2000/svg">{markup}</g>')
    return element


def points_of(root, kind="app-chart-point"):
    return [g for g in root.iter(SVG + "g") if g.get("class") == kind]


def assert_accessible_and_csp_safe(root, chart_id):
    assert root.tag == SVG + "svg"
    assert root.get("role") == "img" and root.get("focusable") == "false" and root.get("class").split()[0] == "app-chart"
    assert root.get("aria-labelledby") == f"{chart_id}-title {chart_id}-desc"
    assert root.get("preserveAspectRatio") == "xMinYMin meet"
    title, desc = list(root)[:2]
    assert (title.tag, title.get("id")) == (SVG + "title", f"{chart_id}-title")
    assert (desc.tag, desc.get("id")) == (SVG + "desc", f"{chart_id}-desc")
    _, _, view_width, view_height = root.get("viewBox").split()
    # As wide as its container, or drawn at its own size (shrinking only to fit a narrower screen).
    assert (root.get("width"), root.get("height")) in (("100%", None), (view_width, view_height))
    assert len(root.get("viewBox").split()) == 4
    for element in root.iter():
        assert element.get("style") is None, element.tag
        assert element.tag not in (SVG + "style", SVG + "script")
        assert not any(name.startswith("on") for name in element.attrib)


def assert_within_viewbox(root):
    _, _, width, height = map(float, root.get("viewBox").split())
    for element in root.iter():
        for name in ("x", "cx", "x1", "x2"):
            if element.get(name) is not None:
                assert 0 <= float(element.get(name)) <= width, (element.tag, name, element.get(name))
        for name in ("y", "cy", "y1", "y2"):
            if element.get(name) is not None:
                assert 0 <= float(element.get(name)) <= height, (element.tag, name, element.get(name))
        for pair in (element.get("points") or "").split():
            x, y = map(float, pair.split(","))
            assert 0 <= x <= width and 0 <= y <= height, (element.tag, pair)


def dots(**overrides):
    arguments = {"chart_id": "dots", "title": "t", "description": "d", "axis_label": "%",
                 "points": [charts.DotPoint("a", 1.0, "green")]}
    return charts.dot_plot(**(arguments | overrides))


def trend(**overrides):
    arguments = {"chart_id": "trend", "title": "t", "description": "d", "years": ["1999-00", "2000-01"],
                 "scores": [0.1, 0.2], "bands": ["green", "red"]}
    return charts.trend_chart(**(arguments | overrides))


def shares(rows, **overrides):
    return charts.share_bars(**({"chart_id": "shares", "title": "t", "description": "d", "rows": rows} | overrides))


def scatter(points, **overrides):
    arguments = {"chart_id": "scatter", "title": "t", "description": "d", "points": points, "x_label": "x",
                 "y_label": "y"}
    return charts.scatter_plot(**(arguments | overrides))


def funnel(points, **overrides):
    arguments = {"chart_id": "funnel", "title": "t", "description": "d", "points": points, "target": 50.0,
                 "limits": [charts.FunnelLimits("95%", [10, 100, 1000], [10, 40, 47], [90, 60, 53]),
                            charts.FunnelLimits("99.8%", [10, 100, 1000], [-20, 35, 45], [120, 65, 55])],
                 "x_label": "N", "y_label": "%"}
    return charts.funnel_plot(**(arguments | overrides))


EVERY_CHART = {
    "funnel_plot": lambda: funnel([charts.FunnelPoint(NASTY, 50, 100, 0, NASTY), charts.FunnelPoint(NASTY, 70, 900, 1)],
                                  title=NASTY, description=NASTY, x_label=NASTY, y_label=NASTY),
    "dot_plot": lambda: dots(title=NASTY, description=NASTY, axis_label=NASTY,
                             points=[charts.DotPoint(NASTY, 1, "red"), charts.DotPoint(NASTY, 2)],
                             reference_lines=[charts.ReferenceLine(NASTY, 1.5)]),
    "trend_chart": lambda: trend(title=NASTY, description=NASTY, axis_label=NASTY, years=[NASTY, "2000-01"],
                                 cutoffs=[0.3, None]),
    "share_bars": lambda: shares([charts.ShareRow(NASTY, {"green": 1}), charts.ShareRow(NASTY, {})],
                                 title=NASTY, description=NASTY),
    "scatter_plot": lambda: scatter([charts.ScatterPoint(NASTY, i, i * i, "yellow") for i in range(4)],
                                    title=NASTY, description=NASTY, x_label=NASTY, y_label=NASTY),
    "narrow dot_plot": lambda: dots(title=NASTY, description=NASTY, axis_label=NASTY, width=350,
                                    points=[charts.DotPoint(NASTY, i / 3, "green") for i in range(60)],
                                    reference_lines=[charts.ReferenceLine(NASTY, 1.5)]),
    "narrow part_bars": lambda: charts.part_bars(chart_id="parts", title=NASTY, description=NASTY, width=350,
                                                 rows=[charts.PartBar(NASTY, 0.02), charts.PartBar(NASTY, -0.14)]),
    "narrow trend_chart": lambda: trend(title=NASTY, description=NASTY, years=[NASTY, "2000-01"], width=360),
    "small_trend": lambda: charts.small_trend(chart_id="small", title=NASTY, description=NASTY,
                                              years=[NASTY, "1999-00", "2000-01"], values=[1.5, None, 2.0],
                                              medians=[1.0, 1.2, None]),
    "score_strip": lambda: charts.score_strip(chart_id="strip", title=NASTY, description=NASTY, cutoff=0.5,
                                              rows=[charts.ScoreRow(NASTY, 0.8, "green"),
                                                    charts.ScoreRow(NASTY, None, "not_rated")]),
    "narrow share_bars": lambda: shares([charts.ShareRow(NASTY, {"green": 1, "red": 30}), charts.ShareRow(NASTY, {})],
                                        title=NASTY, description=NASTY, width=360),
    "narrow scatter_plot": lambda: scatter([charts.ScatterPoint(NASTY, i, i * i, "yellow") for i in range(4)],
                                           title=NASTY, description=NASTY, x_label=NASTY, y_label=NASTY, width=360),
}

# What a phone 390 pixels wide gives a chart: the page's width less its 16-pixel margins.
PHONE_CONTENT_WIDTH = 390 - 2 * 16
PHONE_CHARTS = ["narrow trend_chart", "small_trend", "score_strip", "narrow share_bars", "narrow scatter_plot",
                "narrow dot_plot", "narrow part_bars"]


@pytest.mark.parametrize("name", PHONE_CHARTS)
def test_charts_for_phones_keep_their_text_legible_on_a_phone(name):
    """Drawn at their own size, they shrink only to fit: every text, as rendered
    at the phone's width (font size times displayed width over the viewBox's
    width), is at least 10 pixels (the charts drawn 640 wide at 100% come to 6)."""
    root = parse(EVERY_CHART[name]())
    width = float(root.get("viewBox").split()[2])
    assert root.get("width") == f"{width:g}"
    scale = min(1.0, PHONE_CONTENT_WIDTH / width)
    sizes = [float(t.get("font-size")) * scale for t in root.iter(SVG + "text")]
    assert sizes and min(sizes) >= 10, sizes
    wide = parse(trend())  # the wide trend chart, for comparison: illegible on a phone
    assert min(float(t.get("font-size")) for t in wide.iter(SVG + "text")) * PHONE_CONTENT_WIDTH / 640 < 7


def test_small_trend_needs_a_value_and_a_median_a_year():
    with pytest.raises(ValueError):
        charts.small_trend(chart_id="s", title="t", description="d", years=["2000-01"], values=[1, 2], medians=[1])


@given(st.lists(st.tuples(st.one_of(st.none(), st.floats(-1e6, 1e6)), st.one_of(st.none(), st.floats(-1e6, 1e6))),
                min_size=1, max_size=12))
def test_small_trend_draws_every_figure_once_within_its_bounds(pairs):
    values, medians = [v for v, _ in pairs], [m for _, m in pairs]
    root = parse(charts.small_trend(chart_id="s", title="t", description="d",
                                    years=[f"{1990 + i}-{(91 + i) % 100:02d}" for i in range(len(pairs))],
                                    values=values, medians=medians))
    assert_within_viewbox(root)
    assert len(points_of(root)) == sum(v is not None for v in values) + sum(m is not None for m in medians)


@pytest.mark.parametrize("name", EVERY_CHART)
def test_every_chart_is_accessible_csp_safe_escaped_and_deterministic(name):
    markup = EVERY_CHART[name]()
    assert markup == EVERY_CHART[name]()
    assert "<script" not in markup and "&lt;script&gt;&amp;&quot;&#x27;x" in markup
    root = parse(markup)  # escaping broken would make this raise or add elements
    assert_accessible_and_csp_safe(root, root.get("aria-labelledby").split()[0].removesuffix("-title"))
    assert_within_viewbox(root)
    assert root.find(SVG + "title").text == NASTY and root.find(SVG + "desc").text == NASTY
    assert NASTY in texts(root)


def test_chart_id_is_escaped_too():
    root = parse(dots(chart_id='a"b'))
    assert root.find(SVG + "title").get("id") == 'a"b-title'


@pytest.mark.parametrize("band, colour", [("green", "#007f3b"), ("yellow", "#ffeb3b"), ("red", "#d5281b")])
def test_each_band_has_its_own_shape_and_colour(band, colour):
    element = marker(charts.band_marker(band, 10, 10, 8))
    assert element.tag == SVG + SHAPES[band] and element.get("fill") == colour
    if band == "yellow":  # a triangle pointing up, with a dark edge to show on white
        apex, right, left = [tuple(map(float, p.split(","))) for p in element.get("points").split()]
        assert apex == (10, 6) and right == (14, 14) and left == (6, 14)
        assert element.get("stroke") == "#212b32"
    if band == "red":
        assert [element.get(a) for a in ("x", "y", "width", "height")] == ["6", "6", "8", "8"]


@pytest.mark.parametrize("band", ["not_rated", "", "purple"])
def test_anything_else_is_a_small_hollow_grey_diamond(band):
    element = marker(charts.band_marker(band, 10, 10, 10))
    corners = [tuple(map(float, p.split(","))) for p in element.get("points").split()]
    assert element.tag == SVG + "polygon" and element.get("fill") == "none" and element.get("stroke") == "#768692"
    assert corners == [(10, 6), (14, 10), (10, 14), (6, 10)]  # smaller than the 10 asked for


def test_every_band_of_the_vocabulary_is_drawn_in_its_shape():
    for band in bands.BANDS:
        assert band.shape in charts.SHAPES
        element = marker(charts.band_marker(band.code, 10, 10, 8))
        assert band.fill in (element.get("fill"), element.get("stroke"))


def test_band_icon_is_a_lone_hidden_marker_because_the_word_is_beside_it():
    icon = parse(charts.band_icon("red", 24))
    assert icon.get("aria-hidden") == "true" and icon.get("focusable") == "false"
    assert icon.get("class") == "app-band-icon" and icon.get("width") == icon.get("height") == "24"
    assert [child.tag for child in icon] == [SVG + "rect"]
    assert parse(charts.band_icon("yellow"))[0].tag == SVG + "polygon"


@pytest.mark.parametrize("low, high, ticks", [
    (0, 10, [0, 2.5, 5, 7.5, 10]), (0, 1, [0, 0.25, 0.5, 0.75, 1]), (3, 97, [0, 25, 50, 75, 100]),
    (-3, 7, [-5, -2.5, 0, 2.5, 5, 7.5]), (0.1, 0.3, [0.1, 0.15, 0.2, 0.25, 0.3]), (10, 0, [0, 2.5, 5, 7.5, 10])])
def test_nice_ticks_examples(low, high, ticks):
    assert charts.nice_ticks(low, high) == ticks


@pytest.mark.parametrize("value", [5, 0, -2.5, 1e-5])
def test_nice_ticks_of_one_value_pad_around_it(value):
    ticks = charts.nice_ticks(value, value)
    assert ticks[0] < value < ticks[-1]


@given(st.floats(-1e6, 1e6), st.floats(0, 1e6), st.integers(2, 10))
def test_nice_ticks_cover_the_range_ascending_in_round_steps(low, spread, count):
    high = low + spread
    ticks = charts.nice_ticks(low, high, count)
    assert len(ticks) >= 2 and all(a < b for a, b in pairwise(ticks))
    step = ticks[1] - ticks[0]
    assert all(math.isclose(b - a, step, rel_tol=1e-6) for a, b in pairwise(ticks))
    # Covered, up to a billionth of a step (so float noise cannot add a tick).
    assert ticks[0] <= low + 1e-9 * step and ticks[-1] >= high - 1e-9 * step
    mantissa = step / 10 ** math.floor(math.log10(step) + 1e-9)
    assert any(math.isclose(mantissa, m, rel_tol=1e-6) for m in (1, 2, 2.5, 5, 10))
    assert len(ticks) <= 2 * count + 2


def three_hundred_points():
    return [charts.DotPoint(f"Organisation {i}", i % 37 * 1.5, ("green", "yellow", "red", "not_rated")[i % 4])
            for i in range(300)]


def test_dot_plot_of_300_points_draws_each_once_and_all_within_bounds():
    points = three_hundred_points()
    root = parse(dots(points=points, reference_lines=[charts.ReferenceLine("Median 12", 12),
                                                      charts.ReferenceLine("Target 30", 30)]))
    assert_accessible_and_csp_safe(root, "dots")
    assert_within_viewbox(root)
    drawn = points_of(root)
    assert len(drawn) == 300
    assert sorted(g.find(SVG + "title").text for g in drawn) == sorted(f"{p.label}: {format_tick(p.value)}"
                                                                       for p in points)
    assert len({g[0].tag for g in drawn}) == 3  # circle, polygon (triangle and diamond), rect
    heights = {float(g.find(SVG + "circle").get("cy")) for g in drawn if g.find(SVG + "circle") is not None}
    assert 1 < len(heights) <= 12  # stacked, but capped


def test_dot_plot_stacks_colliding_points_into_rows_and_spreads_the_rest():
    points = [charts.DotPoint(f"same {i}", 5.0) for i in range(5)] + [charts.DotPoint("far", 100.0)]
    root = parse(dots(points=points))
    circles = {g.find(SVG + "title").text.split(":")[0]: g.find(SVG + "circle") for g in points_of(root)}
    same = [circles[f"same {i}"] for i in range(5)]
    assert len({c.get("cx") for c in same}) == 1 and len({c.get("cy") for c in same}) == 5
    assert circles["far"].get("cy") == max((c.get("cy") for c in same), key=float)  # bottom row: nothing to collide
    assert all(c.get("fill") == "#768692" for c in circles.values())  # no band: a plain grey dot


def test_dot_plot_height_grows_with_rows_but_caps_them():
    def height(n):
        return float(parse(dots(points=[charts.DotPoint(str(i), 1.0) for i in range(n)])).get("viewBox").split()[3])
    assert height(1) < height(5) < height(12) == height(40)


def test_dot_plot_points_stay_in_order_of_value_left_to_right():
    root = parse(dots(points=[charts.DotPoint(str(v), v, "green") for v in (3, -2, 8, 0)]))
    positions = {g.find(SVG + "title").text: float(g[0].get("cx")) for g in points_of(root)}
    assert sorted(positions, key=positions.get) == ["-2: -2", "0: 0", "3: 3", "8: 8"]


def test_dot_plot_reference_lines_are_dashed_and_labels_staggered_only_when_they_would_overlap():
    def label_heights(values):
        root = parse(dots(reference_lines=[charts.ReferenceLine(f"Reference line {v}", v) for v in values]))
        assert len([line for line in root.iter(SVG + "line") if line.get("stroke-dasharray")]) == len(values)
        return [float(t.get("y")) for t in root.iter(SVG + "text") if t.text.startswith("Reference line")]
    close = label_heights([10, 10.5])
    far = label_heights([0, 100])
    assert close[0] != close[1] and far[0] == far[1]


def test_dot_plot_of_nothing_still_draws_an_axis():
    root = parse(dots(points=[]))
    assert_accessible_and_csp_safe(root, "dots")
    assert points_of(root) == [] and len(root.findall(SVG + "line")) >= 3


def test_trend_line_breaks_where_a_year_has_no_score():
    years = ["1997-98", "1998-99", "1999-00", "2000-01", "2001-02"]
    root = parse(trend(years=years, scores=[0.1, 0.3, None, -0.2, 0.4], bands=["green", "yellow", "", "red", "green"],
                       cutoffs=[0.2, 0.25, None, 0.3, 0.3]))
    assert_accessible_and_csp_safe(root, "trend")
    assert_within_viewbox(root)
    lines = root.findall(f"{SVG}polyline")
    assert [len(line.get("points").split()) for line in lines] == [2, 2]
    left, right = ([float(p.split(",")[0]) for p in line.get("points").split()] for line in lines)
    assert left[1] < right[0]  # the gap is where 1999-00 would be
    assert [g[0].tag for g in points_of(root)] == [SVG + "circle", SVG + "polygon", SVG + "rect", SVG + "circle"]
    words = texts(root)
    assert words.count("Not rated") == 1 and words.count("Green cut-off") == 1
    assert [w for w in words if w in years] == years
    assert len([line for line in root.iter(SVG + "line") if line.get("stroke") == "#007f3b"]) == 4 + 1  # + legend


def test_trend_y_position_follows_the_score_and_zero_line_is_drawn_when_in_range():
    root = parse(trend(years=["a", "b", "c"], scores=[-1, 0, 2], bands=["red", "yellow", "green"]))
    heights = [float(g[0].get("cy") or g[0].get("y") or 0) for g in points_of(root)]
    triangle_apex = float(points_of(root)[1][0].get("points").split()[0].split(",")[1])
    zero = root.find(f".//{SVG}line[@class='app-chart-zero']")
    assert zero is not None and triangle_apex == pytest.approx(float(zero.get("y1")) - 7)
    assert heights[0] > float(zero.get("y1")) > heights[2]  # SVG y grows downwards
    assert parse(trend(scores=[50, 60])).find(f".//{SVG}line[@class='app-chart-zero']") is None


def test_trend_of_one_year_is_one_point_in_the_middle():
    root = parse(trend(years=["2000-01"], scores=[0.5], bands=["green"]))
    circle = root.find(f".//{SVG}circle")
    width = float(root.get("viewBox").split()[2])
    assert abs(float(circle.get("cx")) - (60 + 620) / 2) < 1 and 0 < float(circle.get("cx")) < width
    assert root.find(f"{SVG}polyline") is None and "Green cut-off" not in texts(root)


def test_trend_of_many_years_labels_them_all_inside_the_chart():
    years = [f"{y}-{(y + 1) % 100:02d}" for y in range(1980, 2010)]
    root = parse(trend(years=years, scores=[math.sin(i) for i in range(30)], bands=["green"] * 30))
    assert_within_viewbox(root)
    assert [t for t in texts(root) if t in years] == years
    assert all(t.get("transform", "").startswith("rotate(-45") for t in root.iter(SVG + "text") if t.text in years)
    assert len(root.find(SVG + "polyline").get("points").split()) == 30


def test_trend_needs_matching_lists():
    with pytest.raises(ValueError):
        trend(years=["a", "b"], scores=[1], bands=["green", "red"])


def test_share_bars_label_each_segment_with_its_share_in_band_order():
    root = parse(shares([charts.ShareRow("London: published", {"red": 1, "yellow": 2, "green": 1})]))
    assert_accessible_and_csp_safe(root, "shares")
    assert_within_viewbox(root)
    (row,) = points_of(root, "app-chart-row")
    segments = [g.find(SVG + "rect") for g in row.iter(SVG + "g") if g.get("class") == "app-chart-segment"]
    assert [s.get("fill") for s in segments] == ["#007f3b", "#ffeb3b", "#d5281b"]
    x, width = ([float(s.get(a)) for s in segments] for a in ("x", "width"))
    assert width[1] == pytest.approx(2 * width[0]) and width[0] == pytest.approx(width[2])
    assert x[1] == pytest.approx(x[0] + width[0]) and x[2] == pytest.approx(x[1] + width[1])
    labels = list(row.iter(SVG + "text"))[1:]
    assert [t.text for t in labels] == ["25%", "50%", "25%"]
    for share, left, span in zip(labels, x, width, strict=True):  # inside its own segment
        assert left < float(share.get("x")) < left + span


def test_share_bars_put_narrow_shares_just_outside_with_their_marker():
    root = parse(shares([charts.ShareRow("Row", {"green": 1, "yellow": 98, "red": 1})]))
    assert_within_viewbox(root)
    (row,) = points_of(root, "app-chart-row")
    words = [t.text for t in row.iter(SVG + "text")]
    assert words[1:] == ["1%", "98%", "1%"]
    labels = [t for t in row.iter(SVG + "text") if t.text == "1%"]
    bar_bottom = max(float(g[0].get("y")) + float(g[0].get("height")) for g in points_of(row, "app-chart-segment"))
    assert all(float(t.get("y")) > bar_bottom for t in labels)  # below the bar, not on another band's colour
    assert float(labels[0].get("x")) + 0.6 * 11 * 2 < float(labels[1].get("x"))  # no overlap between them
    outside = [child.tag for child in row if child.tag in (SVG + "circle", SVG + "rect")]
    assert outside == [SVG + "circle", SVG + "rect"]  # each narrow label carries its band's shape


@pytest.mark.parametrize("counts, labels", [
    ({"green": 2, "red": 1}, ["67%", "33%"]), ({"green": 1, "yellow": 7}, ["13%", "88%"]),  # whole %, halves up
    ({"green": 1, "yellow": 999, "red": 1}, ["<1%", "100%", "<1%"])])  # a band that is there never shows as 0%
def test_share_bars_round_to_whole_per_cent(counts, labels):
    (row,) = points_of(parse(shares([charts.ShareRow("Row", counts)])), "app-chart-row")
    assert [t.text for t in row.iter(SVG + "text")][1:] == labels


def test_share_bars_legend_zero_rows_and_long_labels():
    long = "A very long region name that goes on and on"
    root = parse(shares([charts.ShareRow("Nowhere", {}), charts.ShareRow(long, {"yellow": 3})]))
    legend = [child for child in root if child.tag in (SVG + "circle", SVG + "polygon", SVG + "rect", SVG + "text")]
    assert [e.tag.removeprefix(SVG) for e in legend] == ["circle", "text", "polygon", "text", "rect", "text"]
    assert [e.text for e in legend if e.tag == SVG + "text"] == ["Green", "Yellow", "Red"]
    empty, full = points_of(root, "app-chart-row")
    assert empty.find(SVG + "rect") is None and "No rated organisations" in [t.text for t in empty.iter(SVG + "text")]
    assert full.find(SVG + "title").text == long
    shown = full.find(SVG + "text").text
    assert shown == long[:31] + "…" and len(shown) == 32
    assert "100%" in [t.text for t in full.iter(SVG + "text")]


def test_share_bars_height_grows_with_rows():
    def height(n):
        return float(parse(shares([charts.ShareRow(str(i), {"green": 1}) for i in range(n)])).get("viewBox").split()[3])
    assert height(1) < height(2) < height(6)


def line_points(points):
    root = parse(scatter(points))
    return root, root.find(f".//{SVG}line[@class='app-trend']")


def test_scatter_trend_line_follows_the_least_squares_fit():
    points = [charts.ScatterPoint(f"O{i}", x, y, "green") for i, (x, y) in enumerate([(1, 2), (2, 4), (3, 6)])]
    root, line = line_points(points)
    assert_accessible_and_csp_safe(root, "scatter")
    assert_within_viewbox(root)
    circles = [g.find(SVG + "circle") for g in points_of(root)]
    first, last = circles[0], circles[-1]  # on the line y = 2x, so the fit passes through them
    assert float(line.get("x1")) == pytest.approx(float(first.get("cx")), abs=0.1)
    assert float(line.get("y1")) == pytest.approx(float(first.get("cy")), abs=0.1)
    assert float(line.get("x2")) == pytest.approx(float(last.get("cx")), abs=0.1)
    assert float(line.get("y2")) == pytest.approx(float(last.get("cy")), abs=0.1)
    assert [g.find(SVG + "title").text for g in points_of(root)] == ["O0: 1, 2", "O1: 2, 4", "O2: 3, 6"]


@pytest.mark.parametrize("coordinates", [[(1, 2), (2, 4)], [(1, 1), (1, 2), (1, 3)], []])
def test_scatter_trend_line_only_with_three_points_and_varying_x(coordinates):
    root, line = line_points([charts.ScatterPoint("a", x, y) for x, y in coordinates])
    assert line is None and len(points_of(root)) == len(coordinates)
    assert_accessible_and_csp_safe(root, "scatter")


def test_scatter_marks_points_by_band_and_flat_fits_are_horizontal():
    bands = ["green", "yellow", "red", "not_rated"]
    root, line = line_points([charts.ScatterPoint("a", x, 5, band) for x, band in enumerate(bands)])
    assert [g[0].tag.removeprefix(SVG) for g in points_of(root)] == ["circle", "polygon", "rect", "polygon"]
    assert line.get("y1") == line.get("y2")


def test_funnel_plot_marks_each_side_by_shape_and_draws_the_expected_line_and_both_limits():
    points = [charts.FunnelPoint("within", 50, 500, 0, "within the expected range"),
              charts.FunnelPoint("better", 58, 900, 1, "better than expected"),
              charts.FunnelPoint("worse", 30, 200, -1, "much worse than expected")]
    root = parse(funnel(points))
    drawn = {g.find(SVG + "title").text: g for g in root.iter(SVG + "g") if g.get("class") == "app-chart-point"}
    assert drawn["within: 50 of 500, within the expected range"].find(SVG + "circle") is not None
    up = drawn["better: 58 of 900, better than expected"].find(SVG + "polygon")
    down = drawn["worse: 30 of 200, much worse than expected"].find(SVG + "polygon")
    assert up.get("fill") == charts.BETTER_INK and down.get("fill") == charts.WORSE_INK
    (apex_up, *base_up), (apex_down, *base_down) = ([tuple(map(float, p.split(","))) for p in shape.get("points").split()]
                                                  for shape in (up, down))
    assert apex_up[1] < base_up[0][1] and apex_down[1] > base_down[0][1]  # pointing up, pointing down
    # Beyond the limits drawn last (on top).
    assert set(list(drawn)[-2:]) == {"better: 58 of 900, better than expected",
                                     "worse: 30 of 200, much worse than expected"}
    clipped = next(g for g in root.iter(SVG + "g") if g.get("clip-path") == "url(#funnel-plot)")
    curves = clipped.findall(SVG + "polyline")
    assert [c.get("stroke-dasharray") for c in curves] == ["6 4", "6 4", "2 3", "2 3"]
    (expected,) = clipped.findall(SVG + "line")
    y_of = {t.text: float(t.get("y")) - 4 for t in root.iter(SVG + "text")}  # tick labels sit 4 below their line
    assert float(expected.get("y1")) == pytest.approx(y_of["50"], abs=0.1)
    # Larger denominators to the right, and the limits narrow towards them.
    x_of = {t.text: float(t.get("x")) for t in root.iter(SVG + "text") if t.get("text-anchor") == "middle"}
    assert x_of["0"] < x_of["500"] < x_of["1000"]
    upper = [tuple(map(float, p.split(","))) for p in curves[1].get("points").split()]
    assert upper[0][0] < upper[-1][0] and upper[0][1] < upper[-1][1]  # higher on the page at small N
    assert {"Expected", "95% limits", "99.8% limits", "Better than expected", "Within",
            "Worse than expected"} <= set(texts(root))
    assert "app-chart-compact" in root.get("class")


def test_funnel_plot_text_is_large_enough_to_read_on_a_phone():
    # Drawn 380 units wide, shown about 358 px wide on a 390 px phone: 13-unit text is over 12 px.
    root = parse(funnel([charts.FunnelPoint("a", 50, 100, 0)]))
    assert root.get("viewBox").split()[2] == "380"
    assert min(float(t.get("font-size")) for t in root.iter(SVG + "text")) >= 13


def test_the_rank_interval_chart_keeps_its_text_legible_on_a_phone():
    root = parse(charts.rank_interval_chart(chart_id="ranks", rank=12, low=6, high=21, rated=98, band="green"))
    width = float(root.get("viewBox").split()[2])
    assert root.get("width") == f"{width:g}"  # drawn at its own size, shrinking only to fit
    sizes = [float(t.get("font-size")) * min(1.0, PHONE_CONTENT_WIDTH / width) for t in root.iter(SVG + "text")]
    assert sizes and min(sizes) >= 10, sizes
