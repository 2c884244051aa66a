"""Every write to the ratings app: keyword-only, atomic."""

from __future__ import annotations

import csv
import io
import itertools
import logging
import threading
from contextlib import contextmanager
from dataclasses import replace

import orjson
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from indicators.models import Indicator, OrganisationType
from indicators.years import format_year

from . import peers
from .models import (AuditEntry, BackgroundWork, BandConsequence, Rating, RatingRun, RatingScheme, Recalculation,
                     WhatIf, stale_after)
from .parameters import SchemeParameters

# The engine and its pandas tables (ratings.engine, inputs, rating_rows,
# comparisons) are imported inside the functions that compute: the admin
# imports this module, and a web process serving only stored ratings should
# never load pandas (about 50 MB of a worker's memory).

logger = logging.getLogger(__name__)


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


CONSEQUENCE_FIELDS = ["band", "consecutive_years", "title", "description", "position"]


@transaction.atomic
def save_consequence(*, consequence: BandConsequence, user=None) -> BandConsequence:
    """Add or change one of the things a band means (a freedom of green, a step
    of the red ladder), validated and audited: report cards show them."""
    before = (BandConsequence.objects.select_for_update().filter(pk=consequence.pk).values(*CONSEQUENCE_FIELDS)
              .first() if consequence.pk else None)
    consequence.full_clean()
    consequence.save()
    after = {name: getattr(consequence, name) for name in CONSEQUENCE_FIELDS}
    if before is None:
        changes = {name: [None, value] for name, value in after.items()}
        description = f"Added to what {consequence.get_band_display().lower()} means: {consequence}."
    else:
        changes = {name: [before[name], value] for name, value in after.items() if before[name] != value}
        if not changes:
            return consequence
        description = f"Changed {consequence}: " + "; ".join(
            f"{name} {old!r} → {new!r}" for name, (old, new) in changes.items())
    _audit(user=user, action=AuditEntry.Action.CONSEQUENCE_CHANGED, description=description, details=changes)
    return consequence


@transaction.atomic
def delete_consequence(*, consequence: BandConsequence, user=None) -> None:
    _audit(user=user, action=AuditEntry.Action.CONSEQUENCE_DELETED, description=f"Removed {consequence}.",
           details={name: getattr(consequence, name) for name in CONSEQUENCE_FIELDS})
    consequence.delete()


def _audit(*, user, action, description, year=None, run=None, details=None) -> AuditEntry:
    return AuditEntry.objects.create(user=user, action=action, year=year, run=run, description=description,
                                     details=details or {})


class RecalculationBusy(RecalculationError):
    """The year is already being recalculated; `recalculation` is that one."""

    def __init__(self, recalculation: Recalculation):
        self.recalculation = recalculation
        who = recalculation.requested_by or "the command line"
        super().__init__(f"{format_year(recalculation.year)} is already being recalculated (asked for by {who} "
                         f"at {timezone.localtime(recalculation.requested_at):%H:%M}); wait for it to finish.")


def recalculate(*, year: int, type_codes: list[str] | None = None, user=None, publish: bool = False,
                note: str = "") -> list[RatingRun]:
    """Compute a new draft run for each organisation type (with any organisation
    open in the year), from the year's scheme, here and now; with publish,
    publish them too. For the command line and tests: the admin pages queue
    the same work for the background worker (`request_recalculation`).

    One recalculation of a year at a time: raises RecalculationBusy when
    another is queued or running. All or nothing.
    """
    recalculation, created = _claim(year=year, user=user, type_codes=type_codes, publish=publish,
                                    status=Recalculation.Status.RUNNING)
    if not created:
        raise RecalculationBusy(recalculation)
    return _carry_out(recalculation, note=note)


def request_recalculation(*, year: int, user=None, type_codes: list[str] | None = None
                          ) -> tuple[Recalculation, bool]:
    """Queue a recalculation of the year for the background worker. When one is
    already queued or running, that one is returned instead, with False: two
    admins asking at once share one computation."""
    _check_scheme(year)
    with transaction.atomic():
        recalculation, created = _claim(year=year, user=user, type_codes=type_codes,
                                        status=Recalculation.Status.QUEUED)
        if created:
            _audit(user=user, action=AuditEntry.Action.RECALCULATION_REQUESTED, year=year,
                   description=f"{format_year(year)}: recalculation {recalculation.pk} asked for.")
            # Queued in the same transaction: the task exists exactly when the request does.
            from .tasks import recalculate_year
            result = recalculate_year.enqueue(recalculation_id=recalculation.pk)
            recalculation.task_id = str(result.id)
            recalculation.save(update_fields=["task_id"])
    return recalculation, created


