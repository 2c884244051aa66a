"""Recalculating a year: claiming it (one recalculation of a year at a time),
queueing it for the background worker or computing it here, and storing a
draft run for each organisation type (all or nothing), published at once
if asked."""

import logging
from contextlib import contextmanager

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import task

from indicators.models import OrganisationType
from indicators.times import uk_time
from indicators.years import format_year

from ..models import AuditEntry, RatingRun, Recalculation, stale_after
from .audit import audit
from .background_work import WorkAbandoned, finish, heartbeat, report, start, still_running
from .certainty import CertaintyFailed, compute_certainty_here, plan_certainty
from .errors import RecalculationError
from .publication import publish_run
from .schemes import checked_scheme

logger = logging.getLogger(__name__)


class RecalculationBusy(RecalculationError):
    """The year is already being recalculated; `recalculation` is that one."""

    def __init__(self, recalculation: Recalculation):
        self.recalculation = recalculation
        who = recalculation.requested_by or "the command line"
        super().__init__(f"{format_year(recalculation.year)} is already being recalculated (asked for by {who} "
                         f"at {uk_time(recalculation.requested_at, 'clock')}); wait for it to finish.")


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
    return _carry_out(recalculation, note=note, certainty_here=True)


def request_recalculation(*, year: int, user=None, type_codes: list[str] | None = None
                          ) -> tuple[Recalculation, bool]:
    """Queue a recalculation of the year for the background worker. When one is
    already queued or running, that one is returned instead, with False: two
    admins asking at once share one computation."""
    checked_scheme(year)
    with transaction.atomic():
        recalculation, created = _claim(year=year, user=user, type_codes=type_codes,
                                        status=Recalculation.Status.QUEUED)
        if created:
            audit(user=user, action=AuditEntry.Action.RECALCULATION_REQUESTED, year=year,
                  description=f"{format_year(year)}: recalculation {recalculation.pk} asked for.")
            # Queued in the same transaction: the task exists exactly when the request does.
            result = recalculate_year.enqueue(recalculation_id=recalculation.pk)
            recalculation.task_id = str(result.id)
            recalculation.save(update_fields=["task_id"])
    return recalculation, created


def recalculate_after_correction(*, year: int, user, type_codes: list[str]) -> Recalculation:
    """A recalculation of the year's types that reads figures just corrected
    in the caller's transaction. One still queued is reused (widened to the
    types when it is narrower): the worker's start waits for this row's lock,
    so it reads the data once the correction has committed. One already
    running read the data before: it queues another when it ends (see
    `_queue_follow_up`), which reads it after."""
    checked_scheme(year)
    _give_up_stale(year)
    active = Recalculation.objects.select_for_update().filter(year=year, status__in=Recalculation.ACTIVE).first()
    if active is None:
        return request_recalculation(year=year, user=user, type_codes=type_codes)[0]
    if active.status == Recalculation.Status.QUEUED and active.type_codes and not set(type_codes) <= set(
            active.type_codes):
        active.type_codes = sorted(set(active.type_codes) | set(type_codes))
        active.save(update_fields=["type_codes"])
    return active


def _queue_follow_up(recalculation: Recalculation) -> Recalculation | None:
    """Once a recalculation has ended: a new one of the types whose figures a
    fact-check correction changed after it had started (so it may not have
    read them); None when there were none."""
    from ..fact_checks import Challenge  # models only: no cycle with the fact-check actions

    if recalculation.started_at is None:
        return None
    corrected = Challenge.objects.filter(
        status=Challenge.Status.ACCEPTED, correction__isnull=False, window__year=recalculation.year,
        resolved_at__gte=recalculation.started_at)
    if recalculation.type_codes:
        corrected = corrected.filter(organisation__type__code__in=recalculation.type_codes)
    type_codes = sorted(set(corrected.values_list("organisation__type__code", flat=True)))
    if not type_codes:
        return None
    try:
        follow_up, _ = request_recalculation(year=recalculation.year, user=recalculation.requested_by,
                                             type_codes=type_codes)
    except RecalculationError as error:  # e.g. the year's scheme deleted since: the admin recalculates by hand
        logger.warning("No recalculation of %s queued after the corrections made while %s ran: %s",
                       format_year(recalculation.year), recalculation, error)
        return None
    return follow_up


@task()
def recalculate_year(recalculation_id: int) -> list[int]:
    """The background task: carry out a queued recalculation; the ids of the runs it made."""
    return run_recalculation(recalculation_id=recalculation_id)


def run_recalculation(*, recalculation_id: int) -> list[int]:
    """Carry out a queued recalculation (the background task's body). A
    recalculation that is no longer queued (already run, or given up as stale)
    is left alone. A failure the admin can fix is recorded on the
    recalculation, not raised; anything else is recorded and raised, for the
    worker's log."""
    if not start(Recalculation, recalculation_id):
        return []
    recalculation = Recalculation.objects.select_related("requested_by").get(pk=recalculation_id)
    try:
        runs = _carry_out(recalculation)
    except (RecalculationError, WorkAbandoned):
        return []
    return [run.pk for run in runs]


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
         "Explaining each band change since last year", "Saving the ratings", "Simulating band certainty",
         "Publishing"]
