"""The admin workflow's reads: each a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Case, Count, Q, When
from django.shortcuts import get_object_or_404

from indicators.models import Indicator, Organisation, OrganisationType, Result

from . import standings
from .ladder import consecutive_years
from .parameters import SchemeParameters
from .models import (BandConsequence, Band, CertaintyChunk, Challenge, FactCheckWindow, Rating, RatingRun, RatingScheme,
                     Recalculation, WhatIf)


def years() -> list[int]:
    """Every year with data, a method or runs, newest first: three queries."""
    found = set(RatingScheme.objects.values_list("year", flat=True))
    found |= set(RatingRun.objects.values_list("year", flat=True).distinct())
    found |= set(Result.objects.values_list("year", flat=True).distinct())
    return sorted(found, reverse=True)


def runs_of(year: int):
    """The year's runs, newest first within each type, with their band counts."""
    return (RatingRun.objects.filter(year=year).select_related("organisation_type", "created_by", "published_by")
            .annotate(**{band: Count("ratings", filter=Q(ratings__band=band)) for band in Band.values})
            .order_by("organisation_type__code", "-created_at", "-pk"))


def year_overview(year: int) -> dict:
    """What the year page shows: five queries."""
    return {
        "scheme": RatingScheme.objects.filter(year=year).first(),
        "previous_scheme": RatingScheme.objects.filter(year=year - 1).exists(),
        "results": Result.objects.filter(year=year).count(),
        "runs": list(runs_of(year)),
        "recalculations": list(Recalculation.objects.filter(year=year).select_related("requested_by")
                               .prefetch_related("runs")[:5]),
    }


def run_or_404(pk: int) -> RatingRun:
    return get_object_or_404(RatingRun.objects.select_related("organisation_type"), pk=pk)


def certainty_progress(runs) -> dict[int, tuple[int, int]]:
    """{run id: (chunks of draws done, chunks)} of the runs' band-certainty simulations, in one query."""
    counts = (CertaintyChunk.objects.filter(run__in=runs).values("run")
              .annotate(done=Count("id", filter=Q(status=CertaintyChunk.Status.DONE)), total=Count("id")))
    return {row["run"]: (row["done"], row["total"]) for row in counts}


def recalculation_or_404(pk: int) -> Recalculation:
    return get_object_or_404(Recalculation.objects.select_related("requested_by"), pk=pk)


def what_if_or_404(pk: int) -> WhatIf:
    return get_object_or_404(WhatIf.objects.select_related("requested_by"), pk=pk)


def recent_what_ifs(year: int) -> list[WhatIf]:
    return list(WhatIf.objects.filter(year=year).select_related("requested_by").defer("outcomes")[:10])


def what_if_comparison(what_if: WhatIf):
    """The kept answer of a finished what-if, compared as the admin reads it (three queries); None until then."""
    if what_if.status != WhatIf.Status.SUCCEEDED:
        return None
    from . import admin_comparisons  # pandas: only when an admin reads a what-if (see ratings.actions)

    return admin_comparisons.what_if_comparison(
        year=what_if.year, before=SchemeParameters.from_dict(what_if.base_parameters),
        after=SchemeParameters.from_dict(what_if.parameters),
        outcomes=admin_comparisons.outcomes_from_json(what_if.outcomes))


def latest_drafts(year: int) -> list[RatingRun]:
    """The newest draft of each type for the year."""
    newest = {}
    for run in RatingRun.objects.drafts().filter(year=year).select_related(
            "organisation_type").order_by("-created_at", "-pk"):
        newest.setdefault(run.organisation_type_id, run)
    return sorted(newest.values(), key=lambda run: run.organisation_type.code)


def runs_by_id(year: int, ids: list[int]) -> list[RatingRun]:
    return list(RatingRun.objects.filter(year=year, pk__in=ids).select_related("organisation_type")
                .order_by("organisation_type__code"))