def run_recalculation(*, recalculation_id: int) -> list[int]:
    """Carry out a queued recalculation (the background task's body). A
    recalculation that is no longer queued (already run, or given up as stale)
    is left alone. A failure the admin can fix is recorded on the
    recalculation, not raised; anything else is recorded and raised, for the
    worker's log."""
    if not _start(Recalculation, recalculation_id):
        return []
    recalculation = Recalculation.objects.select_related("requested_by").get(pk=recalculation_id)
    try:
        runs = _carry_out(recalculation)
    except (RecalculationError, WorkAbandoned):
        return []
    return [run.pk for run in runs]


def _start(model, pk: int) -> bool:
    """Take queued work for this worker: exactly one worker can, even if the
    queue handed the task out twice."""
    now = timezone.now()
    return bool(model.objects.filter(pk=pk, status=BackgroundWork.Status.QUEUED).update(
        status=BackgroundWork.Status.RUNNING, started_at=now, heartbeat_at=now))


class WorkAbandoned(Exception):
    """An admin marked the work failed while it ran (its heartbeat had stopped): its results are not kept."""


@contextmanager
def _heartbeat(work: BackgroundWork):
    """While the block runs, a thread refreshes the work's heartbeat_at every
    RECALCULATION_HEARTBEAT_SECONDS, on its own connection, so a worker that
    dies (killed, out of memory, the machine lost) is recognised by its
    silence within RECALCULATION_STALE_MINUTES, however long the work."""
    stop = threading.Event()
    model, pk = type(work), work.pk

    def beat():
        try:
            while not stop.wait(settings.RECALCULATION_HEARTBEAT_SECONDS):
                try:
                    model.objects.filter(pk=pk, status=BackgroundWork.Status.RUNNING).update(
                        heartbeat_at=timezone.now())
                except DatabaseError as error:
                    # SQLite's one writer may be the work itself, storing: the next beat tries again.
                    logger.warning("Heartbeat of %s missed: %s", work, error)
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=beat, name=f"heartbeat-{model.__name__}-{pk}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


@transaction.atomic
def mark_failed(*, work: BackgroundWork, user) -> BackgroundWork:
    """An admin gives up on a recalculation or what-if whose worker has died
    (its heartbeat is older than RECALCULATION_STALE_MINUTES), or one still
    waiting for a worker: it is recorded as failed, freeing the year, and
    audited. A running one with a live heartbeat is refused: its worker is
    alive. Should the worker prove alive after all, it keeps nothing."""
    work = type(work).objects.select_for_update().get(pk=work.pk)
    if not work.is_active:
        raise RecalculationError(f"It has already {work.get_status_display().lower()}.")
    if work.status == BackgroundWork.Status.RUNNING and not work.is_stale:
        raise RecalculationError(
            f"Its worker said it was alive at {timezone.localtime(work.heartbeat_at):%H:%M:%S}: it is still "
            f"running. Work is taken to have died after {settings.RECALCULATION_STALE_MINUTES} minute(s) of "
            f"silence.")
    _finish(work, BackgroundWork.Status.FAILED,
            error=f"Marked failed by {user} at {timezone.localtime():%H:%M:%S}: "
                  + ("its worker had stopped; nothing it computed was kept." if work.status ==
                     BackgroundWork.Status.RUNNING else "no worker had started it."))
    if isinstance(work, Recalculation):
        _audit(user=user, action=AuditEntry.Action.RECALCULATION_FAILED, year=work.year,
               description=f"{format_year(work.year)}: recalculation {work.pk} marked failed by {user}: "
                           f"{work.error}", details={"marked_by_admin": True})
    return work


def _check_scheme(year: int) -> RatingScheme:
    scheme, _ = RatingScheme.objects.get_or_create(year=year)
    try:
        scheme.full_clean()
    except ValidationError as error:
        raise RecalculationError(describe_error(error)) from None
    return scheme


