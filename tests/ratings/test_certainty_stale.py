"""A band-certainty chunk whose worker died mid-way (SIGKILL, out of memory,
the machine lost) cannot say so: its heartbeat stops, and once it has been
silent for CERTAINTY_CHUNK_STALE_SECONDS it is queued again (an attempt, like
a failure's), by the run's watch task on any live worker; past
CERTAINTY_CHUNK_ATTEMPTS the run's certainty fails and the run cannot be
published. Two workers noticing the same silent chunk requeue it once. On the
small demo of test_certainty (60 draws in chunks of 25)."""

import threading
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from ratings import actions, certainty_runs
from ratings.actions import certainty
from ratings.models import CertaintyChunk, Rating, RatingRun
from ratings.verification import verify
from tests.races import race

from . import worker_process
from .test_certainty import queued_run
from .test_worker import wait_until

RACE = pytest.mark.django_db(transaction=True, serialized_rollback=True)


class WorkerKilled(BaseException):
    """The process dying mid-chunk: nothing in it runs on (no `except Exception` catches it)."""


def killed_on(first_draw: int, monkeypatch):
    """Chunks starting at first_draw die mid-way; the others compute. The attempts that died."""
    original, died = certainty_runs.simulate_chunk, []

    def simulate(run, *, first_draw: int, stop_draw: int):
        if first_draw == killed_first_draw:
            died.append(first_draw)
            raise WorkerKilled
        return original(run, first_draw=first_draw, stop_draw=stop_draw)

    killed_first_draw = first_draw
    monkeypatch.setattr(certainty_runs, "simulate_chunk", simulate)
    return died


def die_in(chunk: CertaintyChunk) -> None:
    with pytest.raises(WorkerKilled):
        certainty.run_certainty_chunk(chunk_id=chunk.pk)
    assert CertaintyChunk.objects.get(pk=chunk.pk).status == "running"  # left as the dead worker left it


def chunk_tasks() -> int:
    return DBTaskResult.objects.filter(task_path__endswith="compute_certainty_chunk").count()


@RACE
def test_a_chunk_whose_worker_is_killed_is_requeued_by_a_live_worker_and_the_run_completes(small_demo, settings):
    settings.CERTAINTY_CHUNK_STALE_SECONDS = 3  # the worker processes beat every second
    run = queued_run()
    # Each chunk sleeps a minute first: the test kills the worker (SIGKILL) inside the first.
    with worker_process.killed_at_the_end(worker_process.start(slow_certainty_seconds=60, chunk_stale_seconds=3)):
        running = wait_until(lambda: run.certainty_chunks.filter(status="running").first(), 60,
                             "the worker to take a chunk")
        time.sleep(settings.CERTAINTY_CHUNK_STALE_SECONDS + 1.5)
        alive = CertaintyChunk.objects.get(pk=running.pk)
        # Longer than the timeout, but its live worker's heartbeat keeps it fresh: not taken for dead.
        assert alive.status == "running" and alive.heartbeat_at > running.heartbeat_at
        assert certainty.requeue_stale_chunks() == {}
    # Killed. A new worker computes the other chunks, and its watch of the run requeues the dead one.
    with worker_process.killed_at_the_end(worker_process.start(chunk_stale_seconds=3)) as worker:
        wait_until(lambda: RatingRun.objects.get(pk=run.pk).certainty_state != "pending", 120,
                   "the run's certainty to be complete")
        worker.kill()
        output = worker.communicate(timeout=10)[0]
    run.refresh_from_db()
    assert run.certainty_state == "complete", output
    killed = CertaintyChunk.objects.get(pk=running.pk)
    assert (killed.status, killed.attempts) == ("done", 2), output
    assert f"{killed}: attempt 1 taken for dead. Its worker fell silent" in output
    # The dead attempt's task is recorded failed in the queue's table, the retry's succeeded.
    statuses = sorted(DBTaskResult.objects.filter(task_path__endswith="compute_certainty_chunk",
                                                  args_kwargs__kwargs__chunk_id=killed.pk)
                      .values_list("status", flat=True))
    assert statuses == ["FAILED", "SUCCESSFUL"]
    assert set(run.certainty_chunks.exclude(pk=running.pk).values_list("attempts", flat=True)) == {1}
    # The figures are those of all the draws computed at once, and the run may be published.
    assert verify(run).differences == []
    assert not Rating.objects.filter(run=run).exclude(band="not_rated").filter(certainty__isnull=True).exists()
    assert actions.publish_run(run=run).is_published


