"""Whether a year's published ratings have gone stale: figures received or
corrected, or indicator definitions changed, since each published run was
computed. For the workflow's year page."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.db.models.functions import Coalesce

from indicators.models import Result
from indicators.queries import definitions_in_force

from . import frozen_definitions
from .models import RatingRun


@dataclass(frozen=True)
class Staleness:
    run: RatingRun
    figures: int  # values of the year or the one before brought since the run was computed (new or corrected)
    definitions: list[str]  # codes whose definition in force differs from the one the run froze

    @property
    def type_code(self) -> str:
        return self.run.organisation_type.code


def stale_published_runs(year: int) -> list[Staleness]:
    """Each published run of the year with anything changed since it was
    computed, by type code. One query per published type, and two for the
    definitions."""
    runs = list(RatingRun.objects.published().filter(year=year).select_related("organisation_type")
                .defer("indicator_summary").order_by("organisation_type__code"))
    if not runs:
        return []
    in_force = [(d, {t.code for t in d.organisation_types.all()}) for d in definitions_in_force(year)]
    stale = []
    for run in runs:
        figures = (Result.objects.filter(year__in=[year - 1, year], organisation__type=run.organisation_type_id)
                   .alias(brought=Coalesce("source_import__applied_at", "source_import__created_at"))
                   .filter(Q(brought__gt=run.created_at)).count())
        today = frozen_definitions.freeze(in_force, type_code=run.organisation_type.code)
        changed = sorted(code for code in set(today) | set(run.definitions)
                         if today.get(code) != run.definitions.get(code))
        if figures or changed:
            stale.append(Staleness(run=run, figures=figures, definitions=changed))
    return stale
