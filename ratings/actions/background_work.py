"""What recalculations and what-ifs share as work the background worker
carries out: taking it, a heartbeat while it runs, progress for the admin's
page, finishing, and an admin giving up on work whose worker died."""

import logging
import threading
from contextlib import contextmanager

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from indicators.times import uk_time
from indicators.years import format_year

from ..models import AuditEntry, BackgroundWork, Recalculation
from .audit import audit
from .errors import RecalculationError

logger = logging.getLogger(__name__)


class WorkAbandoned(Exception):
    """An admin marked the work failed while it ran (its heartbeat had stopped): its results are not kept."""


def start(model, pk: int) -> bool:
    """Take queued work for this worker: exactly one worker can, even if the
    queue handed the task out twice."""
    now = timezone.now()
    return bool(model.objects.filter(pk=pk, status=BackgroundWork.Status.QUEUED).update(
        status=BackgroundWork.Status.RUNNING, started_at=now, heartbeat_at=now))


@contextmanager
def heartbeat(work, **still):
    """While the block runs, a thread refreshes the work's heartbeat_at every
    RECALCULATION_HEARTBEAT_SECONDS, on its own connection, so a worker that
    dies (killed, out of memory, the machine lost) is recognised by its
    silence within RECALCULATION_STALE_MINUTES (a certainty chunk: within
    CERTAINTY_CHUNK_STALE_SECONDS), however long the work. `work` is a
    BackgroundWork or a CertaintyChunk (both "running" while they run); `still`
    narrows the rows refreshed (a chunk's attempt: a worker taken for dead
    must not keep its retry's heartbeat alive)."""
    stop = threading.Event()
    model, pk = type(work), work.pk

    def beat():
        try:
            while not stop.wait(settings.RECALCULATION_HEARTBEAT_SECONDS):
                try:
                    model.objects.filter(pk=pk, status=model.Status.RUNNING, **still).update(
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


def report(work: BackgroundWork, step: str, done: int) -> None:
    # Outside any transaction, so the admin's progress page sees it at once.
    work.step, work.steps_done = step, done
    try:
        type(work).objects.filter(pk=work.pk).update(
            step=step, steps_done=done, steps_total=work.steps_total, heartbeat_at=timezone.now())
    except DatabaseError as error:
        if connection.in_atomic_block:
            raise
        # Progress is for show: SQLite's one writer may be another worker's long write past the busy timeout.
        logger.warning("Progress of %s not recorded: %s", work, error)


def still_running(work: BackgroundWork) -> None:
    """Inside the transaction that keeps the work's results: stop if an admin
    marked it failed meanwhile (the lock makes the two wait for each other)."""
    if not type(work).objects.select_for_update().filter(pk=work.pk, status=BackgroundWork.Status.RUNNING).exists():
        raise WorkAbandoned(f"{work} was marked failed while it ran; its results are not kept.")


def finish(work: BackgroundWork, status, *, step: str = "", error: str = "") -> None:
    work.status, work.error = status, error
    work.finished_at = work.heartbeat_at = timezone.now()
    if step:
        work.step = step
    if status == BackgroundWork.Status.SUCCEEDED:
        work.steps_done = work.steps_total
    work.save(update_fields=["status", "error", "finished_at", "heartbeat_at", "step", "steps_done", "steps_total"])


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
            f"Its worker said it was alive at {uk_time(work.heartbeat_at, 'clock')}: it is still "
            f"running. Work is taken to have died after {settings.RECALCULATION_STALE_MINUTES} minute(s) of "
            f"silence.")
    finish(work, BackgroundWork.Status.FAILED,
           error=f"Marked failed by {user} at {uk_time(timezone.now(), 'clock')}: "
                 + ("its worker had stopped; nothing it computed was kept." if work.status ==
                    BackgroundWork.Status.RUNNING else "no worker had started it."))
    if isinstance(work, Recalculation):
        audit(user=user, action=AuditEntry.Action.RECALCULATION_FAILED, year=work.year,
              description=f"{format_year(work.year)}: recalculation {work.pk} marked failed by {user}: "
                          f"{work.error}", details={"marked_by_admin": True})
    return work
