"""What the fact-check pages read: each a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from django.shortcuts import get_object_or_404

from indicators.models import Organisation, Result
from indicators.years import format_year
from ratings import frozen_definitions
from ratings.actions.fact_checks import draft_run_for
from ratings.models import Challenge, FactCheckWindow, RatingRun

from ..formatting import format_number


@dataclass
class Draft:
    organisation: Organisation
    year: int
    year_label: str
    window: FactCheckWindow
    run: RatingRun


@dataclass
class Figure:
    indicator_code: str
    indicator_name: str
    year: int
    year_label: str
    value: str
    numerator: str
    denominator: str


def open_drafts(organisation_ids: set[int]) -> list[Draft]:
    """The drafts the staff of these organisations may check now, by organisation then year."""
    drafts = []
    windows = list(FactCheckWindow.objects.open().prefetch_related("organisation_types"))
    for organisation in Organisation.objects.filter(pk__in=organisation_ids).select_related("type"):
        for window in windows:
            run = draft_run_for(window, organisation)
            if run is not None:
                drafts.append(Draft(organisation, window.year, format_year(window.year), window, run))
    return drafts


def challenges_of(organisation_ids: set[int], year: int | None = None) -> list[Challenge]:
    """The challenges of these organisations, newest first: one query."""
    challenges = Challenge.objects.filter(organisation__in=organisation_ids)
    if year is not None:
        challenges = challenges.filter(window__year=year)
    return list(challenges.select_related("organisation", "indicator", "window").defer("attachment"))


def challenge_or_404(pk: int) -> Challenge:
    return get_object_or_404(Challenge.objects.select_related("organisation", "indicator", "window", "resolved_by")
                             .defer("attachment"), pk=pk)


def figures_behind(organisation: Organisation, run: RatingRun) -> list[Figure]:
    """The organisation's figures the draft was computed from: each indicator of
    the run's frozen definitions, in the year and the year before (improvement
    compares them), as held now. One query."""
    definitions = frozen_definitions.run_definitions(run)
    results = (Result.objects.filter(organisation=organisation, year__in=[run.year, run.year - 1],
                                     indicator__code__in=list(definitions))
               .select_related("indicator").order_by("indicator__code", "-year"))
    return [Figure(result.indicator.code, result.indicator.name, result.year, format_year(result.year),
                   format_number(result.value, places=6), format_number(result.numerator, places=6),
                   format_number(result.denominator, places=6)) for result in results]
