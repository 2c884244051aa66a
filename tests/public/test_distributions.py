"""The indicator and fairness pages have the database order, count, sum and
sample: what they show is checked here against the same figures worked out
in Python from every stored rating, for every indicator and type of a site,
with a chart sample small enough that sampling happens."""

import math
import statistics

import pytest

from indicators.models import Result
from public import presenters, queries
from ratings.models import RatingRun

SAMPLE = 7  # points a chart draws here: fewer than the site's organisations


@pytest.fixture
def sampled(monkeypatch):
    monkeypatch.setattr(presenters, "MAX_CHART_POINTS", SAMPLE)


def reference_rows(run, code):
    """(code, name, band, value, adjusted, z) of every rating with figures for the indicator, best first."""
    rows = [(r.organisation.code, r.organisation.name, r.band, *r.indicator_scores[code][:3])
            for r in run.ratings.select_related("organisation") if code in r.indicator_scores]
    return sorted(rows, key=lambda row: (-(row[5] if row[5] is not None else -99), row[1]))


def test_indicator_figures_match_every_stored_rating(large_site, sampled):
    runs = list(RatingRun.objects.published().filter(year=2000).select_related("organisation_type"))
    checked = 0
    for run in runs:
        for code in run.peer_medians:
            figures = queries.IndicatorFigures(run, code)
            expected = reference_rows(run, code)
            assert [row[:5] for row in expected] == list(figures.table())
            with_value = [row for row in expected if row[3] is not None]
            assert figures.counts() == {"rows": len(expected), "with_value": len(with_value),
                                        "adjusted": sum(row[4] != row[3] for row in expected)}
            by_value = sorted(with_value, key=lambda row: (row[3], row[1]))
            positions = presenters.chart_sample(len(by_value))
            assert len(positions) == min(SAMPLE, len(by_value)) and positions[-1] == len(by_value) - 1
            assert figures.chart_points(positions) == [(by_value[p][1], by_value[p][3], by_value[p][2])
                                                       for p in positions]
            checked += 1
    assert checked >= 9


def test_indicator_page_numbers_positions_across_pages(large_site, client, monkeypatch):
    from public import tables

    monkeypatch.setattr(tables, "PER_PAGE", 5)
    run = RatingRun.objects.published().get(year=2000, organisation_type__code=large_site.type_code)
    code = large_site.indicator_code
    expected = reference_rows(run, code)
    shown = []
    for page in range(1, math.ceil(len(expected) / 5) + 1):
        response = client.get(f"/indicators/{code}/2000-01/", {"type": large_site.type_code, "page": page})
        shown += [(row["position"], row["name"]) for row in response.context["page"]["rows"]]
    assert shown == [(position, row[1]) for position, row in enumerate(expected, start=1)]


def test_fairness_correlations_and_points_match_every_stored_rating(large_site, sampled):
    data = queries.fairness(2000, sample=presenters.chart_sample)
    for run in data["runs"]:
        code = run.parameters["deprivation_indicator"]
        deprivation = dict(Result.objects.filter(year=2000, indicator__code=code).values_list("organisation_id",
                                                                                            "value"))
        points = sorted((deprivation[r.organisation_id], r.score, r.score_without_adjustment, r.band)
                        for r in run.ratings.filter(score__isnull=False) if r.organisation_id in deprivation)
        assert len(points) > SAMPLE
        found = data["deprivation"][run.organisation_type.code]
        sums = found["sums"]
        assert sums["n"] == len(points)
        after = presenters.correlation_of_sums(sums["n"], sums["x"], sums["y"], sums["xx"], sums["yy"], sums["xy"])
        assert after == pytest.approx(statistics.correlation([p[0] for p in points], [p[1] for p in points]),
                                      abs=1e-9)
        before_points = [p for p in points if p[2] is not None]
        before = presenters.correlation_of_sums(sums["n_u"], sums["x_u"], sums["u"], sums["xx_u"], sums["uu"],
                                                sums["xu"])
        assert before == pytest.approx(statistics.correlation([p[0] for p in before_points],
                                                              [p[2] for p in before_points]), abs=1e-9)
        slope, intercept = presenters.trend_of_sums(sums["n"], sums["x"], sums["y"], sums["xx"], sums["yy"],
                                                    sums["xy"])
        fit = statistics.linear_regression([p[0] for p in points], [p[1] for p in points])
        assert (slope, intercept) == pytest.approx((fit.slope, fit.intercept), abs=1e-9)
        assert found["points"] == [points[p] for p in presenters.chart_sample(len(points))]


def test_correlation_of_sums_refuses_what_cannot_be_measured():
    assert presenters.correlation_of_sums(2, 3, 3, 5, 5, 5) is None  # two points
    assert presenters.correlation_of_sums(3, 3, 6, 3, 14, 6) is None  # x constant at 1
    assert presenters.correlation_of_sums(0, 0, 0, 0, 0, 0) is None
    assert presenters.correlation_of_sums(3, 6, 3, 14, 3, 6) is None  # y constant at 1: no r...
    assert presenters.trend_of_sums(3, 6, 3, 14, 3, 6) == pytest.approx((0, 1))  # ...but a flat line
    assert presenters.trend_of_sums(3, 3, 6, 3, 14, 6) is None  # x constant: no line


def test_a_json_null_is_read_as_no_figure_not_as_zero(small_site):
    run = RatingRun.objects.published().get(year=2000, organisation_type__code=small_site.type_code)
    code = small_site.indicator_code
    first, second = [r for r in run.ratings.order_by("pk") if code in r.indicator_scores][:2]
    first.indicator_scores[code] = [None, None, None, None]
    second.indicator_scores[code] = [5.0, None, None, None]
    for rating in (first, second):
        rating.save(update_fields=["indicator_scores"])
    figures = queries.IndicatorFigures(run, code)
    rows = list(figures.table())
    # Without a z-score, last; a value without an adjusted value counts as adjusted differently.
    assert {row[0] for row in rows[-2:]} == {first.organisation.code, second.organisation.code}
    assert (first.organisation.code, None, None) in [(row[0], row[3], row[4]) for row in rows]
    expected = reference_rows(run, code)
    assert figures.counts() == {"rows": len(expected), "with_value": sum(row[3] is not None for row in expected),
                                "adjusted": sum(row[4] != row[3] for row in expected)}
