"""Every public page makes a fixed number of queries, whatever the number of
organisations, indicators or years: pinned at two sizes of data set."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ratings import actions
from ratings.models import Rating, RatingRun
from tests.public.conftest import public_urls

# Uncached. Most pages: the synthetic-data check, the published years, and
# their own reads; the table pages add the filter form's choices and a count;
# the year's page and report cards, the year's withdrawals or revisions.
EXPECTED = {
    "home": 4, "search": 3, "browse": 7, "browse filtered": 8, "browse csv": 2, "report card": 9,
    "latest report card": 9, "indicator list": 4, "indicator": 6, "region": 6, "fairness": 9,
    "methodology": 4, "downloads": 2, "ratings csv": 3, "ratings json": 3, "results csv": 2,
    "results json": 2, "robots": 0,
}


@pytest.mark.parametrize("size", ["small_site", "large_site"])
def test_each_page_makes_a_fixed_number_of_queries(db, size, request, client, settings):
    settings.PUBLIC_CACHE_SECONDS = 0
    site = request.getfixturevalue(size)
    counts = {}
    for name, url in public_urls(site).items():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, name
        counts[name] = len(queries)
    assert counts == EXPECTED, repr(counts)


# After a correction of one type's latest ratings and the withdrawal of the other's.
EXPECTED_AFTER_REVISIONS = {
    "corrected report card": (200, 9), "previous version": (200, 9), "current version": (302, 2),
    "withdrawn report card": (410, 4), "browse with a withdrawal": (200, 7), "withdrawn year": (410, 3),
}


@pytest.mark.parametrize("size", ["small_site", "large_site"])
def test_revision_pages_make_a_fixed_number_of_queries(db, size, request, client, settings):
    settings.PUBLIC_CACHE_SECONDS = 0
    site = request.getfixturevalue(size)
    old = RatingRun.objects.published().get(year=2000, organisation_type__code=site.type_code)
    [new] = actions.recalculate(year=2000, type_codes=[site.type_code], publish=True, note="Corrected.")
    other = RatingRun.objects.published().exclude(pk=new.pk).get(year=2000)
    actions.withdraw_run(run=other, reason="Wrong.")
    other_code = Rating.objects.filter(run=other).values_list("organisation__code", flat=True).first()
    code = site.organisation.code
    urls = {
        "corrected report card": f"/organisations/{code}/2000-01/",
        "previous version": f"/organisations/{code}/2000-01/versions/{old.pk}/",
        "current version": f"/organisations/{code}/2000-01/versions/{new.pk}/",
        "withdrawn report card": f"/organisations/{other_code}/2000-01/",
        "browse with a withdrawal": "/ratings/2000-01/",
    }
    counts = {}
    for name, url in urls.items():
        with CaptureQueriesContext(connection) as queries:
            status = client.get(url).status_code
        counts[name] = (status, len(queries))
    actions.withdraw_run(run=new, reason="Also wrong.")
    with CaptureQueriesContext(connection) as queries:
        counts["withdrawn year"] = (client.get("/ratings/2000-01/").status_code, len(queries))
    assert counts == EXPECTED_AFTER_REVISIONS, repr(counts)


def test_a_cached_page_costs_one_query(small_site, client, django_assert_num_queries):
    url = public_urls(small_site)["report card"]
    client.get(url)
    with django_assert_num_queries(1):  # the publication state, which keys the cache
        assert client.get(url).status_code == 200
