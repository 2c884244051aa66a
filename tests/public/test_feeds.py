"""Atom feeds: per organisation, per year and type, and of every publication;
what the public has seen only, linked from the pages they follow."""

from datetime import timedelta
from xml.etree import ElementTree

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ratings import actions
from ratings.models import Rating, RatingRun

ATOM = "{http://www.w3.org/2005/Atom}"


def entries(client, url):
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("application/atom+xml"), url
    feed = ElementTree.fromstring(response.content)
    return [(entry.findtext(f"{ATOM}title"), entry.findtext(f"{ATOM}summary") or "",
             entry.find(f"{ATOM}link").get("href")) for entry in feed.iter(f"{ATOM}entry")]


def test_an_organisation_feed_has_each_year_then_its_correction_and_withdrawal(small_site, client):
    organisation = small_site.organisation
    url = f"/feeds/organisations/{organisation.code}.atom"
    bands = dict(Rating.objects.filter(organisation=organisation, run__in=RatingRun.objects.published())
                 .values_list("run__year", "band"))
    assert [title for title, _, _ in entries(client, url)] == [
        f"{organisation.name}: {bands[2000].capitalize()} in 2000-01",
        f"{organisation.name}: {bands[1999].capitalize()} in 1999-00"]
    [correction] = actions.recalculate(year=2000, type_codes=[organisation.type.code], publish=True,
                                       note="Late returns added")
    actions.withdraw_run(run=correction, reason="The late returns were wrong")
    newest = entries(client, url)[:2]
    assert newest[0][:2] == (f"{organisation.name}: 2000-01 ratings withdrawn", "The late returns were wrong.")
    assert newest[1][0].startswith(f"{organisation.name}: 2000-01 corrected, now ")
    assert newest[1][1] == "Late returns added." and newest[1][2].endswith(f"/organisations/{organisation.code}/2000-01/")


def test_the_year_and_type_feed_and_the_feed_of_every_publication(small_site, client):
    type_code = small_site.type_code
    titles = [t for t, _, _ in entries(client, f"/feeds/ratings/2000-01/{type_code}.atom")]
    assert len(titles) == 1 and titles[0].endswith("published")
    everything = entries(client, "/feeds/publications.atom")
    assert len(everything) == RatingRun.objects.published().count()
    assert client.get("/feeds/ratings/1990-91/HA.atom").status_code == 404
    assert client.get("/feeds/ratings/2000-01/NOPE.atom").status_code == 404


def test_no_feed_shows_a_draft_or_a_scheduled_correction_before_its_time(small_site, client):
    organisation = small_site.organisation
    drafts = actions.recalculate(year=2000)
    release = timezone.now() + timedelta(hours=1)
    actions.publish_run(run=next(r for r in drafts if r.organisation_type_id == organisation.type_id), at=release,
                        note="EMBARGOED-NOTE")
    urls = ["/feeds/publications.atom", f"/feeds/ratings/2000-01/{small_site.type_code}.atom",
            f"/feeds/organisations/{organisation.code}.atom"]
    before = {url: client.get(url).content.decode() for url in urls}
    assert not any("EMBARGOED" in body or "corrected" in body for body in before.values())
    from unittest import mock
    with mock.patch("django.utils.timezone.now", return_value=release + timedelta(seconds=1)):
        assert all("EMBARGOED-NOTE" in client.get(url).content.decode() for url in urls)


def test_pages_link_the_feeds_they_follow(small_site, client):
    alternate = 'rel="alternate" type="application/atom+xml"'
    code = small_site.organisation.code
    assert f'{alternate} title=' in client.get("/").content.decode()
    card = client.get(f"/organisations/{code}/2000-01/").content.decode()
    assert f'href="/feeds/organisations/{code}.atom"' in card and alternate in card
    methodology = client.get("/methodology/2000-01/").content.decode()
    assert f'href="/feeds/ratings/2000-01/{small_site.type_code}.atom"' in methodology
    assert 'href="/feeds/publications.atom"' in client.get("/downloads/").content.decode()


@pytest.mark.parametrize("size", ["small_site", "large_site"])
def test_feeds_make_a_fixed_number_of_queries(db, size, request, client, settings):
    settings.PUBLIC_CACHE_SECONDS = 0
    site = request.getfixturevalue(size)
    counts = {}
    for url in ("/feeds/publications.atom", f"/feeds/ratings/2000-01/{site.type_code}.atom",
                f"/feeds/organisations/{site.organisation.code}.atom"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts[url.split("/")[2]] = len(queries)
    assert counts == {"publications.atom": 1, "ratings": 2, "organisations": 2}, counts
