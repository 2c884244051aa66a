"""The indicator and fairness pages have the database order, count, sum and
sample: what they show is checked here against the same figures worked out
in Python from every stored rating, for every indicator and type of a site,
with a chart sample small enough that sampling happens."""

import math
import statistics

import pytest

from indicators.models import Result
from public import distributions, queries
from public.formatting import position_words
from public.presenters import charting, fairness
from ratings import standings
from ratings.models import RatingRun

SAMPLE = 7  # points a chart draws here: fewer than the site's organisations


@pytest.fixture
def sampled(monkeypatch):
    monkeypatch.setattr(charting, "MAX_CHART_POINTS", SAMPLE)


def reference_rows(run, code):
    """(code, name, band, value, adjusted, denominator, funnel classification, z) of every rating with
    figures for the indicator, best first."""
    scores = [(r, standings.indicator_scores(r).get(code)) for r in run.ratings.select_related("organisation")]
    rows = [(r.organisation.code, r.organisation.name, r.band, score.value, score.adjusted, score.denominator,
             None if score.funnel is None else int(score.funnel), score.z)
            for r, score in scores if score is not None]
    return sorted(rows, key=lambda row: (-(row[7] if row[7] is not None else -99), row[1]))


def standing_of(z, rows):
    """The card's rule, worked out here: one more than the peers with a higher
    z-score, and how many others share it; none without a z-score."""
    if z is None:
        return None, None
    peers = [row[7] for row in rows if row[7] is not None]
    return 1 + sum(other > z for other in peers), sum(other == z for other in peers) - 1


def read_everything(figures, per_page=5):
    """Every page of the figures, and the first reading."""
    first = figures.read(page=1, per_page=per_page, chart_points=SAMPLE)
    rows = list(first.page)
    for number in range(2, math.ceil(first.rows / per_page) + 1):
        reading = figures.read(page=number, per_page=per_page, chart_points=SAMPLE)
        assert reading.page_number == number and reading.chart_points == first.chart_points
        rows += reading.page
    return first, rows


def test_indicator_figures_match_every_stored_rating(large_site, sampled):
    runs = list(RatingRun.objects.published().filter(year=2000).select_related("organisation_type"))
    checked = 0
    for run in runs:
        for code in run.peer_medians:
            figures = distributions.IndicatorFigures(run, code)
            expected = reference_rows(run, code)
            first, rows = read_everything(figures)
            assert rows == [(*standing_of(row[7], expected), *row[:7]) for row in expected]
            with_value = [row for row in expected if row[3] is not None]
            assert (first.rows, first.with_value, first.adjusted) == (
                len(expected), len(with_value), sum(row[4] != row[3] for row in expected))
            by_value = sorted(with_value, key=lambda row: (row[3], row[1]))
            positions = charting.chart_sample(len(by_value))
            assert len(positions) == min(SAMPLE, len(by_value)) and positions[-1] == len(by_value) - 1
            assert first.chart_points == [(by_value[p][1], by_value[p][3], by_value[p][2]) for p in positions]
            # The funnel plot's sample: spread by denominator over the organisations in the funnel.
            in_funnel = sorted((row for row in with_value if row[6] is not None), key=lambda row: (row[5], row[3], row[1]))
            positions = charting.chart_sample(len(in_funnel))
            assert first.funnel_points == [(in_funnel[p][1], in_funnel[p][3], in_funnel[p][5], in_funnel[p][6])
                                           for p in positions]
            assert (first.funnel_count, first.worse, first.better) == (
                len(in_funnel), sum(row[6] < 0 for row in in_funnel), sum(row[6] > 0 for row in in_funnel))
            if in_funnel:
                assert first.denominators == (min(row[5] for row in in_funnel), max(row[5] for row in in_funnel))
            checked += 1
    assert checked >= 9


def test_indicator_pages_past_either_end_are_the_last_as_django_reads_them(large_site):
    run = RatingRun.objects.published().get(year=2000, organisation_type__code=large_site.type_code)
    figures = distributions.IndicatorFigures(run, large_site.indicator_code)
    count = len(reference_rows(run, large_site.indicator_code))
    last = math.ceil(count / 5)
    for asked, shown in ((1, 1), (2, 2), (last, last), (last + 1, last), (10 ** 6, last), (0, last), (-3, last)):
        assert figures.read(page=asked, per_page=5, chart_points=SAMPLE).page_number == shown, asked


def test_chart_sample_spreads_evenly_and_keeps_both_ends(monkeypatch):
    monkeypatch.setattr(charting, "MAX_CHART_POINTS", 500)
    assert charting.chart_sample(3) == [0, 1, 2]
    for count in (501, 999, 1000, 10_000, 123_457):
        positions = charting.chart_sample(count)
        assert len(set(positions)) == 500 and positions == sorted(positions)
        assert positions[0] == 0 and positions[-1] == count - 1
        exact = [i * (count - 1) / 499 for i in range(500)]
        assert all(abs(p - x) <= 0.5 for p, x in zip(positions, exact))


