"""Rendered public pages are cached, keyed by the set of runs visible now: a
publication or withdrawal shows at once, a draft never does."""

from django.utils import timezone

from indicators.models import Organisation
from ratings import actions
from ratings.models import RatingRun


def test_pages_come_from_the_cache_until_the_publication_state_changes(small_site, client):
    url = f"/organisations/{small_site.organisation.code}/2000-01/"
    first = client.get(url).content
    Organisation.objects.filter(pk=small_site.organisation.pk).update(name="Renamed Health Authority")
    assert client.get(url).content == first  # served from the cache

    # A new draft changes nothing public; publishing it does, at once.
    drafts = actions.recalculate(year=2000)
    assert client.get(url).content == first
    actions.publish_run(run=next(r for r in drafts if r.organisation_type_id == small_site.organisation.type_id),
                        note="Corrected figures.")
    assert b"Renamed Health Authority" in client.get(url).content


def test_withdrawal_removes_a_cached_page_at_once(small_site, client):
    url = "/ratings/2000-01/"
    assert client.get(url).status_code == 200
    RatingRun.objects.filter(year=2000).update(status="withdrawn")
    assert client.get(url).status_code == 404


def test_the_publication_time_passing_changes_the_key(small_site, client):
    later = timezone.now() + timezone.timedelta(minutes=5)
    RatingRun.objects.filter(year=2000).update(published_at=later)
    assert client.get("/ratings/2000-01/").status_code == 404  # not yet, and the 404 is not cached
    RatingRun.objects.filter(year=2000).update(published_at=timezone.now())
    assert client.get("/ratings/2000-01/").status_code == 200


def test_cache_off_renders_every_time(small_site, client, settings):
    settings.PUBLIC_CACHE_SECONDS = 0
    url = f"/organisations/{small_site.organisation.code}/2000-01/"
    client.get(url)
    Organisation.objects.filter(pk=small_site.organisation.pk).update(name="Renamed Health Authority")
    assert b"Renamed Health Authority" in client.get(url).content


def test_downloads_keep_their_headers_from_the_cache(small_site, client):
    url = "/downloads/2000-01/ratings.csv"
    first = client.get(url)
    Organisation.objects.filter(pk=small_site.organisation.pk).update(name="Renamed Health Authority")
    second = client.get(url)
    assert second.content == first.content and b"Renamed" not in second.content  # from the cache
    assert second["Content-Type"] == first["Content-Type"] and second["Content-Disposition"] == first["Content-Disposition"]
