"""Every write to the ratings app: keyword-only, atomic."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from indicators.models import Indicator, OrganisationType
from indicators.years import format_year

from . import engine, peers
from .inputs import load_engine_inputs
from .models import AuditEntry, Rating, RatingRun, RatingScheme

BATCH_SIZE = 1000


class RecalculationError(Exception):
    """The year cannot be rated as things stand; the message says why."""


@transaction.atomic
def update_scheme(*, year: int, values: dict, user=None) -> RatingScheme:
    """Set some of a year's method parameters (the spec's names), validated and audited."""
    unknown = set(values) - set(RatingScheme.PARAMETER_NAMES)
    if unknown:
        raise ValidationError(f"Unknown parameter(s): {', '.join(sorted(unknown))}. The parameters are: "
                              f"{', '.join(RatingScheme.PARAMETER_NAMES)}.", code="unknown_parameter")
    scheme, _ = RatingScheme.objects.select_for_update().get_or_create(year=year)
    before = scheme.parameter_values()
    for name, value in values.items():
        setattr(scheme, name, value)
    scheme.full_clean()
    scheme.save()
    changes = {name: [before[name], value] for name, value in scheme.parameter_values().items()
               if before[name] != value}
    if changes:
        _audit(user=user, action=AuditEntry.Action.SCHEME_CHANGED, year=year, details=changes,
               description=f"{format_year(year)} method: " + "; ".join(
                   f"{name} {old!r} → {new!r}" for name, (old, new) in changes.items()))
    return scheme


@transaction.atomic
def copy_scheme(*, from_year: int, to_year: int, user=None) -> RatingScheme:
    """Give a year the same method parameters as another (usually the year before)."""
    source = RatingScheme.objects.filter(year=from_year).first()
    if source is None:
        raise RecalculationError(f"There are no method parameters for {format_year(from_year)} to copy.")
    scheme = update_scheme(year=to_year, values=source.parameter_values(), user=user)
    _audit(user=user, action=AuditEntry.Action.SCHEME_COPIED, year=to_year,
           description=f"{format_year(to_year)} method copied from {format_year(from_year)}.",
           details={"from_year": from_year})
    return scheme


def _audit(*, user, action, description, year=None, run=None, details=None) -> AuditEntry:
    return AuditEntry.objects.create(user=user, action=action, year=year, run=run, description=description,
                                     details=details or {})


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
            raise RecalculationError(describe_error(error)) from None
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
        for run in runs:
            _audit(user=user, action=AuditEntry.Action.RECALCULATED, year=year, run=run,
                   description=f"{run.organisation_type.code} {format_year(year)}: draft run {run.pk} computed "
                               f"({run.rated_count} rated, engine {run.engine_version}).")
        if publish:
            runs = [publish_run(run=run, user=user) for run in runs]
        return runs


@transaction.atomic
def publish_run(*, run: RatingRun, user=None, at=None) -> RatingRun:
    """Publish a draft run now, or schedule it for `at` (nothing of it is public
    before then). Whatever it replaces is kept: the published run is marked
    superseded when the new one takes effect; another pending schedule for the
    same year and type goes back to draft. Publishing a published run again does nothing."""
    now = timezone.now()
    siblings = _locked_siblings(run)
    _settle(siblings, now)
    run = next(r for r in siblings if r.pk == run.pk)
    if run.status == RatingRun.Status.PUBLISHED and at is None:
        return run
    if run.status not in (RatingRun.Status.DRAFT, RatingRun.Status.SCHEDULED):
        raise RecalculationError(f"Run {run.pk} is {run.status} and cannot be published.")
    for sibling in siblings:
        if sibling.pk != run.pk and sibling.status == RatingRun.Status.SCHEDULED:
            sibling.status, sibling.published_at = RatingRun.Status.DRAFT, None
            sibling.save(update_fields=["status", "published_at"])
            _audit(user=user, action=AuditEntry.Action.UNSCHEDULED, year=run.year, run=sibling,
                   description=f"{_label(sibling)}: run {sibling.pk} no longer scheduled; run {run.pk} replaces it.")
    if at is not None and at > now:
        run.status, run.published_at, run.published_by = RatingRun.Status.SCHEDULED, at, user
        run.save(update_fields=["status", "published_at", "published_by"])
        _audit(user=user, action=AuditEntry.Action.SCHEDULED, year=run.year, run=run,
               details={"at": at.isoformat()},
               description=f"{_label(run)}: run {run.pk} scheduled for publication at "
                           f"{timezone.localtime(at):%d %B %Y %H:%M}.")
        return run
    replaced = _supersede(siblings, except_run=run)
    run.status, run.published_at, run.published_by = RatingRun.Status.PUBLISHED, now, user
    run.save(update_fields=["status", "published_at", "published_by"])
    _audit(user=user, action=AuditEntry.Action.PUBLISHED, year=run.year, run=run, details={"superseded": replaced},
           description=f"{_label(run)}: run {run.pk} published"
                       + (f", replacing run {replaced[-1]}." if replaced else "."))
    return run


@transaction.atomic
def withdraw_run(*, run: RatingRun, user=None, reason: str) -> RatingRun:
    """Take a published (or scheduled) run off the public site at once, saying why."""
    if not reason.strip():
        raise RecalculationError("Say why the ratings are withdrawn: the reason is kept with the run.")
    now = timezone.now()
    siblings = _locked_siblings(run)
    _settle(siblings, now)
    run = next(r for r in siblings if r.pk == run.pk)
    if run.status not in (RatingRun.Status.PUBLISHED, RatingRun.Status.SCHEDULED):
        raise RecalculationError(f"Run {run.pk} is {run.status}: only a published or scheduled run can be "
                                 f"withdrawn.")
    run.status, run.withdrawn_at, run.withdrawal_reason = RatingRun.Status.WITHDRAWN, now, reason.strip()
    run.save(update_fields=["status", "withdrawn_at", "withdrawal_reason"])
    _audit(user=user, action=AuditEntry.Action.WITHDRAWN, year=run.year, run=run, details={"reason": reason},
           description=f"{_label(run)}: run {run.pk} withdrawn: {reason.strip()}")
    return run


@transaction.atomic
def settle_scheduled_runs() -> list[RatingRun]:
    """Record as published the scheduled runs whose time has passed (the public
    site already shows them: this only tidies the statuses). For a timer."""
    settled = []
    now = timezone.now()
    due = RatingRun.objects.filter(status=RatingRun.Status.SCHEDULED, published_at__lte=now)
    for year, type_id in set(due.values_list("year", "organisation_type_id")):
        siblings = list(RatingRun.objects.select_for_update().filter(year=year, organisation_type_id=type_id))
        settled += _settle(siblings, now)
    return settled


def _locked_siblings(run: RatingRun) -> list[RatingRun]:
    # Every run of the year and type, locked, so two admins publishing at once queue.
    return list(RatingRun.objects.select_for_update().select_related("organisation_type").filter(
        year=run.year, organisation_type_id=run.organisation_type_id).order_by("pk"))


def _settle(siblings: list[RatingRun], now) -> list[RatingRun]:
    settled = []
    for run in siblings:
        if run.status == RatingRun.Status.SCHEDULED and run.published_at <= now:
            replaced = _supersede(siblings, except_run=run)
            run.status = RatingRun.Status.PUBLISHED
            run.save(update_fields=["status"])
            _audit(user=None, action=AuditEntry.Action.PUBLISHED, year=run.year, run=run,
                   details={"superseded": replaced, "scheduled": True},
                   description=f"{_label(run)}: run {run.pk} published as scheduled"
                               + (f", replacing run {replaced[-1]}." if replaced else "."))
            settled.append(run)
    return settled


def _supersede(siblings: list[RatingRun], *, except_run: RatingRun) -> list[int]:
    replaced = []
    for sibling in siblings:
        if sibling.pk != except_run.pk and sibling.status == RatingRun.Status.PUBLISHED:
            sibling.status = RatingRun.Status.SUPERSEDED
            sibling.save(update_fields=["status"])
            replaced.append(sibling.pk)
    return replaced


def _label(run: RatingRun) -> str:
    return f"{run.organisation_type.code} {format_year(run.year)}"


def _store_runs(*, year, params, result: engine.EngineResult, unadjusted: engine.EngineResult, user
                ) -> list[RatingRun]:
    codes = dict(Indicator.objects.values_list("id", "code"))
    type_ids = dict(OrganisationType.objects.values_list("code", "id"))
    ratings = result.ratings
    if ratings.empty:
        return []
    without = unadjusted.ratings.set_index("organisation")[["band", "score"]]
    # z-scores to 4 places for display (S, L and I are stored in full): shorter JSON, much faster to encode.
    scores = _grouped_json(result.indicator_scores.round({"adjusted": 6, "z": 4, "delta_z": 4}), codes,
                           ["value", "adjusted", "z", "delta_z"], lambda codes_, rows: dict(zip(codes_, rows)))
    failures = _grouped_json(result.core_failures, codes, ["value", "threshold", "reason"],
                             lambda codes_, rows: [{"indicator": c, "value": r[0], "threshold": r[1], "reason": r[2]}
                                                   for c, r in zip(codes_, rows)])
    adjustments = _grouped_json(
        result.adjustments.round({"adjusted": 6, "slope": 6}), codes, ["value", "adjusted", "deprivation", "slope", "status"],
        lambda codes_, rows: [{"indicator": c, "value": r[0], "adjusted": r[1], "deprivation": r[2], "slope": r[3],
                               "status": r[4]} for c, r in zip(codes_, rows)])
    runs = []
    for type_code, of_type in ratings.groupby("type", sort=True):
        rated = of_type[of_type["band"] != engine.NOT_RATED]
        cutoff = rated["green_cutoff"].dropna()
        run = RatingRun.objects.create(
            year=year, organisation_type_id=type_ids[type_code], parameters=params.as_dict(),
            engine_version=engine.ENGINE_VERSION, created_by=user, rated_count=len(rated),
            green_quota=engine.green_quota(len(rated), params),
            green_cutoff=float(cutoff.iloc[0]) if len(cutoff) else None,
            indicator_summary=peers.summarise(result.indicator_scores, of_type["organisation"], codes))
        Rating.objects.bulk_create(
            (_rating(run, row, without, scores, failures, adjustments) for row in of_type.to_dict("records")),
            batch_size=BATCH_SIZE)
        runs.append(run)
    return runs


def _rating(run, row, without, scores, failures, adjustments) -> Rating:
    organisation = row["organisation"]
    return Rating(
        run=run, organisation_id=organisation, band=row["band"],
        band_without_adjustment=without.at[organisation, "band"], score=_number(row["score"]),
        score_without_adjustment=_number(without.at[organisation, "score"]), level_score=_number(row["level"]),
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


def _grouped_json(table: pd.DataFrame, codes: dict, columns: list[str], shape) -> dict:
    """Per organisation, `shape(indicator codes, value rows)` of its rows, JSON-ready:
    NaN becomes None (JSON has no NaN, and PostgreSQL refuses it). Slices a
    sorted table rather than looping per value: this runs for every indicator
    of every organisation."""
    if table.empty:
        return {}
    table = table.sort_values("organisation", kind="stable")
    organisations = table["organisation"].to_numpy()
    indicator_codes = table["indicator"].map(codes).tolist()
    values = table[columns].astype(object)
    rows = values.where(table[columns].notna(), None).to_numpy().tolist()
    starts = np.flatnonzero(np.r_[True, organisations[1:] != organisations[:-1]])
    ends = np.r_[starts[1:], len(organisations)]
    return {organisations[s]: shape(indicator_codes[s:e], rows[s:e]) for s, e in zip(starts, ends)}


def _number(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def describe_error(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return "; ".join(f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items())
    return " ".join(error.messages)