def _claim(*, year, user, type_codes, status, publish=False) -> tuple[Recalculation, bool]:
    """The year's one active recalculation: a new one with `status`, or (False)
    the one already queued or running. The database's partial unique index
    decides between two admins asking at the same moment."""
    _give_up_stale(year)
    for _ in range(3):
        try:
            with transaction.atomic():
                now = timezone.now()
                return Recalculation.objects.create(
                    year=year, type_codes=sorted(type_codes or []), publish=publish, status=status,
                    requested_by=user, started_at=now if status == Recalculation.Status.RUNNING else None,
                    heartbeat_at=now, step="Waiting for the worker" if status == Recalculation.Status.QUEUED
                    else "Starting"), True
        except IntegrityError:
            existing = (Recalculation.objects.select_related("requested_by")
                        .filter(year=year, status__in=Recalculation.ACTIVE).first())
            if existing is not None:
                return existing, False
            # It finished between our insert and this read: try again.
    raise RecalculationError(f"Could not start a recalculation of {format_year(year)}; try again.")


def _give_up_stale(year: int) -> None:
    """Work silent past its window (see BackgroundWork.is_stale) died with its
    worker, or none was running: record that, freeing the year."""
    now = timezone.now()
    queued, running = Recalculation.Status.QUEUED, Recalculation.Status.RUNNING
    Recalculation.objects.filter(year=year, status=queued, heartbeat_at__lt=now - stale_after(queued)).update(
        status=Recalculation.Status.FAILED, finished_at=now,
        error=f"No worker started it within {settings.RECALCULATION_QUEUED_MINUTES} minutes. Is the background "
              f"worker (manage.py db_worker) running?")
    Recalculation.objects.filter(year=year, status=running, heartbeat_at__lt=now - stale_after(running)).update(
        status=Recalculation.Status.FAILED, finished_at=now,
        error=f"Its worker fell silent for {settings.RECALCULATION_STALE_MINUTES} minutes: it probably stopped. "
              f"Nothing it computed was kept.")


STEPS = ["Reading the year's data", "Applying the method", "Working out the bands without the value-added adjustment",
         "Saving the ratings", "Publishing"]


def _carry_out(recalculation: Recalculation, note: str = "") -> list[RatingRun]:
    steps = STEPS if recalculation.publish else STEPS[:-1]
    recalculation.steps_total = len(steps)
    try:
        with _heartbeat(recalculation):
            return _compute_and_store(recalculation, steps, note)
    except RecalculationError as error:
        _fail(recalculation, str(error))
        raise
    except WorkAbandoned:
        raise
    except Exception:
        _fail(recalculation, "An unexpected error stopped it, and nothing it computed was kept. The worker's log "
                             "has the details.")
        raise


def _compute_and_store(recalculation: Recalculation, steps: list[str], note: str) -> list[RatingRun]:
    from . import engine
    from .inputs import load_engine_inputs

    year, user = recalculation.year, recalculation.requested_by
    _report(recalculation, steps[0], 0)
    # All the reads see one moment of the data (uploads may be landing meanwhile).
    with _snapshot():
        params = _check_scheme(year).parameters()
        all_types = list(OrganisationType.objects.order_by("code").values_list("code", flat=True))
        unknown = sorted(set(recalculation.type_codes) - set(all_types))
        if unknown:
            raise RecalculationError(f"Unknown organisation type(s): {', '.join(unknown)}.")
        inputs = load_engine_inputs(year=year, type_codes=recalculation.type_codes or all_types,
                                    deprivation_code=params.deprivation_indicator)
    _report(recalculation, steps[1], 1)
    reuse = {}  # the steps the two passes share are computed once
    result = engine.rate(inputs, params, reuse)
    _report(recalculation, steps[2], 2)
    # The band each would have had without the value-added adjustment, all else equal.
    unadjusted = engine.rate(inputs, replace(params, value_added=False), reuse) if params.value_added else result
    _report(recalculation, steps[3], 3)
    with transaction.atomic():
        _still_running(recalculation)
        runs = _store_runs(year=year, params=params, result=result, unadjusted=unadjusted, user=user)
        for run in runs:
            _audit(user=user, action=AuditEntry.Action.RECALCULATED, year=year, run=run,
                   description=f"{run.organisation_type.code} {format_year(year)}: draft run {run.pk} computed "
                               f"({run.rated_count} rated, engine {run.engine_version}).")
        if recalculation.publish:
            _report(recalculation, steps[4], 4)
            runs = [publish_run(run=run, user=user, note=note) for run in runs]
        recalculation.runs.set(runs)
        _finish(recalculation, Recalculation.Status.SUCCEEDED,
                step=f"Finished: {len(runs)} draft run(s)" if not recalculation.publish
                else f"Finished: {len(runs)} run(s) published")
    return runs


