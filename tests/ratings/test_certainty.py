"""Band certainty on the workers: a run's draws split into chunks queued as
tasks of their own, each chunk's tallies kept, the last to finish combining
them under the run's row lock; the same figures whichever order or process
computes the chunks, as all the draws computed in one go (`verify_run`),
and as the command line's run computed in its own process; failed chunks
retried, then the run's certainty failed; pending or failed runs never
published. On a small demo (health authorities, two years) with 60 draws
in chunks of 25."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from ratings import actions, certainty_runs
from ratings.actions import certainty
from ratings.models import CertaintyChunk, Rating, RatingRun
from ratings.verification import verify

from .conftest import CERTAINTY_DRAWS

DRAWS = CERTAINTY_DRAWS  # the small demo's (tests/ratings/conftest.py)
FIELDS = ("band", *certainty_runs.FIGURE_FIELDS)


@pytest.fixture
def admin_page(client):
    from django.contrib.auth.models import User

    client.force_login(User.objects.create_superuser("admin", password="a-long-password-1"))
    return client


def figures(run) -> dict:
    return {r["organisation_id"]: tuple(r[f] for f in FIELDS)
            for r in Rating.objects.filter(run=run).values("organisation_id", *FIELDS)}


def queued_run(year=2000) -> RatingRun:
    """A recalculation as the admin asks for it, carried out as the worker's task does: its chunks queued."""
    recalculation, _ = actions.request_recalculation(year=year)
    [run_id] = actions.run_recalculation(recalculation_id=recalculation.pk)
    return RatingRun.objects.get(pk=run_id)


def test_chunks_in_any_order_give_the_figures_of_all_draws_at_once_and_of_the_command_line(small_demo, db):
    run = queued_run()
    chunks = list(run.certainty_chunks.order_by("index"))
    assert [(c.first_draw, c.stop_draw, c.status) for c in chunks] == [
        (0, 25, "queued"), (25, 50, "queued"), (50, 60, "queued")]
    assert all(c.task_id for c in chunks)  # each queued for the workers as a task of its own
    assert run.certainty_state == "pending" and run.change_baseline == small_demo
    assert not Rating.objects.filter(run=run, certainty__isnull=False).exists()

    for chunk in reversed(chunks):  # the last queued finishes first: order does not matter
        assert certainty.run_certainty_chunk(chunk_id=chunk.pk) == "done"
        assert RatingRun.objects.get(pk=run.pk).certainty_state == ("complete" if chunk == chunks[0] else "pending")
    run.refresh_from_db()
    stored = figures(run)
    rated = [f for f in stored.values() if f[0] != "not_rated"]
    # Sampling noise shows: not every band is certain, and the shares are of 60 draws.
    assert any(f[FIELDS.index("certainty")] < 1 for f in rated)
    for band, green, yellow, red, not_rated, sure, low, high, _ in rated:
        assert green + yellow + red + not_rated == pytest.approx(1)
        assert sure == {"green": green, "yellow": yellow, "red": red}[band]
        assert round(sure * DRAWS) == pytest.approx(sure * DRAWS) and low <= high
    changed = Rating.objects.filter(run=run, p_change_real__isnull=False)
    assert changed.exists()
    before = dict(Rating.objects.filter(run=small_demo).values_list("organisation_id", "band"))
    assert all(before[r.organisation_id] != r.band for r in changed)
    assert not run.certainty_chunks.exclude(partial=None).exists()  # combined: the partial tallies let go

    # All the draws in one go, from the run's seed, give the same figures.
    assert verify(run).differences == []
    # So does the command line, computing the chunks itself, for the same data and seed.
    [inline] = actions.recalculate(year=2000)
    assert inline.certainty_state == "complete" and figures(inline) == stored


def test_verify_run_finds_a_changed_certainty(small_demo, db):
    run = queued_run()
    for chunk in run.certainty_chunks.all():
        certainty.run_certainty_chunk(chunk_id=chunk.pk)
    run.refresh_from_db()
    rating = Rating.objects.filter(run=run, certainty__isnull=False).first()
    Rating.objects.filter(pk=rating.pk).update(certainty=rating.certainty / 2)
    assert [(d.organisation, d.what) for d in verify(run).differences] == [(rating.organisation.code, "certainty")]
    # A run whose certainty is still pending says it was not checked.
    pending = queued_run()
    assert "Its band certainty is being simulated: not checked." in verify(pending).warnings


def test_a_run_is_published_only_once_its_certainty_is_complete(small_demo, db):
    run = queued_run()
    with pytest.raises(actions.RecalculationError, match=r"cannot be published yet: its band certainty is still "
                                                         r"being simulated \(0 of 3 chunks of draws done\)"):
        actions.publish_run(run=run)
    for chunk in run.certainty_chunks.all():
        certainty.run_certainty_chunk(chunk_id=chunk.pk)
    run.refresh_from_db()
    assert actions.publish_run(run=run).is_published


