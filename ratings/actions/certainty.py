"""Band certainty on the worker (spec, "Band certainty"): after a
recalculation stores its draft runs, each run's simulation is split into
chunks of draws, each queued as a task of its own, so several `db_worker`
processes (on one machine or several sharing PostgreSQL) compute one run
together. Each chunk keeps its partial result; the last to finish, decided
under a lock on the run's row, combines them and writes every rating's
figures. A chunk that fails is queued again, up to CERTAINTY_CHUNK_ATTEMPTS
attempts; then the run's certainty is marked failed, with the reason, and the
run cannot be published (`publication.publish_run` refuses it).

A worker that dies mid-chunk (SIGKILL, out of memory, the machine lost)
cannot say so: while it computes, a heartbeat thread refreshes the chunk's
`heartbeat_at`, and a chunk silent for CERTAINTY_CHUNK_STALE_SECONDS is
queued again by `requeue_stale_chunks`, an attempt like a failure's (so the
same cap applies). The workers look for such chunks by themselves: each run
with queued chunks has a watch task (`watch_certainty_chunks`), deferred by
that timeout and queued again while the run is pending."""

import logging
from contextlib import nullcontext
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django_tasks import task

from ..models import CertaintyChunk, RatingRun
from .background_work import heartbeat

logger = logging.getLogger(__name__)


def plan_certainty(*, runs: list[RatingRun], queue: bool) -> list[CertaintyChunk]:
    """Inside the transaction that stores the runs: each run with draws to
    simulate becomes pending, with its chunks of draws (CERTAINTY_CHUNK_DRAWS
    each); with `queue`, each chunk is queued for the worker in the same
    transaction (the task exists exactly when the chunk does). A run with no
    draws has certainty "none". The chunks, in order."""
    chunks = []
    for run in runs:
        draws = int(run.parameters.get("uncertainty_draws", 0))
        if draws <= 0:
            continue
        size = max(1, settings.CERTAINTY_CHUNK_DRAWS)
        run.certainty_state = RatingRun.Certainty.PENDING
        # A band change is judged against the year before's ratings as the public sees them now.
        run.change_baseline = (RatingRun.objects.published().filter(
            year=run.year - 1, organisation_type_id=run.organisation_type_id).order_by("-published_at").first())
        run.save(update_fields=["certainty_state", "change_baseline"])
        made = CertaintyChunk.objects.bulk_create(
            CertaintyChunk(run=run, index=index, first_draw=first, stop_draw=min(first + size, draws))
            for index, first in enumerate(range(0, draws, size)))
        if queue:
            for chunk in made:
                _queue(chunk)
            _watch(run.pk)
        chunks += made
    return chunks


def _queue(chunk: CertaintyChunk) -> None:
    chunk.task_id = str(compute_certainty_chunk.enqueue(chunk_id=chunk.pk).id)
    CertaintyChunk.objects.filter(pk=chunk.pk).update(task_id=chunk.task_id)


@task()
def compute_certainty_chunk(chunk_id: int) -> str:
    """The background task: simulate one chunk of a run's draws; its status afterwards."""
    return run_certainty_chunk(chunk_id=chunk_id)


def compute_certainty_here(*, runs: list[RatingRun], progress=None) -> None:
    """Simulate the runs' chunks in this process, one after another, as the
    worker would (the command line's recalculation, before it publishes). A
    chunk that fails is tried again here, as the worker would; the run's
    certainty failed after the last attempt raises CertaintyFailed."""
    chunks = list(CertaintyChunk.objects.filter(run__in=runs, status=CertaintyChunk.Status.QUEUED)
                  .order_by("run", "index").values_list("pk", flat=True))
    for done, chunk_id in enumerate(chunks):
        for _ in range(max(1, settings.CERTAINTY_CHUNK_ATTEMPTS)):
            # Queued again after a failure: another attempt. (Once the run's certainty has failed, the
            # chunks left are not taken, and return at once.)
            if run_certainty_chunk(chunk_id=chunk_id) != CertaintyChunk.Status.QUEUED:
                break
        if progress:
            progress(done + 1, len(chunks))
    for run in RatingRun.objects.filter(pk__in=[run.pk for run in runs], certainty_state=RatingRun.Certainty.FAILED):
        raise CertaintyFailed(f"The band certainty of run {run.pk} could not be simulated: {run.certainty_error}")


class CertaintyFailed(Exception):
    """A run's simulation failed after every attempt."""


