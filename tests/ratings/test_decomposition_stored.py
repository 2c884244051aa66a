"""The decomposition stored with a recalculation's runs, held against the
stored records of both years for every demo organisation rated in both."""


import pytest

from indicators.models import Result
from ratings import actions, admin_comparisons, standings
from ratings.models import Rating, RatingRun


@pytest.fixture
def demo(loaded_demo):
    """The demo with 1998-99 and 1999-00 published, then one 1999-00 figure
    corrected after publication, and 2000-01 recalculated."""
    first = actions.recalculate(year=1998, publish=True)
    second = actions.recalculate(year=1999, publish=True)
    corrected = (Rating.objects.filter(run__in=second, band="yellow", organisation__type__code="HA")
                 .order_by("organisation__code").first())
    scored = [code for code, d in corrected.run.definitions.items() if d["kind"] == "performance"]
    figure = Result.objects.filter(organisation=corrected.organisation, year=1999, indicator__code__in=scored,
                                   value__isnull=False).order_by("indicator__code").first()
    Result.objects.filter(pk=figure.pk).update(value=figure.value * 1.5 + 10)  # a correction, not published
    third = actions.recalculate(year=2000)
    return first, second, third, corrected.organisation_id


def held(runs, previous_runs, *, corrected=None):
    """Every rating of `runs` against the previous year's stored rating: the
    decomposition is there exactly when both are rated, its parts add up to
    the stored change of margin, and it names the stored bands."""
    previous = {r.organisation_id: r for r in Rating.objects.filter(run__in=previous_runs)}
    counts = {"explained": 0, "changed": 0, "split": 0}
    for run in runs:
        # Primary care groups start in 1999-00: nothing to compare that year with.
        assert run.compared_with_id == next((p.pk for p in previous_runs if p.organisation_type_id
                                             == run.organisation_type_id), None)
        for rating in Rating.objects.filter(run=run):
            before = previous.get(rating.organisation_id)
            explanation = standings.change_explanation(rating)
            if before is None or "not_rated" in (before.band, rating.band):
                assert explanation is None and rating.change_reason == ""
                continue
            counts["explained"] += 1
            assert explanation.compared_with == before.run_id and explanation.year_before == before.run.year
            assert (explanation.band_before, explanation.band_after) == (before.band, rating.band)
            assert explanation.main_reason == rating.change_reason
            assert (rating.change_reason != "") == (before.band != rating.band)
            counts["changed"] += before.band != rating.band
            assert rating.change_reason in ("", *standings.CHANGE_REASONS)
            if explanation.has_margin:
                counts["split"] += 1
                change = rating.gap_to_green - before.gap_to_green
                assert explanation.change == pytest.approx(change, abs=1e-12)
                assert abs(sum(explanation.parts.values()) - change) <= 1e-9
                assert explanation.margins["own1_others1_method1"] == pytest.approx(rating.gap_to_green, abs=1e-9)
                if corrected is None:
                    assert abs(explanation.corrections) <= 1e-12
            else:
                assert explanation.no_margin_reason in (standings.NO_CUTOFF, standings.NOT_RATED_IN_A_COMBINATION)
            assert explanation.band_if_others_stood_still == explanation.bands["own1_others0_method1"]
            assert explanation.band_under_last_years_method == explanation.bands["own1_others1_method0"]
            assert explanation.bands["own1_others1_method1"] == rating.band
            if rating.change_reason == standings.CORE_TARGETS:
                assert "red" in (before.band, rating.band) or \
                    (before.candidate_position is None) != (rating.candidate_position is None)
    return counts


def test_every_demo_organisation_rated_in_both_years_has_its_change_explained(demo):
    first, second, third, corrected = demo
    assert all(run.compared_with is None for run in first)  # 1997-98 was never published
    assert not Rating.objects.filter(run__in=first, decomposition__isnull=False).exists()
    counts = held(second, first)
    assert counts["explained"] > 200 and counts["changed"] > 50 and counts["split"] == counts["explained"]
    counts = held(third, second, corrected=corrected)
    assert counts["explained"] > 500 and counts["changed"] > 100
    # The corrected figure moved its organisation's recomputed 1999-00 margin: a correction since publication.
    explanation = standings.change_explanation(Rating.objects.get(run__in=third, organisation_id=corrected))
    assert abs(explanation.corrections) > 1e-6
    assert RatingRun.objects.filter(pk__in=[r.pk for r in third], compared_with__in=second).count() == len(third)
    # The admin compare of the two years gives the stored parts, not a guess from the level and improvement scores.
    comparison = admin_comparisons.runs_comparison(before=second, after=third, before_label="1999-00",
                                                   after_label="2000-01")
    stored = {r.organisation_id: r for r in Rating.objects.filter(run__in=third)}
    moved = [c for c in comparison.changes if c.before and c.after and "not_rated" not in (c.before.band,
                                                                                             c.after.band)]
    assert len(moved) > 100
    for change in moved:
        explanation = standings.change_explanation(stored[change.organisation.id])
        [sentence] = [r for r in change.reasons if r.startswith("Its margin over the green cut-off")]
        assert not any(r.startswith("Mostly its") for r in change.reasons)
        if explanation.has_margin:
            assert f"own figures {explanation.own:+.2f}, others' figures {explanation.others:+.2f}" in sentence
        assert f"stood still it would have been {explanation.band_if_others_stood_still}" in sentence
