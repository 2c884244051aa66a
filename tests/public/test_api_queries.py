"""Every API endpoint makes a fixed number of queries and reads a bounded
number of rows, whatever the number of organisations (as every public page:
tests/public/test_queries.py)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.public.conftest import build_site
from tests.public.test_queries import clear_site, counting_reads

PAGE = 5


def api_urls(site) -> dict[str, str]:
    code, year = site.organisation.code, "2000-01"
    return {
        "years": "/api/v1/years/",
        "organisations": f"/api/v1/organisations/?page_size={PAGE}&page=2",
        "organisations searched": f"/api/v1/organisations/?q=a&type={site.type_code}&open_in={year}&page_size={PAGE}",
        "organisation": f"/api/v1/organisations/{code}/",
        "ratings": f"/api/v1/ratings/?page_size={PAGE}&page=2",
        "ratings filtered and sorted": f"/api/v1/ratings/?year={year}&type={site.type_code}&region={site.region_code}"
                                       f"&sort=-score&page_size={PAGE}",
        "ratings by name": f"/api/v1/ratings/?sort=name&page_size={PAGE}",
        "report card": f"/api/v1/organisations/{code}/report-cards/{year}/",
        "indicators": "/api/v1/indicators/",
        "indicators of a year": f"/api/v1/indicators/?year={year}",
        "indicator": f"/api/v1/indicators/{site.indicator_code}/",
        "results": f"/api/v1/results/?page_size={PAGE}",
        "results filtered": f"/api/v1/results/?year={year}&indicator={site.indicator_code}&page_size={PAGE}",
        "runs": "/api/v1/runs/",
        "publications": "/api/v1/publications/",
        "releases": "/api/v1/releases/",
    }


# Uncached. Each: the published runs' ids where it reads ratings, a count for
# numbered pages, its own read (ratings: the page's ids, then their rows); organisations add their predecessors (one
# query), one organisation its published ratings; a report card is the reads
# of queries.report_card, as the card page's (the organisation's predecessors
# among them: the API's card does not ask for them again). Runs and publications are numbered
# pages (a count and the page; each publication's corrected run is a subquery
# of the page's); the release calendar is one query (its few rows counted in Python).
EXPECTED = {
    "years": 1, "organisations": 3, "organisations searched": 3, "organisation": 3, "ratings": 4,
    "ratings filtered and sorted": 4, "ratings by name": 4, "report card": 10, "indicators": 2,
    "indicators of a year": 2, "indicator": 2, "results": 1, "results filtered": 1, "runs": 2, "publications": 2,
    "releases": 1,
}


@pytest.mark.parametrize("size", ["small_site", "large_site"])
def test_each_endpoint_makes_a_fixed_number_of_queries(db, size, request, client, settings):
    settings.PUBLIC_CACHE_SECONDS = 0
    site = request.getfixturevalue(size)
    counts = {}
    for name, url in api_urls(site).items():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, name
        counts[name] = len(queries)
    assert counts == EXPECTED, repr(counts)


def reads_of_every_endpoint(client, site, monkeypatch):
    found = {}
    for name, url in api_urls(site).items():
        with counting_reads(monkeypatch) as reads:
            response = client.get(url)
        assert response.status_code == 200, name
        found[name] = reads
        monkeypatch.undo()
    return found


def test_what_each_endpoint_reads_is_bounded(db, tmp_path, client, settings, monkeypatch):
    settings.PUBLIC_CACHE_SECONDS = 0
    small = reads_of_every_endpoint(client, build_site(tmp_path / "small", organisations=16, indicators=4, years=2),
                                    monkeypatch)
    clear_site()
    large = reads_of_every_endpoint(client, build_site(tmp_path / "large", organisations=200, indicators=4, years=2),
                                    monkeypatch)
    for name in small:
        # A page of rows, never the organisations' whole table: the same reads
        # at 16 and 200 organisations, give or take a page (the small site's
        # pages and searches are not all full) and the longer names and codes.
        # Ratings read a page twice: its ids, then its rows.
        page_reads = 2 * PAGE if name.startswith("ratings") else PAGE
        assert large[name].rows <= small[name].rows + page_reads, (name, small[name], large[name])
        assert large[name].bytes <= small[name].bytes * 1.3 + 2000, (name, small[name], large[name])



def test_a_page_of_ratings_is_sorted_and_paged_by_its_keys_alone_and_then_reads_only_its_rows(
        db, small_site, client, settings):
    # A rating's row is about 7 kB: sorting whole rows read every row of every run (public/api/reads.rating_keys).
    settings.PUBLIC_CACHE_SECONDS = 0
    for name in ("ratings", "ratings filtered and sorted", "ratings by name"):
        with CaptureQueriesContext(connection) as queries:
            answer = client.get(api_urls(small_site)[name])
        ratings = [query["sql"] for query in queries if query["sql"].startswith('SELECT "ratings_rating".')]
        ordered = [sql for sql in ratings if "ORDER BY" in sql]
        assert len(ordered) == 1 and ordered[0].startswith('SELECT "ratings_rating"."id" AS "pk" FROM'), name
        assert " LIMIT " in ordered[0], name
        rows = [sql for sql in ratings if '"ratings_rating"."band"' in sql]
        assert len(rows) == 1 and "ORDER BY" not in rows[0] and '"ratings_rating"."id" IN (' in rows[0], name
        assert len(answer.json()["results"]) == min(PAGE, answer.json()["count"]) > 0, name
