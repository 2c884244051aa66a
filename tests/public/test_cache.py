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


def test_downloads_are_streamed_and_never_cached(small_site, client):
    # A file of any size is streamed in bounded memory; holding it whole in the
    # cache would undo that, so downloads are read afresh (of the runs visible now).
    url = "/downloads/2000-01/ratings.csv"
    first = client.get(url)
    assert first.streaming and first["Content-Disposition"] == 'attachment; filename="ratings-2000-01.csv"'
    Organisation.objects.filter(pk=small_site.organisation.pk).update(name="Renamed Health Authority")
    assert b"Renamed Health Authority" in client.get(url).getvalue()


def test_a_correction_or_a_withdrawal_changes_a_cached_card_at_once(small_site, client):
    organisation = small_site.organisation
    url = f"/organisations/{organisation.code}/2000-01/"
    first = client.get(url).content
    Organisation.objects.filter(pk=organisation.pk).update(name="Renamed Health Authority")
    assert client.get(url).content == first  # served from the cache

    old = RatingRun.objects.published().get(year=2000, organisation_type=organisation.type)
    [correction] = actions.recalculate(year=2000, type_codes=[organisation.type.code], publish=True,
                                       note="Late returns added.")
    corrected = client.get(url).content.decode()
    assert "Corrected on" in corrected and "Late returns added." in corrected
    assert f"/versions/{old.pk}/" in corrected
    version = f"{url}versions/{old.pk}/"
    assert client.get(version).status_code == 200  # now cached too

    actions.withdraw_run(run=correction, reason="The late returns were wrong.")
    withdrawn = client.get(url)
    assert withdrawn.status_code == 410 and "The late returns were wrong." in withdrawn.content.decode()
    assert "The late returns were wrong." in client.get(version).content.decode()  # its revisions, at once
    assert "The late returns were wrong." in client.get("/ratings/2000-01/").content.decode()
