"""Paths a newcomer tries: every yearless URL goes to the latest published
year (or says why there is none), codes in any letter case find their page,
the regions index, and withdrawals said on the pages of the latest year, the
home page and the latest report card, never hidden behind an earlier year."""

import pytest
from django.http import Http404
from django.urls import reverse

from indicators.models import Region
from public import queries
from ratings import actions, bands
from ratings.models import RatingRun
from tests.public.test_revisions import long_date, text

YEARLESS = {
    "/ratings/": "/ratings/2000-01/",
    "/regions/": "/regions/2000-01/",
    "/fairness/": "/fairness/2000-01/",
    "/methodology/": "/methodology/2000-01/",
}


def test_every_yearless_url_redirects_to_the_latest_published_year(small_site, client):
    urls = {**YEARLESS, f"/regions/{small_site.region_code}/": f"/regions/{small_site.region_code}/2000-01/",
            f"/indicators/{small_site.indicator_code}/?type={small_site.type_code}":
                f"/indicators/{small_site.indicator_code}/2000-01/?type={small_site.type_code}"}
    for url, target in urls.items():
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (302, target), url
        assert client.get(target).status_code == 200, target
    # The latest year moves with publication: a year withdrawn entirely is no longer the target.
    for run in RatingRun.objects.published().filter(year=2000):
        actions.withdraw_run(run=run, reason="Wrong.")
    assert client.get("/fairness/")["Location"] == "/fairness/1999-00/"


def test_yearless_urls_of_unknown_codes_are_not_found(small_site, client):
    assert client.get("/regions/XX9/").status_code == 404
    assert client.get("/indicators/NOPE/").status_code == 404


def test_with_nothing_published_a_yearless_url_says_so_and_names_any_withdrawal(small_site, client):
    for run in RatingRun.objects.published().filter(year=1999):
        actions.withdraw_run(run=run, reason="Returns were late.")
    for run in RatingRun.objects.published().filter(year=2000):
        actions.withdraw_run(run=run, reason="Returns were wrong.")
    for url in [*YEARLESS, f"/regions/{small_site.region_code}/"]:
        html = text(client, url, status=404)
        assert "No ratings have been published yet" in html, url
        assert "Returns were wrong." in html and "Returns were late." in html, url
        assert "2000-01 ratings of" in html and "1999-00 ratings of" in html
    home = text(client, "/")
    assert "No ratings have been published yet." in home and "Returns were wrong." in home


def test_organisation_codes_are_not_case_sensitive(small_site, client):
    code = small_site.organisation.code
    assert code != code.lower()
    for asked, canonical in [(f"/organisations/{code.lower()}/", f"/organisations/{code}/"),
                             (f"/organisations/{code.lower()}/2000-01/", f"/organisations/{code}/2000-01/"),
                             (f"/regions/{small_site.region_code.lower()}/2000-01/",
                              f"/regions/{small_site.region_code}/2000-01/"),
                             (f"/indicators/{small_site.indicator_code.lower()}/2000-01/?type={small_site.type_code}",
                              f"/indicators/{small_site.indicator_code}/2000-01/?type={small_site.type_code}")]:
        response = client.get(asked)
        assert (response.status_code, response["Location"]) == (301, canonical), asked
    assert client.get(f"/organisations/{code}/2000-01/").status_code == 200


@pytest.mark.django_db
def test_by_code_matches_ascii_case_only_and_prefers_the_exact_code():
    regions = Region.objects.all()
    held = Region.objects.create(code="QI", name="Quiet Isles", area="north")
    assert queries.by_code(regions, "qi") == held
    # Unicode case rules would let a dotless i find the I: never.
    with pytest.raises(Http404):
        queries.by_code(regions, "Qı")
    lower = Region.objects.create(code="qi", name="Lower Quiet Isles", area="north")
    assert queries.by_code(regions, "qi") == lower and queries.by_code(regions, "QI") == held
    with pytest.raises(Http404):  # neither exactly, and two in other cases: no guess
        queries.by_code(regions, "Qi")


def test_the_regions_index_lists_every_region_with_its_band_counts(small_site, client):
    html = text(client, "/regions/2000-01/")
    counts = queries.band_counts(2000, by=("organisation__region__code",))
    for region in Region.objects.all():
        url = reverse("public:region", args=[region.code, "2000-01"])
        assert f'<a href="{url}">{region.name}</a>' in html
        row = html[html.index(url):].split("</tr>")[0]
        cells = [int(cell.split(">")[-1]) for cell in row.split("</td>")[:-1]]
        assert cells == [counts.get((region.code, band), 0) for band in bands.RATED_CODES] + [
            counts.get((region.code, bands.NOT_RATED), 0)], region.code
    # Linked from the header of every page and from the home page.
    assert '<a class="nhsuk-header__navigation-link" href="/regions/">Regions</a>' in text(client, "/search/")
    assert 'href="/regions/2000-01/"' in text(client, "/")
    assert client.get("/regions/1990-91/").status_code == 404


def test_a_withdrawal_is_said_on_the_home_page_the_latest_card_and_the_latest_years_pages(small_site, client):
    organisation = small_site.organisation
    run = RatingRun.objects.published().get(year=2000, organisation_type__code=small_site.type_code)
    actions.withdraw_run(run=run, reason="A return from one region was wrong.")
    run.refresh_from_db()
    plural = (organisation.type.plural_name or f"{organisation.type.name}s").lower()
    notice = (f"The 2000-01 ratings of {plural} were withdrawn on {long_date(run.withdrawn_at)}: "
              f"A return from one region was wrong.")
    for url in ["/", f"/organisations/{organisation.code}/", "/ratings/2000-01/", "/regions/2000-01/",
                f"/regions/{small_site.region_code}/2000-01/", "/fairness/2000-01/", "/methodology/2000-01/"]:
        assert notice in text(client, url, status=410 if url.startswith("/organisations/") else 200), url
    # An earlier year's pages are about that year: the notice is not theirs.
    assert notice not in text(client, "/fairness/1999-00/")
    # Every type of 2000-01 withdrawn: the yearless URLs go to 1999-00, whose pages (and the home page) say so.
    for other in RatingRun.objects.published().filter(year=2000):
        actions.withdraw_run(run=other, reason="Everything was wrong.")
    home = text(client, "/")
    assert "Ratings for 1999-00" in home and notice in home and "Everything was wrong." in home
    for url in YEARLESS:
        assert notice in text(client, client.get(url)["Location"]), url
    latest_card = text(client, f"/organisations/{organisation.code}/", status=410)
    assert notice in latest_card and '<a href="/organisations/%s/1999-00/">1999-00</a>' % organisation.code in latest_card