CERTAINTY_STEP = STEPS.index("Simulating band certainty")


def _carry_out(recalculation: Recalculation, note: str = "", certainty_here: bool = False) -> list[RatingRun]:
    """certainty_here: simulate the runs' band certainty in this process
    before finishing (and publishing); otherwise its chunks are queued for the
    workers, and the recalculation finishes when the runs are stored."""
    steps = STEPS if recalculation.publish else STEPS[:-1]
    if not certainty_here:
        steps = [step for step in steps if step != STEPS[CERTAINTY_STEP]]
    recalculation.steps_total = len(steps)
    try:
        with heartbeat(recalculation):
            runs = _compute_and_store(recalculation, steps, note, certainty_here)
    except CertaintyFailed as error:
        _fail(recalculation, f"{error} Nothing it computed was kept.")
        raise RecalculationError(str(error)) from None
    except RecalculationError as error:
        _fail(recalculation, str(error))
        raise
    except WorkAbandoned:
        raise
    except Exception:
        _fail(recalculation, "An unexpected error stopped it, and nothing it computed was kept. The worker's log "
                             "has the details.")
        raise
    # After it has succeeded, outside its error handling: a follow-up that cannot be queued leaves it succeeded.
    _queue_follow_up(recalculation)
    return runs


def _compute_and_store(recalculation: Recalculation, steps: list[str], note: str,
                       certainty_here: bool) -> list[RatingRun]:
    # The engine and its pandas tables only here, where the worker computes (see ratings.actions).
    from .. import change_explanations, outputs
    from ..counterfactuals import rate_with_counterfactuals
    from ..inputs import load_engine_inputs

    year, user = recalculation.year, recalculation.requested_by
    report(recalculation, steps[0], 0)
    # All the reads see one moment of the data (uploads may be landing meanwhile).
    with _snapshot():
        params = checked_scheme(year).parameters()
        all_types = list(OrganisationType.objects.order_by("code").values_list("code", flat=True))
        unknown = sorted(set(recalculation.type_codes) - set(all_types))
        if unknown:
            raise RecalculationError(f"Unknown organisation type(s): {', '.join(unknown)}.")
        type_codes = recalculation.type_codes or all_types
        inputs = load_engine_inputs(year=year, type_codes=type_codes, deprivation_code=params.deprivation_indicator)
        definitions = outputs.definitions_in_force(year)  # frozen with the runs: what the inputs were read with
        # Last year's published ratings and the figures that explain the change from them.
        previous = change_explanations.load_previous(year=year, inputs=inputs, params=params, type_codes=type_codes)
    report(recalculation, steps[1], 1)
    reuse = {}  # the steps the two passes share are computed once
    result = rate_with_counterfactuals(inputs, params, reuse, before_counterfactuals=lambda: report(
        recalculation, steps[2], 2))
    report(recalculation, steps[3], 3)
    result = change_explanations.with_explanations(result, inputs=inputs, params=params, previous=previous)
    report(recalculation, steps[4], 4)
    with transaction.atomic():
        still_running(recalculation)
        runs = outputs.store_runs(year=year, params=params, result=result, user=user, definitions=definitions,
                                  inputs=inputs, compared_with=previous.runs if previous else None)
        for run in runs:
            audit(user=user, action=AuditEntry.Action.RECALCULATED, year=year, run=run,
                  description=f"{run.organisation_type.code} {format_year(year)}: draft run {run.pk} computed "
                              f"({run.rated_count} rated, engine {run.engine_version}).")
        recalculation.runs.set(runs)
        # Queued in the same transaction as the runs: their chunks exist exactly when they do.
        plan_certainty(runs=runs, queue=not certainty_here)
        if certainty_here:
            # Here, inside the runs' transaction (all or nothing), chunk by chunk as the worker would.
            report(recalculation, steps[CERTAINTY_STEP], CERTAINTY_STEP)
            compute_certainty_here(runs=runs, progress=lambda done, total: report(
                recalculation, f"{steps[CERTAINTY_STEP]}: {done} of {total} chunks of draws", CERTAINTY_STEP))
            runs = [RatingRun.objects.get(pk=run.pk) for run in runs]
        return _finish(recalculation, runs, steps, note)


def _finish(recalculation: Recalculation, runs: list[RatingRun], steps: list[str], note: str) -> list[RatingRun]:
    if recalculation.publish:
        report(recalculation, steps[-1], len(steps) - 1)
        runs = [publish_run(run=run, user=recalculation.requested_by, note=note) for run in runs]
    finish(recalculation, Recalculation.Status.SUCCEEDED,
           step=f"Finished: {len(runs)} draft run(s)" if not recalculation.publish
           else f"Finished: {len(runs)} run(s) published")
    return runs


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


def _fail(recalculation: Recalculation, error: str) -> None:
    finish(recalculation, Recalculation.Status.FAILED, error=error)
    audit(user=recalculation.requested_by, action=AuditEntry.Action.RECALCULATION_FAILED,
          year=recalculation.year, description=f"{format_year(recalculation.year)}: recalculation "
                                               f"{recalculation.pk} failed: {error}")