def run_certainty_chunk(*, chunk_id: int) -> str:
    """Carry out one chunk (the task's body): take it (only one worker can,
    even if the queue handed it out twice), simulate its draws outside any
    transaction, then keep its partial result; the last chunk of the run to
    finish combines them all. Returns the chunk's status afterwards."""
    now = timezone.now()
    taken = CertaintyChunk.objects.filter(pk=chunk_id, status=CertaintyChunk.Status.QUEUED,
                                          run__certainty_state=RatingRun.Certainty.PENDING)
    if not taken.update(status=CertaintyChunk.Status.RUNNING, started_at=now, heartbeat_at=now,
                        attempts=F("attempts") + 1):
        return CertaintyChunk.objects.filter(pk=chunk_id).values_list("status", flat=True).first() or ""
    chunk = CertaintyChunk.objects.select_related("run__organisation_type", "run__change_baseline__organisation_type"
                                                  ).get(pk=chunk_id)
    # Inside a transaction (the command line's all-or-nothing recalculation) no other process can see the
    # chunk, so none could take it for dead: no heartbeat, whose own connection would only wait on ours.
    alive = nullcontext() if connection.in_atomic_block else heartbeat(chunk, attempts=chunk.attempts)
    try:
        from .. import certainty_runs  # numpy and the engine: only where the worker computes (see ratings.actions)

        with alive:
            partial = certainty_runs.pack(certainty_runs.simulate_chunk(
                chunk.run, first_draw=chunk.first_draw, stop_draw=chunk.stop_draw))
    except Exception as error:
        logger.exception("%s failed (attempt %s)", chunk, chunk.attempts)
        return _failed(chunk, f"{type(error).__name__}: {error}")
    try:
        return _done(chunk, partial)
    except Exception as error:
        # Combining failed (rolled back): an attempt that failed, retried, then reported, never left running.
        logger.exception("%s could not be kept or combined (attempt %s)", chunk, chunk.attempts)
        return _failed(chunk, f"{type(error).__name__}: {error}")


@transaction.atomic
def _done(chunk: CertaintyChunk, partial: bytes) -> str:
    # The run's row lock makes the chunks of one run finish one at a time, so exactly one sees none left.
    run = RatingRun.objects.select_for_update().select_related("organisation_type").get(pk=chunk.run_id)
    if run.certainty_state != RatingRun.Certainty.PENDING:
        return CertaintyChunk.Status.DONE  # the run's certainty already failed: nothing more is kept
    # Kept even from an attempt taken for dead and queued again: any attempt's draws are the same.
    CertaintyChunk.objects.filter(pk=chunk.pk).update(status=CertaintyChunk.Status.DONE, partial=partial,
                                                      finished_at=timezone.now(), error="")
    if run.certainty_chunks.exclude(status=CertaintyChunk.Status.DONE).exists():
        return CertaintyChunk.Status.DONE
    _combine(run)
    return CertaintyChunk.Status.DONE


def _combine(run: RatingRun) -> None:
    from .. import certainty_runs

    partials = [certainty_runs.unpack(bytes(data)) for data in
                run.certainty_chunks.order_by("index").values_list("partial", flat=True)]
    certainty_runs.write_figures(run, certainty_runs.combine(run, partials))
    run.certainty_state, run.certainty_error = RatingRun.Certainty.COMPLETE, ""
    run.save(update_fields=["certainty_state", "certainty_error"])
    # Combined into the ratings: the partial results are no longer needed.
    run.certainty_chunks.update(partial=None)


@transaction.atomic
def _failed(chunk: CertaintyChunk, reason: str) -> str:
    run = RatingRun.objects.select_for_update().get(pk=chunk.run_id)
    status, attempts = CertaintyChunk.objects.filter(pk=chunk.pk).values_list("status", "attempts").get()
    if (status, attempts) != (CertaintyChunk.Status.RUNNING, chunk.attempts):
        # This attempt was taken for dead (its heartbeat held up) and the chunk queued again, which counted it.
        return status
    return _give_up_attempt(run, chunk, reason)


