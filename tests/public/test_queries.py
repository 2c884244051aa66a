"""Every public page makes a fixed number of queries, whatever the number of
organisations, indicators or years: pinned at two sizes of data set. And what
each reads from the database is bounded: pinned at 16 and 200 organisations
(same indicators and years), counting every row fetched and its size."""

import re
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from django.db import connection
from django.db.backends.utils import CursorWrapper
from django.test.utils import CaptureQueriesContext

from public import browse_table, downloads
from public.presenters import charting, funnel
from ratings import exports

from ratings import actions
from ratings.models import Rating, RatingRun
from tests.public.conftest import public_urls

# Uncached. Most pages: the synthetic-data check, the published years, and
# their own reads; the table pages add the year's types (the type filter's choices) and a count;
# the year's pages (and the home page) the withdrawals not yet replaced, of their
# year and, on the latest year's, of later ones; report cards their revisions
# predecessors and a count of those sharing its rank (the latest card first looks for a later
# withdrawal); the regions index a
# count per region and band; the
# region page its own band counts and a count for its pages; downloads fix
# which runs are public before streaming; the ratings files (and the browse
# page's CSV) read their runs' frozen definitions and the indicators' names
# once, to name the failed core targets; the results files read the
# indicators' names once, then 500 organisations at a time (two queries each,
# and one to find there are no more). The indicator page has the database count
# its figures, read one page of them and pick its chart's sample in one query;
# the fairness page counts bands as published and without adjustment in one,
# and has it sum and sample the scores against deprivation in one query per
# type (both sites have two). The compare page reads the organisations asked
# for, their ratings and their run's indicators. The release calendar reads
# the announced runs' years, types and times, and the publication history.
EXPECTED = {
    "home": 5, "search": 3, "browse": 7, "browse filtered": 7, "browse csv": 5, "report card": 11,
    "latest report card": 12, "compare": 5, "indicator list": 4, "indicator": 7, "regions": 5, "region": 9, "changes": 5, "changes filtered": 5, "fairness": 9,
    "methodology": 5, "downloads": 2, "ratings csv": 5, "ratings json": 5, "results csv": 6,
    "results json": 6, "robots": 0, "api docs": 2,
    "releases": 3,
}


@pytest.mark.parametrize("size", ["small_site", "large_site"])
def test_each_page_makes_a_fixed_number_of_queries(db, size, request, client, settings):
    settings.PUBLIC_CACHE_SECONDS = 0
    site = request.getfixturevalue(size)
    counts = {}
    for name, url in public_urls(site).items():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
            response.getvalue()  # a download's queries run as it streams
            assert response.status_code == 200, name
        counts[name] = len(queries)
        if name == "indicator":  # its funnel plot is in those queries
            assert 'id="funnel"' in response.content.decode()
    assert counts == EXPECTED, repr(counts)