def test_indicator_page_numbers_positions_across_pages(large_site, client, monkeypatch):
    from public import browse_table

    monkeypatch.setattr(browse_table, "PER_PAGE", 5)
    run = RatingRun.objects.published().get(year=2000, organisation_type__code=large_site.type_code)
    code = large_site.indicator_code
    expected = reference_rows(run, code)
    shown = []
    for page in range(1, math.ceil(len(expected) / 5) + 1):
        response = client.get(f"/indicators/{code}/2000-01/", {"type": large_site.type_code, "page": page})
        shown += [(row["position"], row["name"]) for row in response.context["page"]["rows"]]
    standings = [standing_of(row[7], expected) for row in expected]
    words = [position_words(position, tied_with=tied) if position is not None else "–" for position, tied in standings]
    assert shown == [(word, row[1]) for word, row in zip(words, expected)]
    for page in ("x", "3.0", ""):  # not a whole number: the first page, as everywhere on the site
        response = client.get(f"/indicators/{code}/2000-01/", {"type": large_site.type_code, "page": page})
        assert response.context["page"]["rows"][0]["name"] == expected[0][1], page
    for page in ("9" * 30, "-" + "9" * 30):  # past what a database integer holds: the last page, no error
        response = client.get(f"/indicators/{code}/2000-01/", {"type": large_site.type_code, "page": page})
        assert response.context["page"]["rows"][-1]["name"] == expected[-1][1], page


def test_fairness_correlations_and_points_match_every_stored_rating(large_site, sampled):
    data = queries.fairness(2000, chart_points=SAMPLE)
    for run in data["runs"]:
        code = run.parameters["deprivation_indicator"]
        deprivation = dict(Result.objects.filter(year=2000, indicator__code=code).values_list("organisation_id",
                                                                                            "value"))
        points = sorted((deprivation[r.organisation_id], r.score, r.score_without_adjustment, r.band)
                        for r in run.ratings.filter(score__isnull=False) if r.organisation_id in deprivation)
        assert len(points) > SAMPLE
        found = data["deprivation"][run.organisation_type.code]
        sums = found.sums
        assert sums["n"] == len(points)
        after = fairness.correlation_of_sums(sums["n"], sums["x"], sums["y"], sums["xx"], sums["yy"], sums["xy"])
        assert after == pytest.approx(statistics.correlation([p[0] for p in points], [p[1] for p in points]),
                                      abs=1e-9)
        before_points = [p for p in points if p[2] is not None]
        before = fairness.correlation_of_sums(sums["n_u"], sums["x_u"], sums["u"], sums["xx_u"], sums["uu"],
                                                sums["xu"])
        assert before == pytest.approx(statistics.correlation([p[0] for p in before_points],
                                                              [p[2] for p in before_points]), abs=1e-9)
        slope, intercept = fairness.trend_of_sums(sums["n"], sums["x"], sums["y"], sums["xx"], sums["yy"],
                                                    sums["xy"])
        fit = statistics.linear_regression([p[0] for p in points], [p[1] for p in points])
        assert (slope, intercept) == pytest.approx((fit.slope, fit.intercept), abs=1e-9)
        assert found.points == [points[p] for p in charting.chart_sample(len(points))]


def test_correlation_of_sums_refuses_what_cannot_be_measured():
    assert fairness.correlation_of_sums(2, 3, 3, 5, 5, 5) is None  # two points
    assert fairness.correlation_of_sums(3, 3, 6, 3, 14, 6) is None  # x constant at 1
    assert fairness.correlation_of_sums(0, 0, 0, 0, 0, 0) is None
    assert fairness.correlation_of_sums(3, 6, 3, 14, 3, 6) is None  # y constant at 1: no r...
    assert fairness.trend_of_sums(3, 6, 3, 14, 3, 6) == pytest.approx((0, 1))  # ...but a flat line
    assert fairness.trend_of_sums(3, 3, 6, 3, 14, 6) is None  # x constant: no line


def test_a_json_null_is_read_as_no_figure_not_as_zero(small_site):
    run = RatingRun.objects.published().get(year=2000, organisation_type__code=small_site.type_code)
    code = small_site.indicator_code
    first, second = [r for r in run.ratings.order_by("pk") if code in r.indicator_scores][:2]
    first.indicator_scores[code] = [None, None, None, None]
    second.indicator_scores[code] = [5.0, None, None, None]
    for rating in (first, second):
        rating.save(update_fields=["indicator_scores"])
    reading, rows = read_everything(distributions.IndicatorFigures(run, code))
    # Without a z-score, last; a value without an adjusted value counts as adjusted differently.
    # Row: (position, tied with, code, name, band, value, adjusted); without a z-score, no position.
    assert {row[2] for row in rows[-2:]} == {first.organisation.code, second.organisation.code}
    assert {row[:2] for row in rows[-2:]} == {(None, None)}
    assert (first.organisation.code, None, None) in [(row[2], row[5], row[6]) for row in rows]
    expected = reference_rows(run, code)
    assert (reading.rows, reading.with_value, reading.adjusted) == (
        len(expected), sum(row[3] is not None for row in expected), sum(row[4] != row[3] for row in expected))