def _give_up_attempt(run: RatingRun, chunk: CertaintyChunk, reason: str) -> str:
    """Under the run's row lock, the chunk's attempt has ended without a
    result: queued again while attempts remain, else the run's certainty failed."""
    if run.certainty_state != RatingRun.Certainty.PENDING:
        CertaintyChunk.objects.filter(pk=chunk.pk).update(status=CertaintyChunk.Status.FAILED, error=reason)
        return CertaintyChunk.Status.FAILED
    if chunk.attempts < settings.CERTAINTY_CHUNK_ATTEMPTS:
        CertaintyChunk.objects.filter(pk=chunk.pk).update(status=CertaintyChunk.Status.QUEUED, error=reason)
        if chunk.task_id:  # it came from the worker's queue: another attempt, perhaps on another worker
            _queue(chunk)
        return CertaintyChunk.Status.QUEUED
    CertaintyChunk.objects.filter(pk=chunk.pk).update(status=CertaintyChunk.Status.FAILED, error=reason,
                                                      finished_at=timezone.now())
    run.certainty_state = RatingRun.Certainty.FAILED
    run.certainty_error = (f"Draws {chunk.first_draw} to {chunk.stop_draw - 1} failed {chunk.attempts} times; "
                           f"the last time: {reason}. Recalculate the year to try again.")
    run.save(update_fields=["certainty_state", "certainty_error"])
    return CertaintyChunk.Status.FAILED


def requeue_stale_chunks(*, run_id: int | None = None) -> dict[int, str]:
    """Every running chunk (of one run, or of all) whose heartbeat is older
    than CERTAINTY_CHUNK_STALE_SECONDS: its worker is taken to have died, and
    the chunk is queued again, or, its attempts used up, the run's certainty
    fails (and the run cannot be published). Safe to call from several
    workers at once: each chunk is requeued by one of them. The chunks
    handled, with their status afterwards."""
    stale = CertaintyChunk.objects.stale()
    if run_id is not None:
        stale = stale.filter(run_id=run_id)
    outcomes = {}
    for chunk_id, chunk_run_id in stale.values_list("pk", "run_id"):
        status = _requeue_if_stale(chunk_id=chunk_id, run_id=chunk_run_id)
        if status:
            outcomes[chunk_id] = status
    return outcomes


@transaction.atomic
def _requeue_if_stale(*, chunk_id: int, run_id: int) -> str:
    # The run's row lock orders this against the chunk's own worker finishing (_done, _failed) and
    # against another worker's sweep; re-read under it, the chunk may have beaten or been requeued since.
    run = RatingRun.objects.select_for_update().get(pk=run_id)
    chunk = CertaintyChunk.objects.stale().filter(pk=chunk_id).first()
    if chunk is None:
        return ""
    silent = (timezone.now() - (chunk.heartbeat_at or chunk.started_at)).total_seconds()
    reason = (f"Its worker fell silent (no heartbeat for {silent:.0f} s, more than "
              f"CERTAINTY_CHUNK_STALE_SECONDS = {settings.CERTAINTY_CHUNK_STALE_SECONDS}): it probably stopped")
    logger.warning("%s: attempt %s taken for dead. %s", chunk, chunk.attempts, reason)
    _record_dead_task(chunk.task_id, reason)
    return _give_up_attempt(run, chunk, reason)


def _record_dead_task(task_id: str, reason: str) -> None:
    """The dead attempt's task, left running by its worker, recorded failed in
    the task queue's own table (which has no notion of a dead worker), so the
    queue tells the truth and `prune_db_task_results` can clear it."""
    from django_tasks import TaskResultStatus
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    if not task_id or not isinstance(compute_certainty_chunk.get_backend(), DatabaseBackend):
        return

    DBTaskResult.objects.filter(id=task_id, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.FAILED, finished_at=timezone.now(), traceback=reason,
        exception_class_path=f"{__name__}.WorkerFellSilent")


@task()
def watch_certainty_chunks(run_id: int) -> str:
    """The background task watching one run's chunks: see `keep_watch`."""
    return keep_watch(run_id=run_id)


def keep_watch(*, run_id: int) -> str:
    """Requeue the run's stale chunks and, while its certainty is pending,
    watch again in CERTAINTY_CHUNK_STALE_SECONDS. The next watch is queued
    first, so a worker killed while watching leaves the watch queued. The
    run's certainty state."""
    state = RatingRun.objects.filter(pk=run_id).values_list("certainty_state", flat=True).first()
    if state != RatingRun.Certainty.PENDING:
        return state or ""
    _watch(run_id)
    requeue_stale_chunks(run_id=run_id)
    return RatingRun.objects.filter(pk=run_id).values_list("certainty_state", flat=True).first() or ""


def _watch(run_id: int) -> None:
    if not watch_certainty_chunks.get_backend().supports_defer:
        return  # a backend running tasks at once computes the chunks within the request: nothing to watch
    later = timezone.now() + timedelta(seconds=settings.CERTAINTY_CHUNK_STALE_SECONDS)
    watch_certainty_chunks.using(run_after=later).enqueue(run_id=run_id)