def test_a_silent_chunk_is_requeued_until_its_attempts_are_used_up_then_the_run_cannot_be_published(
        small_demo, db, settings, monkeypatch):
    settings.CERTAINTY_CHUNK_STALE_SECONDS = 60
    run = queued_run()
    first, second, third = run.certainty_chunks.order_by("index")
    died = killed_on(25, monkeypatch)
    assert certainty.run_certainty_chunk(chunk_id=first.pk) == "done"
    die_in(second)
    assert certainty.requeue_stale_chunks() == {}  # not yet silent for 60 s: its worker may be alive
    settings.CERTAINTY_CHUNK_STALE_SECONDS = 0  # from now on, silent long enough
    tasks, task_id = chunk_tasks(), CertaintyChunk.objects.get(pk=second.pk).task_id
    assert certainty.requeue_stale_chunks() == {second.pk: "queued"}
    second.refresh_from_db()
    assert (second.status, second.attempts) == ("queued", 1) and second.error.startswith("Its worker fell silent")
    # Queued again as a task of its own, for any worker.
    assert second.task_id != task_id and chunk_tasks() == tasks + 1
    assert certainty.requeue_stale_chunks() == {}  # nothing silent is left

    die_in(second)
    assert certainty.requeue_stale_chunks() == {second.pk: "queued"}
    die_in(second)
    assert certainty.requeue_stale_chunks() == {second.pk: "failed"}  # the third attempt was the last
    assert len(died) == settings.CERTAINTY_CHUNK_ATTEMPTS == 3
    run.refresh_from_db()
    assert run.certainty_state == "failed"
    assert run.certainty_error.startswith("Draws 25 to 49 failed 3 times; the last time: Its worker fell silent")
    # Never published with half its certainty: the chunk left is not taken, nothing is combined.
    assert certainty.run_certainty_chunk(chunk_id=third.pk) == "queued"
    assert not Rating.objects.filter(run=run, certainty__isnull=False).exists()
    with pytest.raises(actions.RecalculationError, match="the simulation of its band certainty failed"):
        actions.publish_run(run=run)


def test_an_attempt_taken_for_dead_that_finishes_after_all_is_kept_and_its_retry_does_nothing(
        small_demo, db, settings, monkeypatch):
    settings.CERTAINTY_CHUNK_STALE_SECONDS = 0
    run = queued_run()
    chunks = list(run.certainty_chunks.order_by("index"))
    original = certainty_runs.simulate_chunk

    def held_up(run, **draws):
        # Its heartbeat held up too long: another worker's watch requeues it while it computes.
        assert certainty.requeue_stale_chunks() == {chunks[0].pk: "queued"}
        return original(run, **draws)

    monkeypatch.setattr(certainty_runs, "simulate_chunk", held_up)
    assert certainty.run_certainty_chunk(chunk_id=chunks[0].pk) == "done"  # the same draws whichever attempt
    monkeypatch.undo()
    assert certainty.run_certainty_chunk(chunk_id=chunks[0].pk) == "done"  # the retry: already done, not taken
    assert CertaintyChunk.objects.get(pk=chunks[0].pk).attempts == 1
    for chunk in chunks[1:]:
        assert certainty.run_certainty_chunk(chunk_id=chunk.pk) == "done"
    run.refresh_from_db()
    assert run.certainty_state == "complete" and verify(run).differences == []


