"""Public-site worlds: demo data sets of two sizes, loaded and rated through
the same commands an operator uses, every year published."""

from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.core.management import call_command

from indicators.models import Organisation
from ratings import actions
from ratings.models import Rating
from tests.shared_data import shared_fixture

YEARS = {"small": 2, "large": 4}


@dataclass
class Site:
    year: int  # the latest published year
    years: list[int]
    organisation: Organisation  # a rated organisation of the latest year
    region_code: str
    indicator_code: str
    type_code: str
    peer: Organisation  # another rated organisation of the same type in the latest year


def build_site(folder, *, organisations: int, indicators: int, years: int, types: str = "HA,TRUST",
               draws: int = 0) -> Site:
    """draws: band certainty's simulated draws a run (none by default, to stay fast)."""
    call_command("generate_demo", "--output", str(folder), "--organisations", str(organisations),
                 "--types", types, "--indicators", str(indicators), "--years", str(years), stdout=None)
    call_command("load_demo", str(folder), stdout=None, stderr=None)
    published = list(range(2001 - years, 2001))
    for year in published:
        if draws:
            actions.update_scheme(year=year, values={"uncertainty_draws": draws})
        actions.recalculate(year=year, publish=True)
    rating = (Rating.objects.filter(run__year=2000, run__status="published", rank__isnull=False)
              .select_related("organisation__region", "organisation__type").order_by("rank").first())
    # The indicator shown: one with a funnel with organisations beyond its limits, where there is one.
    funnels = rating.run.funnels
    beyond = [code for code in rating.indicator_scores if code in funnels
              and sum(funnels[code]["counts"].values()) > funnels[code]["counts"]["within"]]
    indicator_code = (beyond or [code for code in rating.indicator_scores if code in funnels]
                      or list(rating.indicator_scores))[0]
    peer = (Rating.objects.filter(run=rating.run, rank__isnull=False).exclude(pk=rating.pk)
            .select_related("organisation").order_by("rank").first().organisation)
    return Site(year=2000, years=published, organisation=rating.organisation, peer=peer,
                region_code=rating.organisation.region.code,
                indicator_code=indicator_code, type_code=rating.organisation.type.code)


@pytest.fixture(autouse=True)
def empty_page_cache():
    cache.clear()
    yield
    cache.clear()


# Shared (tests/shared_data.py): built once for the consecutive tests that use them.
@shared_fixture
def small_site(folder):
    return build_site(folder, organisations=16, indicators=4, years=2, draws=20)


@shared_fixture
def large_site(folder):
    return build_site(folder, organisations=60, indicators=9, years=4)


def public_urls(site: Site) -> dict[str, str]:
    """One URL of every public page type, with data."""
    year = f"{site.year}-{(site.year + 1) % 100:02d}"
    code = site.organisation.code
    return {
        "home": "/",
        "search": f"/search/?q={site.organisation.name[:5]}",
        "browse": f"/ratings/{year}/",
        "browse filtered": f"/ratings/{year}/?type={site.type_code}&band=yellow&sort=-score",
        "browse csv": f"/ratings/{year}/ratings.csv",
        "report card": f"/organisations/{code}/{year}/",
        "latest report card": f"/organisations/{code}/",
        "compare": f"/compare/{year}/?organisation={code}&organisation={site.peer.code.lower()}",
        "indicator list": "/indicators/",
        "indicator": f"/indicators/{site.indicator_code}/{year}/?type={site.type_code}",
        "regions": f"/regions/{year}/",
        "region": f"/regions/{site.region_code}/{year}/",
        "changes": f"/changes/{year}/",
        "changes filtered": f"/changes/{year}/?type={site.type_code}&reason=own&page=2",
        "fairness": f"/fairness/{year}/",
        "methodology": f"/methodology/{year}/",
        "downloads": "/downloads/",
        "ratings csv": f"/downloads/{year}/ratings.csv",
        "ratings json": f"/downloads/{year}/ratings.json",
        "results csv": f"/downloads/{year}/results.csv",
        "results json": f"/downloads/{year}/results.json",
        "robots": "/robots.txt",
        "api docs": "/api/",
        "releases": "/releases/",
    }