def test_without_draws_a_run_has_no_certainty_and_may_be_published(small_demo, db):
    actions.update_scheme(year=2000, values={"uncertainty_draws": 0})
    run = queued_run()
    assert run.certainty_state == "none" and not run.certainty_chunks.exists()
    assert actions.publish_run(run=run).is_published
    assert not Rating.objects.filter(run=run, certainty__isnull=False).exists()


def test_a_failing_chunk_is_retried_then_the_runs_certainty_fails_with_the_reason(small_demo, db, monkeypatch,
                                                                               admin_page):
    run = queued_run()
    original, calls = certainty_runs.simulate_chunk, []

    def failing_once(run, *, first_draw, stop_draw):
        calls.append(first_draw)
        if first_draw == 0 and calls.count(0) == 1:
            raise MemoryError("out of memory")
        if first_draw == 25:
            raise OSError("disk full")
        return original(run, first_draw=first_draw, stop_draw=stop_draw)

    monkeypatch.setattr(certainty_runs, "simulate_chunk", failing_once)
    first, second, third = run.certainty_chunks.order_by("index")
    tasks_before = CertaintyChunk.objects.get(pk=first.pk).task_id
    assert certainty.run_certainty_chunk(chunk_id=first.pk) == "queued"  # failed once: queued again
    first.refresh_from_db()
    assert (first.attempts, first.error) == (1, "MemoryError: out of memory") and first.task_id != tasks_before
    assert certainty.run_certainty_chunk(chunk_id=first.pk) == "done"  # the second attempt succeeds
    assert [certainty.run_certainty_chunk(chunk_id=second.pk) for _ in range(3)] == ["queued", "queued", "failed"]
    run.refresh_from_db()
    assert run.certainty_state == "failed"
    assert run.certainty_error == ("Draws 25 to 49 failed 3 times; the last time: OSError: disk full. "
                                   "Recalculate the year to try again.")
    # What is left is not taken, and nothing is combined; the run is refused publication, saying why.
    assert certainty.run_certainty_chunk(chunk_id=third.pk) == "queued"
    assert not Rating.objects.filter(run=run, certainty__isnull=False).exists()
    with pytest.raises(actions.RecalculationError, match="the simulation of its band certainty failed"):
        actions.publish_run(run=run)
    page = admin_page.get(reverse("ratings_admin:recalculation", args=[run.recalculations.get().pk]))
    assert b"Draws 25 to 49 failed 3 times" in page.content and b"1 of 3" in page.content


def test_the_admins_recalculation_page_follows_the_chunks(small_demo, db, admin_page):
    run = queued_run()
    page = admin_page.get(reverse("ratings_admin:recalculation", args=[run.recalculations.get().pk]))
    assert b"Being simulated" in page.content and b"0 of 3" in page.content
    assert b"can be published once its band certainty is complete" in page.content
    year_page = admin_page.get(reverse("ratings_admin:year", args=[2000]))
    assert b"Band certainty: being simulated (it can be published when complete)" in year_page.content
    for chunk in run.certainty_chunks.all():
        certainty.run_certainty_chunk(chunk_id=chunk.pk)
    page = admin_page.get(reverse("ratings_admin:recalculation", args=[run.recalculations.get().pk]))
    assert b"Complete" in page.content and b"3 of 3" in page.content


def test_the_command_line_publishes_with_certainty(small_demo, db):
    call_command("recalculate_ratings", "--year", "2000-01", "--publish", stdout=io.StringIO())
    run = RatingRun.objects.published().get(year=2000)
    assert run.certainty_state == "complete"
    assert not Rating.objects.filter(run=run).exclude(band="not_rated").filter(certainty__isnull=True).exists()


def test_the_command_lines_recalculation_fails_whole_when_a_chunk_keeps_failing(small_demo, db, monkeypatch):
    def failing(run, *, first_draw, stop_draw):
        raise MemoryError("out of memory")

    monkeypatch.setattr(certainty_runs, "simulate_chunk", failing)
    runs_before = RatingRun.objects.count()
    with pytest.raises(actions.RecalculationError, match=r"could not be simulated: Draws 0 to 24 failed 3 times; "
                                                         r"the last time: MemoryError: out of memory"):
        actions.recalculate(year=2000, publish=True)
    # All or nothing: no draft run is left, and the recalculation records why it failed.
    assert RatingRun.objects.count() == runs_before
    from ratings.models import Recalculation
    failed = Recalculation.objects.get(year=2000)
    assert failed.status == "failed" and "MemoryError: out of memory" in failed.error
