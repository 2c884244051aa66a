"""The background worker as it really runs: separate `db_worker` processes on
the test database (SQLite file or PostgreSQL). A worker killed in the middle
of a recalculation is recognised by its silent heartbeat and an admin can
mark it failed; two workers on one queue never take the same work."""

import time
from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from ratings import actions, engine
from ratings.models import AuditEntry, RatingRun, RatingScheme, Recalculation, WhatIf

from . import worker_process

# Every test here runs real worker processes, which see only committed data.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def wait_until(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"Timed out after {timeout} s waiting for {what}")


def url(name, *args):
    return reverse(f"ratings_admin:{name}", args=args)


def finish(worker) -> str:
    """Wait for a --batch worker to drain the queue and exit; its output."""
    output, _ = worker.communicate(timeout=120)
    assert worker.returncode == 0, output
    return output


def test_a_worker_killed_mid_recalculation_is_recognised_dead_and_an_admin_can_mark_it_failed(
        rated_world, settings, client):
    settings.RECALCULATION_STALE_MINUTES = 3 / 60  # 3 s here; the worker beats every second
    window = timedelta(minutes=settings.RECALCULATION_STALE_MINUTES).total_seconds()
    admin = User.objects.create_superuser("admin", password="a-long-password-1")
    staff = User.objects.create_user("staff", password="a-long-password-1", is_staff=True)
    recalculation, _ = actions.request_recalculation(year=2000, user=admin)
    # Each engine pass sleeps a minute first: the test kills the worker inside the first.
    with worker_process.killed_at_the_end(worker_process.start(slow_engine_seconds=60)):
        wait_until(lambda: Recalculation.objects.filter(pk=recalculation.pk, status="running", steps_done=1)
                   .exists(), 30, "the worker to start applying the method")
        started = Recalculation.objects.get(pk=recalculation.pk).heartbeat_at
        time.sleep(window + 1.5)  # longer than the window: a live worker's heartbeat keeps it fresh
        alive = Recalculation.objects.get(pk=recalculation.pk)
        assert alive.heartbeat_at > started and not alive.is_stale
        client.force_login(admin)
        refused = client.post(url("recalculation_mark_failed", recalculation.pk), follow=True)
        assert b"it is still running" in refused.content
        assert Recalculation.objects.get(pk=recalculation.pk).status == "running"
    killed = time.monotonic()
    wait_until(lambda: Recalculation.objects.get(pk=recalculation.pk).is_stale, window + 5, "it to be stale")
    # Recognised within the window (after the last beat) and a little polling.
    assert time.monotonic() - killed <= window + 2
    progress = client.get(url("recalculation_progress", recalculation.pk)).json()
    assert (progress["status"], progress["active"], progress["stale"]) == ("running", True, True)
    page = client.get(url("recalculation", recalculation.pk))
    assert b"has probably stopped" in page.content and b"Mark it failed" in page.content

    # Only admins may mark it failed.
    client.force_login(staff)
    assert client.post(url("recalculation_mark_failed", recalculation.pk)).status_code == 403
    client.logout()
    assert client.post(url("recalculation_mark_failed", recalculation.pk)).status_code == 302  # to sign in
    assert Recalculation.objects.get(pk=recalculation.pk).status == "running"
    client.force_login(admin)
    marked = client.post(url("recalculation_mark_failed", recalculation.pk), follow=True)
    assert b"Marked failed. The year can be recalculated again." in marked.content
    recalculation.refresh_from_db()
    assert recalculation.status == "failed" and f"Marked failed by {admin}" in recalculation.error
    entry = AuditEntry.objects.filter(action="recalculation_failed").get()
    assert (entry.user, entry.year, entry.details) == (admin, 2000, {"marked_by_admin": True})
    assert RatingRun.objects.count() == 0  # nothing of the killed one was kept
    again = client.post(url("recalculation_mark_failed", recalculation.pk), follow=True)
    assert b"It has already failed." in again.content

    # The year is free: recalculated again by a (healthy) worker.
    renewed, created = actions.request_recalculation(year=2000, user=admin)
    assert created and renewed.pk != recalculation.pk
    finish(worker_process.start("--batch"))
    renewed.refresh_from_db()
    assert renewed.status == "succeeded" and renewed.runs.count() == 2


def test_a_dead_recalculation_frees_the_year_by_itself_once_its_heartbeat_is_stale(rated_world, settings):
    settings.RECALCULATION_STALE_MINUTES = 3 / 60
    recalculation, _ = actions.request_recalculation(year=2000)
    with worker_process.killed_at_the_end(worker_process.start(slow_engine_seconds=60)):
        wait_until(lambda: Recalculation.objects.filter(pk=recalculation.pk, steps_done=1).exists(), 30,
                   "the worker to start applying the method")
        # Not while it is alive.
        assert actions.request_recalculation(year=2000)[1] is False
    renewed = wait_until(lambda: (lambda pair: pair[0] if pair[1] else None)(actions.request_recalculation(year=2000)),
                         10, "the year to be freed")
    recalculation.refresh_from_db()
    assert recalculation.status == "failed" and "fell silent" in recalculation.error
    assert renewed.status == "queued"