def _still_running(work: BackgroundWork) -> None:
    """Inside the transaction that keeps the work's results: stop if an admin
    marked it failed meanwhile (the lock makes the two wait for each other)."""
    if not type(work).objects.select_for_update().filter(pk=work.pk, status=BackgroundWork.Status.RUNNING).exists():
        raise WorkAbandoned(f"{work} was marked failed while it ran; its results are not kept.")


@contextmanager
def _snapshot():
    """A transaction whose reads all see one moment of the data: repeatable read
    on PostgreSQL (where each query would otherwise see its own); SQLite's
    transactions already are (and this one holds the write lock while it reads)."""
    connection = transaction.get_connection()
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


def _report(recalculation: Recalculation, step: str, done: int) -> None:
    # Outside any transaction, so the admin's progress page sees it at once.
    recalculation.step, recalculation.steps_done = step, done
    try:
        type(recalculation).objects.filter(pk=recalculation.pk).update(
            step=step, steps_done=done, steps_total=recalculation.steps_total, heartbeat_at=timezone.now())
    except DatabaseError as error:
        if connection.in_atomic_block:
            raise
        # Progress is for show: SQLite's one writer may be another worker's long write past the busy timeout.
        logger.warning("Progress of %s not recorded: %s", recalculation, error)


def _finish(recalculation: Recalculation, status, *, step: str = "", error: str = "") -> None:
    recalculation.status, recalculation.error = status, error
    recalculation.finished_at = recalculation.heartbeat_at = timezone.now()
    if step:
        recalculation.step = step
    if status == Recalculation.Status.SUCCEEDED:
        recalculation.steps_done = recalculation.steps_total
    recalculation.save(update_fields=["status", "error", "finished_at", "heartbeat_at", "step", "steps_done",
                                      "steps_total"])


def _fail(recalculation: Recalculation, error: str) -> None:
    _finish(recalculation, Recalculation.Status.FAILED, error=error)
    _audit(user=recalculation.requested_by, action=AuditEntry.Action.RECALCULATION_FAILED,
           year=recalculation.year, description=f"{format_year(recalculation.year)}: recalculation "
                                                f"{recalculation.pk} failed: {error}")