# After a correction of one type's latest ratings and the withdrawal of the other's.
EXPECTED_AFTER_REVISIONS = {
    "corrected report card": (200, 11), "previous version": (200, 11), "current version": (302, 2),
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


@dataclass
class Reads:
    rows: int = 0
    bytes: int = 0  # of the rows' repr: JSON and text count in full
    largest_fetch: int = 0  # rows in the largest single fetch from a cursor
    beyond_funnel: bool = False  # whether an indicator page lists organisations beyond its funnel limits


@contextmanager
def counting_reads(monkeypatch):
    """Count every row any query hands to Python, by wrapping the cursor's fetches."""
    reads = Reads()

    def counted(method):
        def fetch(self, *args):
            result = getattr(self.cursor, method)(*args)
            rows = [] if result is None else [result] if method == "fetchone" else list(result)
            reads.rows += len(rows)
            reads.bytes += sum(len(repr(row)) for row in rows)
            reads.largest_fetch = max(reads.largest_fetch, len(rows))
            return result
        return fetch

    for method in ("fetchone", "fetchmany", "fetchall"):
        monkeypatch.setattr(CursorWrapper, method, counted(method), raising=False)
    yield reads


def reads_of_every_page(client, site, monkeypatch) -> dict[str, Reads]:
    found = {}
    for name, url in public_urls(site).items():
        with counting_reads(monkeypatch) as reads:
            response = client.get(url)
            response.getvalue()
        assert response.status_code == 200, name
        reads.beyond_funnel = name == "indicator" and bool(re.search(r'id="funnel".*caption class="nhsuk-table__caption">(Worse|Better) '
                                             r'than expected', response.content.decode(errors="replace"), re.S))
        found[name] = reads
        monkeypatch.undo()
        monkeypatch.setattr(browse_table, "PER_PAGE", PER_PAGE)
        monkeypatch.setattr(exports, "CHUNK_ROWS", CHUNK_ROWS)
        monkeypatch.setattr(downloads, "CHUNK_ORGANISATIONS", CHUNK_ROWS)
        monkeypatch.setattr(charting, "MAX_CHART_POINTS", MAX_CHART_POINTS)
        monkeypatch.setattr(funnel, "BEYOND_SHOWN", BEYOND_SHOWN)
    return found


PER_PAGE, CHUNK_ROWS, MAX_CHART_POINTS = 5, 7, 6  # small, so that both sizes fill pages and a download takes several fetches
BEYOND_SHOWN = 2  # the organisations beyond the funnel limits listed, a side
# Pages whose reads do not grow with the number of organisations: one page of a
# table, counts and sums made by the database. Between 16 and 200
# organisations they may differ by at most a page's rows (the small site's
# pages are not all full). A report card carries its standing among its peers,
# and its run's peer summary is never read. The indicator and fairness pages
# read a chart's sample of points: at most MAX_CHART_POINTS a chart (set
# below both sizes here, so that both draw a full sample).
CONSTANT = ["home", "search", "browse", "browse filtered", "report card", "latest report card", "compare",
            "indicator list", "indicator", "region", "methodology", "downloads", "robots", "api docs", "releases"]
# The region page also reads band counts per type and band, in the region and
# nationally (2 types, 4 bands, twice): the small site's region may hold only
# a few of those groups (no red organisation there, say) where the large one
# holds them all.
# The "what changed" page reads a count per main reason (5), which the small
# site may not have changed bands for.
BAND_GROUPS = {"region": 2 * 2 * 4, "changes": 5, "changes filtered": 5}
# The indicator page also lists at most BEYOND_SHOWN organisations a side beyond its funnel limits, and
# draws a second chart's sample (MAX_CHART_POINTS, by denominator): the small site may have fewer
# beyond them (or fewer points with counts) than the large one.
BAND_GROUPS["indicator"] = 2 * BEYOND_SHOWN
# The fairness page reads band counts per type, region, band and band without
# adjustment, which fill up as organisations are added but never pass that
# bound, and a chart's sample per type: 2 types, 8 regions, 4 bands.
BOUNDED = {"fairness": 2 * 8 * 4 * 4 + 2 * MAX_CHART_POINTS + 20}
DOWNLOADS = ["browse csv", "ratings csv", "ratings json", "results csv", "results json"]


def clear_site():
    """Remove a built site's data (not the regions and types), children first."""
    from indicators.models import Indicator, Organisation, Result, ResultRevision, ReturnImport
    from ratings.models import AuditEntry, RatingScheme, Recalculation

    for model in (AuditEntry, Recalculation, Rating, RatingRun, RatingScheme, ResultRevision, Result, ReturnImport):
        model.objects.all().delete()
    Organisation.objects.update(successor=None)
    Organisation.objects.all().delete()
    Indicator.objects.all().delete()


def test_what_each_page_reads_is_bounded(db, tmp_path, client, settings, monkeypatch):
    from tests.public.conftest import build_site

    settings.PUBLIC_CACHE_SECONDS = 0
    monkeypatch.setattr(browse_table, "PER_PAGE", PER_PAGE)
    monkeypatch.setattr(exports, "CHUNK_ROWS", CHUNK_ROWS)
    monkeypatch.setattr(downloads, "CHUNK_ORGANISATIONS", CHUNK_ROWS)
    monkeypatch.setattr(charting, "MAX_CHART_POINTS", MAX_CHART_POINTS)
    monkeypatch.setattr(funnel, "BEYOND_SHOWN", BEYOND_SHOWN)
    small = reads_of_every_page(client, build_site(tmp_path / "small", organisations=16, indicators=4, years=2),
                                monkeypatch)
    clear_site()
    large = reads_of_every_page(client, build_site(tmp_path / "large", organisations=200, indicators=4, years=2),
                                monkeypatch)
    assert large["indicator"].beyond_funnel  # the funnel's lists are among what is read
    for name in CONSTANT:
        assert large[name].rows <= small[name].rows + PER_PAGE + BAND_GROUPS.get(name, 0), (
            name, small[name], large[name])
        assert large[name].bytes <= small[name].bytes * 1.2 + 2000, (name, small[name], large[name])
    for name, rows in BOUNDED.items():
        assert small[name].rows <= rows and large[name].rows <= rows, (name, small[name], large[name])
        assert large[name].bytes <= small[name].bytes * 2, (name, small[name], large[name])
    for name in DOWNLOADS:
        # Streamed from fetches of at most CHUNK_ROWS plain rows: never the whole file, nor any JSON detail.
        assert large[name].largest_fetch <= CHUNK_ROWS and large[name].rows > 3 * CHUNK_ROWS, (name, large[name])
        # Plain values only (the decomposition's nine among them) and a rating's core failures (a short object
        # for each, at most one per core target): a rating's JSON detail is kilobytes.
        assert large[name].bytes / large[name].rows < 600, (name, large[name])