def test_a_queued_recalculation_may_be_marked_failed_and_no_worker_then_runs_it(admin_client_for_worker):
    client, admin = admin_client_for_worker
    recalculation, _ = actions.request_recalculation(year=2000, user=admin)
    client.post(url("recalculation_mark_failed", recalculation.pk))
    recalculation.refresh_from_db()
    assert recalculation.status == "failed" and "no worker had started it" in recalculation.error
    finish(worker_process.start("--batch"))
    assert RatingRun.objects.count() == 0 and Recalculation.objects.get().status == "failed"


@pytest.fixture
def admin_client_for_worker(rated_world, client):
    admin = User.objects.create_superuser("admin", password="a-long-password-1")
    client.force_login(admin)
    return client, admin


def test_work_marked_failed_while_its_worker_lived_keeps_nothing(rated_world):
    """Should a worker thought dead (its heartbeat held up) carry on, it must not
    store runs beside the recalculation that replaced it."""
    recalculation, _ = actions.request_recalculation(year=2000)
    original = engine.rate

    def marked_meanwhile(*args, **kwargs):
        Recalculation.objects.filter(pk=recalculation.pk).update(status="failed", error="marked")
        return original(*args, **kwargs)

    with mock.patch.object(engine, "rate", marked_meanwhile):
        assert actions.run_recalculation(recalculation_id=recalculation.pk) == []
    recalculation.refresh_from_db()
    assert (recalculation.status, recalculation.error, RatingRun.objects.count()) == ("failed", "marked", 0)


def test_two_workers_on_one_queue_never_take_the_same_work(rated_world):
    """Two real worker processes drain a queue of recalculations (one per year)
    and what-ifs: each is carried out exactly once."""
    years = [1997, 1998, 1999, 2000]
    for year in years:
        RatingScheme.objects.get_or_create(year=year)
        actions.request_recalculation(year=year)
    for _ in range(4):
        actions.request_what_if(year=2000, parameters=engine.SchemeParameters(red_core_failures=1))
    workers = [worker_process.start("--batch", slow_engine_seconds=0.2) for _ in range(2)]
    outputs = [finish(worker) for worker in workers]
    tasks = list(DBTaskResult.objects.all())
    assert len(tasks) == 8 and {task.status for task in tasks} == {"SUCCESSFUL"}, outputs
    # Each task was claimed by one worker, and run once: one set of runs per recalculation.
    assert all(len(task.worker_ids) == 1 for task in tasks)
    assert len({worker for task in tasks for worker in task.worker_ids}) == 2, "both workers took work"
    assert sorted(Recalculation.objects.values_list("year", "status")) == [(y, "succeeded") for y in years]
    for recalculation in Recalculation.objects.all():
        assert recalculation.runs.count() == RatingRun.objects.filter(year=recalculation.year).count()
    assert AuditEntry.objects.filter(action="recalculated").count() == RatingRun.objects.count()
    assert set(WhatIf.objects.values_list("status", flat=True)) == {"succeeded"}


def test_the_same_work_handed_out_twice_is_done_once(rated_world):
    """Even were the queue to deliver a task twice, only the first start takes it."""
    recalculation, _ = actions.request_recalculation(year=2000)
    what_if = actions.request_what_if(year=2000, parameters=engine.SchemeParameters())
    assert len(actions.run_recalculation(recalculation_id=recalculation.pk)) == 2
    assert actions.run_recalculation(recalculation_id=recalculation.pk) == []
    assert actions.run_what_if(what_if_id=what_if.pk) is True
    assert actions.run_what_if(what_if_id=what_if.pk) is False
    assert RatingRun.objects.count() == 2


def test_progress_the_busy_database_could_not_record_does_not_stop_the_work(rated_world, monkeypatch):
    """On SQLite another worker's long write can hold the one write lock past the
    busy timeout: the progress report is skipped, the recalculation goes on."""
    from django.db import OperationalError
    from django.db.models import QuerySet

    recalculation, _ = actions.request_recalculation(year=2000)
    original, refused = QuerySet.update, []

    def busy_once(queryset, **values):
        if queryset.model is Recalculation and "steps_done" in values and not refused:
            refused.append(values["step"])
            raise OperationalError("database is locked")
        return original(queryset, **values)

    monkeypatch.setattr(QuerySet, "update", busy_once)
    assert len(actions.run_recalculation(recalculation_id=recalculation.pk)) == 2
    assert refused == ["Reading the year's data"]
    assert Recalculation.objects.get().status == "succeeded"
