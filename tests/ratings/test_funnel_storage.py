"""Funnel limits are computed with a run, from the counts it used, and stored
with it (spec, "Funnel limits"): each run's funnel of each indicator with a
measure, and each rating's counts and classification, read back as
`funnel_fit.fit` gives them over the stored figures; later edits to the
figures never change them."""


import pytest

from indicators.models import Result
from ratings import actions, funnel_fit, standings
from ratings.frozen_definitions import run_definitions
from ratings.funnels import Classification, Funnel
from ratings.models import Rating


@pytest.fixture
def runs(loaded_demo):
    return actions.recalculate(year=2000)


def test_each_run_stores_the_funnel_of_each_indicator_with_counts_and_each_rating_its_place(runs):
    checked = 0
    for run in runs:
        definitions = run_definitions(run)
        ratings = list(Rating.objects.filter(run=run).exclude(band="not_rated"))
        with_counts = {code for code, d in definitions.items() if d.is_performance and d.measure != "other"}
        assert set(run.funnels) == with_counts and with_counts, run
        for code, stored in run.funnels.items():
            figures = [standings.IndicatorScore(*r.indicator_scores[code]) for r in ratings
                       if code in r.indicator_scores]
            counted = [f for f in figures if f.numerator is not None]
            definition = definitions[code]
            refitted = funnel_fit.fit([f.numerator for f in counted], [f.denominator for f in counted],
                                   measure=definition.measure, multiplier=definition.multiplier,
                                   direction=definition.direction)
            # Equal but for the order of summing (the engine's order against the ratings').
            kept, again = Funnel.from_dict(stored).as_dict(), refitted.funnel.as_dict()
            for name, value in again.items():
                assert kept[name] == (pytest.approx(value, rel=1e-9, abs=1e-15) if isinstance(value, float)
                                      else value), (code, name)
            assert refitted.classification.tolist() == [f.funnel for f in counted]
            assert stored["counts"] == {c.name.lower(): sum(f.funnel == c for f in counted) for c in Classification}
            assert stored["limits"] == [1.96, 3.09]
            # The stored value is the counts' rate as the definition measures it (the demo's figures are consistent).
            for figure in counted:
                assert figure.value == pytest.approx(definition.multiplier * figure.numerator / figure.denominator,
                                                     abs=0.051 * max(1, definition.multiplier / 100))
            checked += 1
        # An indicator with no sampling model has no counts stored.
        for code, definition in definitions.items():
            if definition.is_performance and definition.measure == "other":
                assert all(standings.IndicatorScore(*r.indicator_scores[code])[4:] == (None, None, None)
                           for r in ratings if code in r.indicator_scores)
    assert checked > 20
    # Not-rated organisations are outside the funnel, as they are outside the peers.
    assert not any(Rating.objects.filter(run__in=runs, band="not_rated").exclude(indicator_scores={}))


def test_a_published_funnel_never_changes_when_the_figures_are_edited_later(runs):
    run = runs[0]
    code = next(iter(run.funnels))
    before = dict(run.funnels[code])
    indicator = run_definitions(run)[code].indicator
    Result.objects.filter(year=2000, indicator_id=indicator, organisation__type=run.organisation_type).update(
        numerator=0)
    run.refresh_from_db()
    assert run.funnels[code] == before and before["p0"] > 0
    # A new recalculation uses the figures as they now are.
    again = {r.organisation_type_id: r for r in actions.recalculate(year=2000)}[run.organisation_type_id]
    assert again.funnels[code]["p0"] == 0