@transaction.atomic
def publish_run(*, run: RatingRun, user=None, at=None, note: str = "") -> RatingRun:
    """Publish a draft run now, or schedule it for `at` (nothing of it is public
    before then). Whatever it replaces is kept: the published run is marked
    superseded when the new one takes effect; another pending schedule for the
    same year and type goes back to draft. Publishing a published run again does nothing.

    Replacing ratings the public has already seen (published, or withdrawn
    after publication) is a correction, and needs a `note` saying what it
    corrects: report cards show it with its date."""
    now = timezone.now()
    siblings = _locked_siblings(run)
    _settle(siblings, now)
    run = next(r for r in siblings if r.pk == run.pk)
    if run.status == RatingRun.Status.PUBLISHED and at is None:
        return run
    if run.status not in (RatingRun.Status.DRAFT, RatingRun.Status.SCHEDULED):
        raise RecalculationError(f"Run {run.pk} is {run.status} and cannot be published.")
    note = note.strip()
    public_before = [s for s in siblings if s.pk != run.pk and _was_public(s, now)]
    if public_before and not note:
        first = min(s.published_at for s in public_before)
        raise RecalculationError(
            f"{_label(run)} ratings were first published on {timezone.localtime(first):%d %B %Y}, so this is a "
            f"correction: say what it corrects. Report cards show the note with the date it takes effect.")
    correction = bool(public_before)
    for sibling in siblings:
        if sibling.pk != run.pk and sibling.status == RatingRun.Status.SCHEDULED:
            sibling.status, sibling.published_at = RatingRun.Status.DRAFT, None
            sibling.save(update_fields=["status", "published_at"])
            _audit(user=user, action=AuditEntry.Action.UNSCHEDULED, year=run.year, run=sibling,
                   description=f"{_label(sibling)}: run {sibling.pk} no longer scheduled; run {run.pk} replaces it.")
    run.revision_note = note if correction else ""
    details = {"note": run.revision_note} if correction else {}
    if at is not None and at > now:
        run.status, run.published_at, run.published_by = RatingRun.Status.SCHEDULED, at, user
        run.save(update_fields=["status", "published_at", "published_by", "revision_note"])
        _audit(user=user, action=AuditEntry.Action.SCHEDULED, year=run.year, run=run,
               details={"at": at.isoformat(), **details},
               description=f"{_label(run)}: run {run.pk} scheduled for publication at "
                           f"{timezone.localtime(at):%d %B %Y %H:%M}"
                           + (f" as a correction: {note}" if correction else "."))
        return run
    replaced = _supersede(siblings, except_run=run)
    run.status, run.published_at, run.published_by = RatingRun.Status.PUBLISHED, now, user
    run.save(update_fields=["status", "published_at", "published_by", "revision_note"])
    _audit(user=user, action=AuditEntry.Action.CORRECTED if correction else AuditEntry.Action.PUBLISHED,
           year=run.year, run=run, details={"superseded": replaced, **details},
           description=f"{_label(run)}: run {run.pk} published"
                       + (f", replacing run {replaced[-1]}" if replaced else "")
                       + (f", as a correction: {note}" if correction else "."))
    return run


@transaction.atomic
def publish_runs(*, runs: list[RatingRun], user=None, at=None, note: str = "") -> list[RatingRun]:
    """Publish (or schedule) several runs together, e.g. a year's drafts of
    every type at one announced time: all of them or, if one cannot be, none."""
    return [publish_run(run=run, user=user, at=at, note=note) for run in runs]


def _was_public(run: RatingRun, now) -> bool:
    """Whether the public has seen this run (the rule of RatingRun.objects.ever_public)."""
    if run.published_at is None or run.published_at > now:
        return False
    if run.status == RatingRun.Status.WITHDRAWN:
        return run.withdrawn_at is not None and run.published_at <= run.withdrawn_at
    return run.status in (RatingRun.Status.PUBLISHED, RatingRun.Status.SCHEDULED, RatingRun.Status.SUPERSEDED)


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
            correction = {"note": run.revision_note} if run.revision_note else {}
            _audit(user=None, action=AuditEntry.Action.CORRECTED if correction else AuditEntry.Action.PUBLISHED,
                   year=run.year, run=run, details={"superseded": replaced, "scheduled": True, **correction},
                   description=f"{_label(run)}: run {run.pk} published as scheduled"
                               + (f", replacing run {replaced[-1]}" if replaced else "")
                               + (f", as a correction: {run.revision_note}" if correction else "."))
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
    from . import engine, rating_rows

    codes = dict(Indicator.objects.values_list("id", "code"))
    type_ids = dict(OrganisationType.objects.values_list("code", "id"))
    ratings = result.ratings
    if ratings.empty:
        return []
    runs = []
    for type_code, of_type in ratings.groupby("type", sort=True):
        rated = of_type[of_type["band"] != engine.NOT_RATED]
        cutoff = rated["green_cutoff"].dropna()
        summary = peers.summarise(result.indicator_scores, of_type["organisation"], codes)
        run = RatingRun.objects.create(
            year=year, organisation_type_id=type_ids[type_code], parameters=params.as_dict(),
            engine_version=engine.ENGINE_VERSION, created_by=user, rated_count=len(rated),
            green_quota=engine.green_quota(len(rated), params),
            green_cutoff=float(cutoff.iloc[0]) if len(cutoff) else None,
            peer_medians={code: peer["median"] for code, peer in summary.items()})
        run.indicator_summary = summary
        _write_indicator_summary(run)
        write_rating_rows(run_id=run.pk, rows=rating_rows.rating_rows(result, unadjusted, of_type, codes, summary))
        runs.append(run)
    return runs


