"""The inline SVG charts: accessible, escaped, CSP-safe, and drawn where the
figures say (pure, no database)."""

import math
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, strategies as st

from public import charts

SVG = "{http://www.w3.org/2000/svg}"
NASTY = '<script>&"'


def parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)


def every_element(root):
    return list(root.iter())


def assert_accessible_and_csp_safe(root, chart_id):
    assert root.get("role") == "img" and root.get("focusable") == "false"
    assert root.get("aria-labelledby") == f"{chart_id}-title {chart_id}-desc"
    title, desc = list(root)[:2]
    assert (title.tag, title.get("id")) == (SVG + "title", f"{chart_id}-title")
    assert (desc.tag, desc.get("id")) == (SVG + "desc", f"{chart_id}-desc")
    assert root.get("width") == "100%" and root.get("height") is None and root.get("viewBox")
    for element in every_element(root):
        assert element.get("style") is None
        assert element.tag not in (SVG + "style", SVG + "script")


def numbers_within_viewbox(root):
    _, _, width, height = map(float, root.get("viewBox").split())
    for element in every_element(root):
        for name in ("x", "cx", "x1", "x2"):
            if element.get(name) is not None:
                assert -1 <= float(element.get(name)) <= width + 1, (element.tag, name, element.get(name))
        for name in ("y", "cy", "y1", "y2"):
            if element.get(name) is not None:
                assert -1 <= float(element.get(name)) <= height + 1, (element.tag, name, element.get(name))


@pytest.mark.parametrize("band, tag", [("green", "circle"), ("yellow", "polygon"), ("red", "rect"),
                                       ("not_rated", "polygon")])
def test_each_band_has_its_own_shape(band, tag):
    marker = parse(f'<g xmlns="http://www.w3.org/2000/svg">{charts.band_marker(band, 10, 10, 8)}</g>')[0]
    assert marker.tag == SVG + tag
    if band == "not_rated":
        assert marker.get("fill") == "none"  # hollow, so it differs from yellow's triangle in shape too
        assert len(marker.get("points").split()) == 4
    if band == "yellow":
        assert len(marker.get("points").split()) == 3


def test_band_icon_is_hidden_from_screen_readers_because_the_word_is_beside_it():
    icon = parse(charts.band_icon("red"))
    assert icon.get("aria-hidden") == "true" and icon.get("focusable") == "false"


@pytest.mark.parametrize("value, text", [(0, "0"), (0.25, "0.25"), (1.0, "1"), (-0.5, "-0.5"), (1234.5678, "1234.568"),
                                         (12345, "12,345"), (-0.0001, "0")])
def test_format_number(value, text):
    assert charts.format_number(value) == text


@given(st.floats(-1e6, 1e6), st.floats(0, 1e6))
def test_nice_ticks_cover_the_range_in_round_steps(low, spread):
    high = low + spread
    ticks = charts.nice_ticks(low, high)
    assert ticks == sorted(ticks) and len(ticks) >= 2
    step = ticks[1] - ticks[0]
    # Covered, up to a billionth of a step (so float noise cannot add a tick).
    assert ticks[0] <= low + 1e-9 * step and ticks[-1] >= high - 1e-9 * step
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert any(math.isclose(mantissa, m, rel_tol=1e-6) for m in (1, 2, 2.5, 5, 10))
    assert len(ticks) <= 12


def test_nice_ticks_of_one_value_pad_around_it():
    ticks = charts.nice_ticks(5, 5)
    assert ticks[0] < 5 < ticks[-1]


def test_dot_plot_draws_every_point_and_the_highlight_within_bounds():
    points = [charts.DotPoint(f"Organisation {i}", i % 37 * 1.5, ("green", "yellow", "red")[i % 3])
              for i in range(300)]
    points.append(charts.DotPoint(NASTY, 20.0, "red", highlight=True))
    markup = charts.dot_plot(chart_id="dots", title=NASTY, description="d", points=points, axis_label="%",
                             reference_lines=[charts.ReferenceLine("Median 12", 12), charts.ReferenceLine("Target 30", 30)])
    root = parse(markup)
    assert_accessible_and_csp_safe(root, "dots")
    numbers_within_viewbox(root)
    titled = [g for g in root.iter(SVG + "g") if g.find(SVG + "title") is not None]
    assert len(titled) == 301
    assert root.find(SVG + "title").text == NASTY  # escaped in the markup, intact once parsed
    assert "<script>" not in markup
    dashed = [line for line in root.iter(SVG + "line") if line.get("stroke-dasharray")]
    assert len(dashed) == 2


def test_trend_line_breaks_where_a_year_has_no_score():
    root = parse(charts.trend_chart(chart_id="trend", title="t", description="d",
                                    years=["1997-98", "1998-99", "1999-00", "2000-01", "2001-02"],
                                    scores=[0.1, 0.3, None, -0.2, 0.4], bands=["green", "yellow", "", "red", "green"],
                                    cutoffs=[0.2, 0.25, None, 0.3, 0.3]))
    assert_accessible_and_csp_safe(root, "trend")
    numbers_within_viewbox(root)
    lines = root.findall(f"{SVG}polyline")
    assert [len(line.get("points").split()) for line in lines] == [2, 2]
    texts = [t.text for t in root.iter(SVG + "text")]
    assert "Not rated" in texts and texts.count("Green cut-off") == 1
    assert [y for y in texts if y and y.startswith("19")] == ["1997-98", "1998-99", "1999-00"]


def test_trend_of_one_year_is_one_point_in_the_middle():
    root = parse(charts.trend_chart(chart_id="t", title="t", description="d", years=["2000-01"], scores=[0.5],
                                    bands=["green"]))
    circle = root.find(f".//{SVG}circle")
    assert float(circle.get("cx")) == pytest.approx((60 + 620) / 2)


def test_share_bars_label_each_segment_with_its_share():
    root = parse(charts.share_bars(chart_id="s", title="t", description="d", rows=[
        charts.ShareRow("London: published", {"green": 1, "yellow": 2, "red": 1}),
        charts.ShareRow("Nowhere", {}),
        charts.ShareRow("A very long region name that goes on and on", {"yellow": 3})]))
    assert_accessible_and_csp_safe(root, "s")
    texts = [t.text for t in root.iter(SVG + "text")]
    assert ["25%", "50%", "25%"] == texts[texts.index("London: published") + 1:texts.index("London: published") + 4]
    assert "No rated organisations" in texts and "100%" in texts
    assert "A very long region name that go…" in texts
    widths = [float(r.get("width")) for r in root.iter(SVG + "rect") if r.get("height") == "22"][:3]
    assert widths[1] == pytest.approx(2 * widths[0]) and widths[0] == pytest.approx(widths[2])


def test_scatter_trend_line_only_when_it_can_be_fitted():
    points = [charts.ScatterPoint(f"O{i}", x, y, "green") for i, (x, y) in enumerate([(1, 2), (2, 4), (3, 6)])]
    root = parse(charts.scatter_plot(chart_id="sc", title="t", description="d", points=points, x_label="x",
                                     y_label="y"))
    assert_accessible_and_csp_safe(root, "sc")
    assert root.find(f".//{SVG}line[@class='app-trend']") is not None
    for few in (points[:2], [charts.ScatterPoint("a", 1, y) for y in (1, 2, 3)]):
        root = parse(charts.scatter_plot(chart_id="sc", title="t", description="d", points=few, x_label="x",
                                         y_label="y"))
        assert root.find(f".//{SVG}line[@class='app-trend']") is None
    assert charts.least_squares([1, 2, 3], [2, 4, 6]) == pytest.approx((2, 0))