def test_an_attempt_taken_for_dead_that_then_fails_is_not_counted_twice(small_demo, db, settings, monkeypatch):
    settings.CERTAINTY_CHUNK_STALE_SECONDS = 0
    run = queued_run()
    chunk = run.certainty_chunks.order_by("index").first()
    retry = {}

    def held_up_then_failing(run, **draws):
        assert certainty.requeue_stale_chunks() == {chunk.pk: "queued"}
        # The retry is taken by another worker meanwhile (it computes on).
        taken = CertaintyChunk.objects.filter(pk=chunk.pk, status="queued").update(
            status="running", attempts=2, started_at=timezone.now(), heartbeat_at=timezone.now())
        retry["taken"] = taken
        raise OSError("disk full")

    monkeypatch.setattr(certainty_runs, "simulate_chunk", held_up_then_failing)
    assert certainty.run_certainty_chunk(chunk_id=chunk.pk) == "running"  # the retry's state, left alone
    chunk.refresh_from_db()
    assert retry == {"taken": 1} and (chunk.status, chunk.attempts) == ("running", 2)
    assert chunk.error.startswith("Its worker fell silent")  # the first attempt's end, counted once
    assert RatingRun.objects.get(pk=run.pk).certainty_state == "pending"


def test_each_run_with_queued_chunks_is_watched_while_its_certainty_is_pending(small_demo, db, settings):
    settings.CERTAINTY_CHUNK_STALE_SECONDS = 90
    before = timezone.now()
    run = queued_run()
    watches = DBTaskResult.objects.filter(task_path__endswith="watch_certainty_chunks")
    [watch] = watches.all()
    assert watch.args_kwargs["kwargs"] == {"run_id": run.pk}
    assert before + timedelta(seconds=90) <= watch.run_after <= timezone.now() + timedelta(seconds=90)
    # Pending: the next watch is queued; complete: the watching stops.
    assert certainty.keep_watch(run_id=run.pk) == "pending" and watches.all().count() == 2
    for chunk in run.certainty_chunks.all():
        certainty.run_certainty_chunk(chunk_id=chunk.pk)
    assert certainty.keep_watch(run_id=run.pk) == "complete" and watches.all().count() == 2


@RACE
@pytest.mark.parametrize("repetition", range(3))
def test_two_workers_noticing_the_same_silent_chunk_at_once_requeue_it_once(repetition, small_demo, settings,
                                                                            monkeypatch):
    run = queued_run()
    chunk = run.certainty_chunks.order_by("index").first()
    killed_on(0, monkeypatch)
    die_in(chunk)
    settings.CERTAINTY_CHUNK_STALE_SECONDS = 0
    tasks = chunk_tasks()
    # Both have listed the chunk as silent before either requeues it.
    listed, requeue = threading.Barrier(2), certainty._requeue_if_stale

    def after_both_listed(**chunk_and_run):
        listed.wait(timeout=30)
        return requeue(**chunk_and_run)

    monkeypatch.setattr(certainty, "_requeue_if_stale", after_both_listed)
    outcomes = race(certainty.requeue_stale_chunks, certainty.requeue_stale_chunks)
    assert sorted(outcomes, key=len) == [{}, {chunk.pk: "queued"}], outcomes
    chunk.refresh_from_db()
    assert (chunk.status, chunk.attempts) == ("queued", 1)
    assert chunk_tasks() == tasks + 1  # one new task for the chunk


def test_a_combination_that_fails_is_retried_then_fails_the_run_never_leaving_the_chunk_running(small_demo, db):
    """Tallies stored by the version before this one (a rank histogram, not the draws' ranks), say by a
    run pending across the upgrade, cannot be combined: the last chunk says so, and the run fails."""
    run = queued_run()
    first, second, third = run.certainty_chunks.order_by("index")
    for chunk in (first, second):
        assert certainty.run_certainty_chunk(chunk_id=chunk.pk) == "done"
    earlier = certainty_runs.unpack(bytes(CertaintyChunk.objects.get(pk=first.pk).partial))
    earlier.pop("ranks")
    earlier.update(rank_keys=[1, 2], rank_counts=[25, 25])
    CertaintyChunk.objects.filter(pk=first.pk).update(partial=certainty_runs.pack(earlier))
    assert [certainty.run_certainty_chunk(chunk_id=third.pk) for _ in range(3)] == ["queued", "queued", "failed"]
    run.refresh_from_db()
    assert run.certainty_state == "failed" and "stored by an earlier version" in run.certainty_error
    assert not Rating.objects.filter(run=run, certainty__isnull=False).exists()
