"""Chunks of one run finishing at once, in threads released together by a
barrier, each on its own connection, on whichever database the suite runs on:
exactly one of them combines the tallies (the run's row lock decides), and
the figures are those of all the draws at once. And two real `db_worker`
processes computing one run's chunks between them."""

import threading
import time

import pytest
from django_tasks_db.models import DBTaskResult

from ratings import actions, certainty_runs
from ratings.actions import certainty
from ratings.models import Rating, RatingRun
from ratings.verification import verify
from tests.races import race

from . import worker_process
from .test_certainty import queued_run
from .test_worker import finish

RACE = pytest.mark.django_db(transaction=True, serialized_rollback=True)




@RACE
@pytest.mark.parametrize("repetition", range(3))
def test_two_last_chunks_finishing_at_once_combine_exactly_once(repetition, small_demo, monkeypatch):
    run = queued_run()
    first, second, third = run.certainty_chunks.order_by("index")
    assert certainty.run_certainty_chunk(chunk_id=first.pk) == "done"
    # The last two finish computing together, then both go to keep their tallies at once.
    finished = threading.Barrier(2)
    simulate, combine, combined = certainty_runs.simulate_chunk, certainty._combine, []

    def simulate_then_wait(run, **draws):
        tallies = simulate(run, **draws)
        finished.wait(timeout=60)
        return tallies

    def counted_combine(run):
        combined.append(run.pk)
        time.sleep(0.05)  # a slow combination: the other chunk must wait for it, not combine too
        return combine(run)

    monkeypatch.setattr(certainty_runs, "simulate_chunk", simulate_then_wait)
    monkeypatch.setattr(certainty, "_combine", counted_combine)

    outcomes = race(lambda: certainty.run_certainty_chunk(chunk_id=second.pk),
                    lambda: certainty.run_certainty_chunk(chunk_id=third.pk))

    assert outcomes == ["done", "done"], outcomes
    assert combined == [run.pk]
    monkeypatch.undo()
    run.refresh_from_db()
    assert run.certainty_state == "complete"
    assert not Rating.objects.filter(run=run).exclude(band="not_rated").filter(certainty__isnull=True).exists()
    assert verify(run).differences == []


@RACE
def test_two_worker_processes_compute_one_run_together(small_demo, settings):
    settings.CERTAINTY_CHUNK_DRAWS = 10  # six chunks, for two workers to share
    run = queued_run()
    assert run.certainty_chunks.count() == 6
    workers = [worker_process.start("--batch") for _ in range(2)]
    outputs = [finish(worker) for worker in workers]
    tasks = list(DBTaskResult.objects.filter(task_path__endswith="compute_certainty_chunk"))
    assert len(tasks) == 6 and {task.status for task in tasks} == {"SUCCESSFUL"}, outputs
    assert len({worker for task in tasks for worker in task.worker_ids}) == 2, "both workers took chunks"
    run.refresh_from_db()
    assert run.certainty_state == "complete" and verify(run).differences == []
    assert actions.publish_run(run=run).is_published