def _write_indicator_summary(run: RatingRun) -> None:
    # Every peer's z-score of every indicator: the run's largest value, encoded
    # by orjson as the ratings are (Django's json.dumps took several times longer).
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {RatingRun._meta.db_table} SET indicator_summary = %s WHERE id = %s",
                       [orjson.dumps(run.indicator_summary).decode(), run.pk])


def write_rating_rows(*, run_id: int, rows) -> None:
    """Insert a run's ratings in bulk (rows in `rating_rows.COLUMNS` order, JSON
    as text): COPY on PostgreSQL, executemany on SQLite. Inside the caller's
    transaction; the table's constraints check every row as usual."""
    from .rating_rows import COLUMNS

    table, columns = Rating._meta.db_table, ["run_id", *COLUMNS]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.copy_expert(
                f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv, FORCE_NOT_NULL "
                f"(not_rated_reason))", _CsvStream((run_id, *row) for row in rows))
        else:
            cursor.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})",
                ((run_id, *row) for row in rows))


class _CsvStream(io.TextIOBase):
    """Rows as CSV text, produced as COPY reads it: the whole run never exists as one string."""

    def __init__(self, rows, chunk_rows: int = 2000):
        self._rows, self._chunk_rows, self._pending = iter(rows), chunk_rows, ""

    def readable(self):
        return True

    def read(self, size=-1):
        while size < 0 or len(self._pending) < size:
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\n")
            chunk = list(itertools.islice(self._rows, self._chunk_rows))
            if not chunk:
                break
            writer.writerows(chunk)
            self._pending += buffer.getvalue()
        if size < 0:
            size = len(self._pending)
        text, self._pending = self._pending[:size], self._pending[size:]
        return text

    readline = read


def describe_error(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return "; ".join(f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items())
    return " ".join(error.messages)


WHAT_IF_STEPS = ["Reading the year's data and rating it under the method as set",
                 "Rating it under the parameters tried", "Keeping the answer"]


@transaction.atomic
def request_what_if(*, year: int, parameters: SchemeParameters, user=None) -> WhatIf:
    """Queue a what-if for the background worker: the year's data rated under
    `parameters` against the year's method as set now. Nothing is published or
    audited; the answer is kept on the WhatIf for the admin to read."""
    scheme = RatingScheme.objects.filter(year=year).first() or RatingScheme(year=year)
    what_if = WhatIf.objects.create(
        year=year, base_parameters=scheme.parameters().as_dict(), parameters=parameters.as_dict(),
        type_codes=sorted(OrganisationType.objects.values_list("code", flat=True)), requested_by=user,
        heartbeat_at=timezone.now(), step="Waiting for the worker", steps_total=len(WHAT_IF_STEPS))
    # Queued in the same transaction: the task exists exactly when the what-if does.
    from .tasks import compute_what_if
    what_if.task_id = str(compute_what_if.enqueue(what_if_id=what_if.pk).id)
    what_if.save(update_fields=["task_id"])
    return what_if


def run_what_if(*, what_if_id: int) -> bool:
    """Carry out a queued what-if (the background task's body); whether it finished."""
    from . import comparisons

    if not _start(WhatIf, what_if_id):
        return False
    what_if = WhatIf.objects.get(pk=what_if_id)
    try:
        with _heartbeat(what_if):
            before = SchemeParameters.from_dict(what_if.base_parameters)
            after = SchemeParameters.from_dict(what_if.parameters)
            sides = {"before": 0, "after": 1}
            outcomes = comparisons.what_if_outcomes(
                year=what_if.year, before=before, after=after, type_codes=what_if.type_codes,
                progress=lambda side: _report(what_if, WHAT_IF_STEPS[sides[side]], sides[side]))
            _report(what_if, WHAT_IF_STEPS[2], 2)
            with transaction.atomic():
                _still_running(what_if)
                what_if.outcomes = comparisons.outcomes_as_json(outcomes)
                what_if.save(update_fields=["outcomes"])
                _finish(what_if, WhatIf.Status.SUCCEEDED, step="Finished")
    except WorkAbandoned:
        return False
    except Exception:
        _finish(what_if, WhatIf.Status.FAILED, error="An unexpected error stopped it. The worker's log has the "
                                                     "details.")
        raise
    return True
