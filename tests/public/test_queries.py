"""Every public page makes a fixed number of queries, whatever the number of
organisations, indicators or years: pinned at two sizes of data set."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.public.conftest import public_urls

# Uncached. Most pages: the synthetic-data check, the published years, and
# their own reads; the table pages add the filter form's choices and a count.
EXPECTED = {
    "home": 4, "search": 3, "browse": 6, "browse filtered": 7, "browse csv": 2, "report card": 8,
    "latest report card": 8, "indicator list": 4, "indicator": 6, "region": 6, "fairness": 9,
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


def test_a_cached_page_costs_one_query(small_site, client, django_assert_num_queries):
    url = public_urls(small_site)["report card"]
    client.get(url)
    with django_assert_num_queries(1):  # the publication state, which keys the cache
        assert client.get(url).status_code == 200
