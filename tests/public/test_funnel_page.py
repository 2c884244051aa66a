"""The indicator page's funnel plot: the limits drawn from the run's stored
funnel, the organisations beyond them exactly those the stored ratings
classify so (the furthest first, capped with a count), and nothing of it
for an indicator with no counts."""

import math
import re

import pytest

from public.presenters import charting, funnel as funnel_presenter
from ratings import standings
from ratings.frozen_definitions import run_definitions
from ratings.funnels import Classification, Funnel, unit_variance
from ratings.models import RatingRun


def _page(client, run, code, **params):
    response = client.get(f"/indicators/{code}/2000-01/", {"type": run.organisation_type.code, **params})
    assert response.status_code == 200
    return response


def _stored(run, code):
    """(name, value, numerator, denominator, classification) of each rating in the run's funnel."""
    found = []
    for rating in run.ratings.select_related("organisation"):
        if code in rating.indicator_scores:
            score = standings.IndicatorScore(*rating.indicator_scores[code])
            if score.funnel is not None:
                found.append((rating.organisation.name, score.value, score.numerator, score.denominator,
                              int(score.funnel)))
    return found


def _distance(funnel: Funnel, numerator, denominator) -> float:
    p = numerator / denominator
    return (p - funnel.p0) ** 2 / (unit_variance(funnel.measure, funnel.p0) / denominator + funnel.tau2)


def test_the_funnel_shows_the_stored_limits_and_exactly_the_organisations_beyond_them(large_site, client, settings):
    settings.PUBLIC_CACHE_SECONDS = 0
    checked = beyond_seen = 0
    for run in RatingRun.objects.published().filter(year=2000).select_related("organisation_type"):
        for code, stored in run.funnels.items():
            funnel = Funnel.from_dict(stored)
            section = _page(client, run, code).context["page"]["funnel"]
            figures = _stored(run, code)
            assert section["count"] == len(figures) == funnel.organisations
            worse = [f for f in figures if f[4] < 0]
            better = [f for f in figures if f[4] > 0]
            assert (section["worse"], section["better"]) == (len(worse), len(better))
            assert stored["counts"]["worse"] + stored["counts"]["much_worse"] == len(worse)
            # Each side's list: its organisations, furthest from the expected figure first.
            for group, side in zip(section["beyond"], [s for s in (worse, better) if s]):
                expected = sorted(side, key=lambda f: (-_distance(funnel, f[2], f[3]), f[0]))
                assert [row["name"] for row in group["rows"]] == [f[0] for f in expected]
                assert [row["words"] for row in group["rows"]] == [Classification(f[4]).words for f in expected]
                beyond_seen += len(group["rows"])
            # The table of limits: the stored funnel's, at each denominator shown.
            for row in section["limit_rows"]:
                n = float(row["denominator"].replace(",", ""))
                low, high = funnel.limits(n, 1.96)
                assert row["low_95"] == _number(max(low, 0)) and row["expected"] == _number(funnel.target)
                assert row["high_998"] == _number(min(funnel.limits(n, 3.09)[1],
                                                      funnel.multiplier if funnel.measure == "proportion" else math.inf))
            assert 'role="img"' in section["chart"] and "app-chart-compact" in section["chart"]
            assert section["chart"].count('class="app-chart-point"') == min(len(figures), charting.MAX_CHART_POINTS)
            checked += 1
    assert checked >= 10 and beyond_seen > 0


def _number(value):
    from public.formatting import format_number
    return format_number(value)


def test_the_lists_beyond_the_limits_are_capped_with_their_count(large_site, client, settings, monkeypatch):
    settings.PUBLIC_CACHE_SECONDS = 0
    monkeypatch.setattr(funnel_presenter, "BEYOND_SHOWN", 1)
    run, code = next((run, code) for run in RatingRun.objects.published().filter(year=2000)
                     .select_related("organisation_type") for code, stored in run.funnels.items()
                     if stored["counts"]["worse"] + stored["counts"]["much_worse"] > 1)
    response = _page(client, run, code)
    group = response.context["page"]["funnel"]["beyond"][0]
    assert len(group["rows"]) == 1 and group["capped"] and group["total"] > 1
    assert re.search(rf"Worse than expected: the 1 furthest of {group['total']}", response.content.decode())


def test_an_indicator_without_counts_has_no_funnel(large_site, client, settings):
    settings.PUBLIC_CACHE_SECONDS = 0
    run, code = next((run, code) for run in RatingRun.objects.published().filter(year=2000)
                     .select_related("organisation_type")
                     for code, d in run_definitions(run).items() if d.is_performance and d.measure == "other")
    response = _page(client, run, code)
    assert response.context["page"]["funnel"] is None and "funnel plot" not in response.content.decode()


def test_a_run_stored_before_funnels_were_kept_shows_none(large_site, client, settings):
    settings.PUBLIC_CACHE_SECONDS = 0
    run = RatingRun.objects.published().filter(year=2000).select_related("organisation_type").first()
    code = next(iter(run.funnels))
    RatingRun.objects.filter(pk=run.pk).update(funnels={})
    response = _page(client, run, code)
    assert response.context["page"]["funnel"] is None and response.context["page"]["rows"]
