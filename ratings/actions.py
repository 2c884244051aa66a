"""Every write to the ratings app: keyword-only, atomic."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from indicators.models import Indicator, OrganisationType

from . import engine
from .inputs import load_engine_inputs
from .models import Rating, RatingRun, RatingScheme

BATCH_SIZE = 1000


class RecalculationError(Exception):
    """The year cannot be rated as things stand; the message says why."""


@transaction.atomic
def update_scheme(*, year: int, values: dict) -> RatingScheme:
    """Set some of a year's method parameters (the spec's names), validated."""
    unknown = set(values) - set(RatingScheme.PARAMETER_NAMES)
    if unknown:
        raise ValidationError(f"Unknown parameter(s): {', '.join(sorted(unknown))}. The parameters are: "
                              f"{', '.join(RatingScheme.PARAMETER_NAMES)}.", code="unknown_parameter")
    scheme, _ = RatingScheme.objects.select_for_update().get_or_create(year=year)
    for name, value in values.items():
        setattr(scheme, name, value)
    scheme.full_clean()
    scheme.save()
    return scheme


def recalculate(*, year: int, type_codes: list[str] | None = None, user=None, publish: bool = False
                ) -> list[RatingRun]:
    """Compute a new draft run for each organisation type (with any organisation
    open in the year), from the year's scheme; with publish, publish them too.

    Serialised per year: the scheme row is locked (PostgreSQL) or the database
    write-locked from the start of the transaction (SQLite), so two
    recalculations of a year never interleave. All or nothing.
    """
    RatingScheme.objects.get_or_create(year=year)
    with transaction.atomic():
        scheme = RatingScheme.objects.select_for_update().get(year=year)
        try:
            scheme.full_clean()
        except ValidationError as error:
            raise RecalculationError(_describe(error)) from None
        params = scheme.parameters()
        all_types = list(OrganisationType.objects.order_by("code").values_list("code", flat=True))
        unknown = sorted(set(type_codes or []) - set(all_types))
        if unknown:
            raise RecalculationError(f"Unknown organisation type(s): {', '.join(unknown)}.")
        inputs = load_engine_inputs(year=year, type_codes=type_codes or all_types,
                                    deprivation_code=params.deprivation_indicator)
        result = engine.rate(inputs, params)
        # The band each would have had without the value-added adjustment, all else equal.
        unadjusted = engine.rate(inputs, replace(params, value_added=False)) if params.value_added else result
        runs = _store_runs(year=year, params=params, result=result, unadjusted=unadjusted, user=user)
        if publish:
            runs = [publish_run(run=run, user=user) for run in runs]
        return runs


@transaction.atomic
def publish_run(*, run: RatingRun, user=None) -> RatingRun:
    """Publish a run now. The year and type's previously published run is kept, marked superseded."""
    siblings = list(RatingRun.objects.select_for_update().filter(
        year=run.year, organisation_type_id=run.organisation_type_id))
    run = next(r for r in siblings if r.pk == run.pk)
    if run.status not in (RatingRun.Status.DRAFT, RatingRun.Status.PUBLISHED):
        raise RecalculationError(f"Run {run.pk} is {run.status} and cannot be published.")
    for sibling in siblings:
        if sibling.pk != run.pk and sibling.status == RatingRun.Status.PUBLISHED:
            sibling.status = RatingRun.Status.SUPERSEDED
            sibling.save(update_fields=["status"])
    if run.status == RatingRun.Status.DRAFT:
        run.status, run.published_at = RatingRun.Status.PUBLISHED, timezone.now()
        run.save(update_fields=["status", "published_at"])
    return run


def _store_runs(*, year, params, result: engine.EngineResult, unadjusted: engine.EngineResult, user
                ) -> list[RatingRun]:
    codes = dict(Indicator.objects.values_list("id", "code"))
    type_ids = dict(OrganisationType.objects.values_list("code", "id"))
    ratings = result.ratings
    if ratings.empty:
        return []
    without = unadjusted.ratings.set_index("organisation")["band"]
    scores = _grouped_json(result.indicator_scores, codes,
                           lambda code, r: (code, [r[0], r[1], r[2], r[3]]),
                           ["value", "adjusted", "z", "delta_z"], as_dict=True)
    failures = _grouped_json(result.core_failures, codes,
                             lambda code, r: {"indicator": code, "value": r[0], "threshold": r[1], "reason": r[2]},
                             ["value", "threshold", "reason"])
    adjustments = _grouped_json(result.adjustments, codes,
                                lambda code, r: {"indicator": code, "value": r[0], "adjusted": r[1],
                                                 "deprivation": r[2], "slope": r[3], "status": r[4]},
                                ["value", "adjusted", "deprivation", "slope", "status"])
    runs = []
    for type_code, of_type in ratings.groupby("type", sort=True):
        rated = of_type[of_type["band"] != engine.NOT_RATED]
        cutoff = rated["green_cutoff"].dropna()
        run = RatingRun.objects.create(
            year=year, organisation_type_id=type_ids[type_code], parameters=params.as_dict(),
            engine_version=engine.ENGINE_VERSION, created_by=user, rated_count=len(rated),
            green_quota=engine.green_quota(len(rated), params),
            green_cutoff=float(cutoff.iloc[0]) if len(cutoff) else None)
        Rating.objects.bulk_create(
            (_rating(run, row, without, scores, failures, adjustments) for row in of_type.to_dict("records")),
            batch_size=BATCH_SIZE)
        runs.append(run)
    return runs


def _rating(run, row, without, scores, failures, adjustments) -> Rating:
    organisation = row["organisation"]
    return Rating(
        run=run, organisation_id=organisation, band=row["band"], band_without_adjustment=without[organisation],
        score=_number(row["score"]), level_score=_number(row["level"]),
        improvement_score=_number(row["improvement"]),
        domain_scores={
            "level": {d: _number(row[f"level_{d}"]) for d in engine.DOMAINS},
            "improvement": {d: _number(row[f"improvement_{d}"]) for d in engine.DOMAINS},
        },
        core_targets_failed=None if pd.isna(row["core_failures"]) else int(row["core_failures"]),
        core_failures=failures.get(organisation, []),
        rank=None if pd.isna(row["rank"]) else int(row["rank"]),
        green_cutoff=_number(row["green_cutoff"]), gap_to_green=_number(row["gap_to_green"]),
        coverage=float(row["coverage"]), not_rated_reason=row["not_rated_reason"],
        adjustments=adjustments.get(organisation, []), indicator_scores=scores.get(organisation, {}),
    )


def _grouped_json(table: pd.DataFrame, codes: dict, shape, columns: list[str], as_dict: bool = False) -> dict:
    """Per organisation, a JSON-ready list (or dict) of `shape(code, values)` for each row.
    NaN becomes None: JSON has no NaN, and PostgreSQL refuses it."""
    grouped: dict = {}
    if table.empty:
        return grouped
    arrays = [table[c].to_numpy(dtype=object) for c in columns]
    for i, array in enumerate(arrays):
        arrays[i] = np.where(pd.isna(array), None, array)
    for organisation, indicator, *values in zip(table["organisation"].to_numpy(), table["indicator"].to_numpy(),
                                                *arrays):
        item = shape(codes[indicator], [float(v) if isinstance(v, (float, np.floating)) else v for v in values])
        if as_dict:
            grouped.setdefault(organisation, {})[item[0]] = item[1]
        else:
            grouped.setdefault(organisation, []).append(item)
    return grouped


def _number(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _describe(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return "; ".join(f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items())
    return " ".join(error.messages)