def published_run_list(year: int) -> list[RatingRun]:
    """The year's runs the public sees now, one per type, by type code (a list;
    `RatingRun.objects.published()` is the queryset)."""
    return list(RatingRun.objects.published().filter(year=year).select_related("organisation_type")
                .order_by("organisation_type__code"))


@dataclass
class Intervention:
    organisation: Organisation
    year: int
    red_years: int
    # The core targets counted as failed, named in words: "Financial balance", "Inpatients waiting 18 months (no data)".
    failures: list[str]
    steps_reached: list[BandConsequence] = field(default_factory=list)
    next_step: BandConsequence | None = None


def interventions() -> list[Intervention]:
    """Organisations red in the latest published year of their type, with how
    many years running, the core targets its run counted as failed, and the
    steps of the red ladder that brings: five queries."""
    published = RatingRun.objects.published()
    latest, no_data_counts = {}, {}
    for run_id, type_id, year, parameters in published.values_list("pk", "organisation_type_id", "year",
                                                                   "parameters"):
        latest[type_id] = max(year, latest.get(type_id, year))
        # Under missing_core_data = not_green a missing figure is kept with the failures but is none.
        no_data_counts[run_id] = parameters.get("missing_core_data", "failure") == "failure"
    red_years: dict[int, set[int]] = {}
    current = {}
    for organisation_id, run_id, type_id, year, failures in Rating.objects.filter(
            run__in=published, band=Band.RED).values_list(
            "organisation_id", "run_id", "run__organisation_type_id", "run__year", "core_failures"):
        red_years.setdefault(organisation_id, set()).add(year)
        if year == latest[type_id]:
            counted = [failure for failure in standings.core_failures_of(failures)
                       if failure.reason != standings.NO_DATA or no_data_counts[run_id]]
            current[organisation_id] = (year, counted)
    organisations = Organisation.objects.select_related("type", "region").in_bulk(list(current))
    names = indicator_names()
    ladder = list(BandConsequence.objects.filter(band=Band.RED).order_by("consecutive_years", "position", "pk"))
    found = []
    for organisation_id, (year, failures) in current.items():
        streak = consecutive_years(red_years[organisation_id], year)
        found.append(Intervention(
            organisation=organisations[organisation_id], year=year, red_years=streak,
            failures=[names.get(failure.indicator, failure.indicator)
                      + (" (no data)" if failure.reason == standings.NO_DATA else "") for failure in failures],
            steps_reached=[step for step in ladder if step.consecutive_years <= streak],
            next_step=next((step for step in ladder if step.consecutive_years > streak), None)))
    return sorted(found, key=lambda i: (-i.red_years, i.organisation.type.code, i.organisation.name))


def indicator_names() -> dict[str, str]:
    return dict(Indicator.objects.values_list("code", "name"))


def organisation_type_codes() -> list[str]:
    return list(OrganisationType.objects.order_by("code").values_list("code", flat=True))


def fact_check_windows(year: int) -> list[FactCheckWindow]:
    return list(FactCheckWindow.objects.filter(year=year).prefetch_related("organisation_types")
                .select_related("opened_by", "closed_by"))


def fact_check_window_or_404(pk: int) -> FactCheckWindow:
    return get_object_or_404(FactCheckWindow.objects.select_related("opened_by", "closed_by"), pk=pk)


def challenges_of_window(window: FactCheckWindow) -> list[Challenge]:
    """Every challenge of the window, open ones first: one query."""
    return list(window.challenges.select_related("organisation", "indicator", "created_by", "resolved_by")
                .defer("attachment")
                .order_by(Case(When(status=Challenge.Status.OPEN, then=0), default=1), "created_at", "pk"))


def challenge_or_404(pk: int) -> Challenge:
    return get_object_or_404(Challenge.objects.select_related("organisation", "indicator", "window", "run",
                                                              "created_by", "resolved_by").defer("attachment"),
                             pk=pk)
