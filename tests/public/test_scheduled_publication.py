"""Scheduled publication and withdrawal, seen from the public site: a run
scheduled for a time is nowhere one second before it, and everywhere one
second after, through every page, download and the page cache."""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from ratings import actions
from ratings.models import AuditEntry, RatingRun
from tests.public.test_embargo import crawl, mark_draft

START = ["/", "/downloads/", "/indicators/", "/search/?q=a", "/search/?q=e"]


def at(moment):
    return mock.patch("django.utils.timezone.now", return_value=moment)


def test_a_scheduled_run_shows_nowhere_before_its_time_and_everywhere_after(small_site, client):
    drafts = actions.recalculate(year=2000)
    for draft in drafts:
        mark_draft(draft)
    release = timezone.now() + timedelta(hours=1)
    for draft in drafts:
        actions.publish_run(run=draft, at=release, note="Corrected figures.")
    assert {run.status for run in RatingRun.objects.filter(pk__in=[d.pk for d in drafts])} == {"scheduled"}

    with at(release - timedelta(seconds=1)):
        before = crawl(client, START)
    assert all("987.65" not in body for body in before.values())
    with at(release + timedelta(seconds=1)):
        after = crawl(client, START)
    # The same URLs, some served from the cache a moment ago, now show the new run.
    assert any("987.65" in body for body in after.values())
    assert "987.65" in after["/ratings/2000-01/"] or "987.65" in client.get("/ratings/2000-01/").content.decode()
    # The statuses catch up when anything next touches the year, or the timer runs.
    with at(release + timedelta(seconds=1)):
        settled = actions.settle_scheduled_runs()
    assert len(settled) == len(drafts)
    assert RatingRun.objects.filter(year=2000, status="published").count() == len(drafts)
    assert RatingRun.objects.filter(year=2000, status="superseded").count() == len(drafts)


def test_scheduling_again_replaces_the_pending_schedule(small_site):
    first, second = (actions.recalculate(year=2000, type_codes=[small_site.type_code])[0] for _ in range(2))
    release = timezone.now() + timedelta(days=1)
    actions.publish_run(run=first, at=release, note="Corrected figures.")
    actions.publish_run(run=second, at=release + timedelta(hours=1), note="Corrected figures.")
    first.refresh_from_db()
    assert (first.status, first.published_at) == ("draft", None)
    assert AuditEntry.objects.filter(action="unscheduled", run=first).exists()


def test_withdrawal_takes_a_run_off_the_site_at_once_and_keeps_the_reason(small_site, client):
    run = RatingRun.objects.published().get(year=2000, organisation_type__code=small_site.type_code)
    assert client.get(f"/organisations/{small_site.organisation.code}/2000-01/").status_code == 200
    with pytest.raises(actions.RecalculationError, match="Say why"):
        actions.withdraw_run(run=run, reason=" ")
    actions.withdraw_run(run=run, reason="A return from one region was wrong.")
    gone = client.get(f"/organisations/{small_site.organisation.code}/2000-01/")
    assert gone.status_code == 410 and "withdrawn on" in gone.content.decode()
    assert "A return from one region was wrong." in gone.content.decode()
    run.refresh_from_db()
    assert (run.status, run.withdrawal_reason) == ("withdrawn", "A return from one region was wrong.")
    assert run.withdrawn_at is not None
    with pytest.raises(actions.RecalculationError, match="only a published or scheduled run"):
        actions.withdraw_run(run=run, reason="again")


def test_the_cache_key_changes_when_a_scheduled_time_passes(small_site):
    from public.cache import publication_state
    release = timezone.now() + timedelta(hours=1)
    [draft] = actions.recalculate(year=2000, type_codes=[small_site.type_code])
    actions.publish_run(run=draft, at=release, note="Corrected figures.")
    with at(release - timedelta(seconds=1)):
        before = publication_state()
        assert draft.pk not in set(RatingRun.objects.published().values_list("pk", flat=True))
    with at(release + timedelta(seconds=1)):
        assert publication_state() != before
        assert draft.pk in set(RatingRun.objects.published().values_list("pk", flat=True))
