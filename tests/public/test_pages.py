"""The public pages, served from a demo data set loaded and published through
the operator's commands."""

import csv
import io
import json
import re
from html.parser import HTMLParser

from django.core.management import call_command

from indicators.models import OrganisationType
from ratings.models import Rating, RatingRun
from tests.public.conftest import public_urls
from tests.public.test_card_trends_and_sharing import DOWNLOADS


def text(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


def test_every_public_page_answers(small_site, client):
    for name, url in public_urls(small_site).items():
        assert client.get(url).status_code == 200, name


def test_home_counts_each_band_of_each_type_for_the_latest_year(small_site, client):
    html = text(client, "/")
    assert "Ratings for 2000-01" in html and "Synthetic data" in html
    runs = RatingRun.objects.published().filter(year=2000)
    for run in runs:
        card = html[html.index(f'href="/ratings/2000-01/?type={run.organisation_type.code}"'):]
        card = card[:card.index("</ul>")]
        for band, word in (("green", "Green"), ("yellow", "Yellow"), ("red", "Red")):
            assert f"{word}</strong> {run.ratings.filter(band=band).count()}</li>" in card, (run, band)
    assert "Ratings for 1999-00" in html  # an earlier year linked


def test_the_home_page_leads_a_new_user_to_every_kind_of_page(small_site, client):
    """Walking the site as a new user: the band changes and the compare page were reached only from the
    browse page; the home page links every kind of page (and the search form reaches the cards)."""
    html = text(client, "/")
    links = set(re.findall(r'href="([^"]+)"', html))
    for url in ("/ratings/2000-01/", "/regions/2000-01/", "/changes/2000-01/", "/compare/2000-01/",
                "/fairness/2000-01/", "/methodology/2000-01/", "/indicators/", "/downloads/", "/api/"):
        assert url in links, url
        assert client.get(url).status_code == 200, url
    assert 'action="/search/"' in html


class _Layout(HTMLParser):
    """Where <main> sits: the classes of the <div>s open around it."""

    def __init__(self):
        super().__init__()
        self.divs, self.around_main, self.closed_twice = [], None, 0

    def handle_starttag(self, tag, attrs):
        if tag == "div":
            self.divs.append(dict(attrs).get("class") or "")
        elif tag == "main":
            self.around_main = list(self.divs)

    def handle_endtag(self, tag):
        if tag == "div" and self.divs:
            self.divs.pop()
        elif tag == "div":
            self.closed_twice += 1


def test_every_public_page_has_a_plain_title_and_its_content_inside_the_pages_width(small_site, client):
    # The API page's title read "API for developers</div>", and a stray </div> after its breadcrumbs closed
    # the width container, so on a phone its text ran to the screen's edges.
    urls = {name: url for name, url in public_urls(small_site).items() if name not in DOWNLOADS}
    urls["not found"] = "/organisations/NOPE/2000-01/"
    for name, url in urls.items():
        html = client.get(url).content.decode()
        title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
        assert "<" not in title and "&lt;" not in title, (name, title)
        layout = _Layout()
        layout.feed(html)
        assert layout.around_main == ["nhsuk-width-container"], (name, layout.around_main)
        assert layout.divs == [] and not layout.closed_twice, (name, layout.divs)  # every <div> closed once


def test_a_report_cards_contents_come_before_its_sections_and_list_why_the_band_changed(small_site, client):
    # Walking the site: the contents came after the long "Why did the band change?" section, which they
    # did not list.
    rating = (Rating.objects.filter(run__year=2000, run__status="published", decomposition__own__isnull=False)
              .exclude(change_reason="").select_related("organisation").first())
    html = text(client, f"/organisations/{rating.organisation.code}/2000-01/")
    contents = html.index('<nav class="nhsuk-contents-list"')
    assert contents < html.index('<h2 id="band-change">') < html.index('<h2 id="meaning">')
    assert '<a class="nhsuk-contents-list__link" href="#band-change">' in html[contents:html.index("</nav>", contents)]


def test_report_card_explains_the_band(small_site, client):
    organisation = small_site.organisation
    rating = Rating.objects.get(organisation=organisation, run__year=2000, run__status="published")
    html = text(client, f"/organisations/{organisation.code}/2000-01/")
    assert f"<h1>{organisation.name}: report card 2000-01</h1>" in html
    assert "app-band-large" in html and "<svg" in html
    assert rating.get_band_display() + ":" in html  # the why sentence starts with the band word
    assert "Every indicator" in html and "Ratings over the years" in html and "About the figures" in html
    for code in rating.indicator_scores:
        assert f"/indicators/{code}/2000-01/?type={organisation.type.code}" in html
    assert "1999-00" in html and "Other years:" in html  # history
    assert "Other years: <a" in html and ", </p>" not in html
    assert f"Ranked {rating.rank}" in html


def test_latest_report_card_is_the_latest_published_year(small_site, client):
    html = text(client, f"/organisations/{small_site.organisation.code}/")
    assert "report card 2000-01" in html


def test_unknown_organisation_or_year_is_a_404_in_the_site_design(small_site, client):
    assert "Page not found" in text(client, "/organisations/NOPE/2000-01/", 404)
    assert "Page not found" in text(client, f"/organisations/{small_site.organisation.code}/1990-91/", 404)
    assert "Page not found" in text(client, "/ratings/1990-91/", 404)
    assert "Page not found" in text(client, "/ratings/2000-02/", 404)  # not a financial year
    assert "Page not found" in text(client, "/downloads/2000-01/secrets.csv", 404)


def test_browse_filters_sorts_and_paginates(small_site, client):
    html = text(client, f"/ratings/2000-01/?type={small_site.type_code}&band=green")
    ratings = Rating.objects.filter(run__year=2000, run__status="published", band="green",
                                    organisation__type__code=small_site.type_code)
    assert f"{ratings.count()} organisation" in html
    for rating in ratings:
        assert rating.organisation.name in html
    assert html.count("nhsuk-tag--green app-band-tag") == ratings.count()  # the band as a tag, word and shape
    other = Rating.objects.filter(run__year=2000, run__status="published").exclude(band="green").first()
    assert f">{other.organisation.name}</a>" not in html
    by_name = text(client, "/ratings/2000-01/?sort=organisation")
    first_type = min(Rating.objects.filter(run__year=2000, run__status="published")
                     .values_list("organisation__type__code", flat=True))
    names = sorted(Rating.objects.filter(run__year=2000, run__status="published", organisation__type__code=first_type)
                   .values_list("organisation__name", flat=True))
    assert by_name.index(names[0]) < by_name.index(names[1])
    assert 'aria-sort="ascending"' in by_name


def test_browse_shows_one_type_at_a_time_never_mixing_their_ranks(small_site, client):
    published = Rating.objects.filter(run__year=2000, run__status="published")
    types = sorted(set(published.values_list("organisation__type__code", flat=True)))
    assert len(types) == 2
    for url, shown in [("/ratings/2000-01/", types[0]), ("/ratings/2000-01/?type=", types[0]),
                       ("/ratings/2000-01/?band=green", types[0]), (f"/ratings/2000-01/?type={types[1]}", types[1]),
                       ("/ratings/2000-01/?type=NOPE", types[0])]:
        html = text(client, url)
        of_type = published.filter(organisation__type__code=shown)
        if "band=green" in url:
            of_type = of_type.filter(band="green")
        assert f"{of_type.count()} organisation" in html, url
        for code in published.exclude(organisation__type__code=shown).values_list("organisation__code", flat=True):
            assert f'/organisations/{code}/' not in html, (url, code)
        plural = OrganisationType.objects.get(code=shown).plural_name
        assert f"<h2>{plural.capitalize()}, ranked among themselves</h2>" in html
        # Every type of the year is a link away, the shown one marked.
        assert f'aria-current="page"><strong>{plural.capitalize()}</strong>' in html
        assert "All types" not in html
    # The links keep the other filters and go back to the first page.
    html = text(client, "/ratings/2000-01/?band=green&page=2")
    assert f'href="?band=green&amp;type={types[1]}"' in html
    # The CSV of the page is the same type.
    rows = list(csv.DictReader(io.StringIO(client.get("/ratings/2000-01/ratings.csv").getvalue().decode())))
    assert {row["organisation_type"] for row in rows} == {types[0]}


def test_browse_shows_sorts_and_filters_by_the_certainty_of_the_band(small_site, client):
    from public.presenters.certainty import in_100

    rated = Rating.objects.filter(run__year=2000, run__status="published").exclude(band="not_rated")
    assert not rated.filter(certainty__isnull=True).exists()
    rows = lambda html: [row for row in re.findall(r'<tr class="nhsuk-table__row"[^>]*>(.*?)</tr>', html, re.S)  # noqa: E731
                         if "<td" in row]
    for type_code in sorted(set(rated.values_list("organisation__type__code", flat=True))):  # one type a page
        published = rated.filter(organisation__type__code=type_code)
        # Sorted by certainty, least sure first; each row's figure is its stored certainty.
        by_certainty = rows(text(client, f"/ratings/2000-01/?type={type_code}&sort=certainty"))
        expected = sorted(published, key=lambda r: (r.certainty, r.organisation.name))
        assert len(by_certainty) >= len(expected) > 0
        for row, rating in zip(by_certainty, expected):
            assert rating.organisation.name in row and f"{in_100(rating.certainty)} (" in row
        # Uncertain ratings only: those below 80 in 100, and every one of them.
        uncertain = published.filter(certainty__lt=0.8)
        html = text(client, f"/ratings/2000-01/?type={type_code}&uncertain=on")
        assert f"{uncertain.count()} organisation" in html
        for rating in published:
            assert (f">{rating.organisation.name}</a>" in html) == (rating.certainty < 0.8), rating.organisation.code


def test_browse_page_two(db, tmp_path, client):
    from tests.public.conftest import build_site
    build_site(tmp_path, organisations=70, indicators=3, years=1, types="HA")  # one type: pages are of one type
    first, second = text(client, "/ratings/2000-01/"), text(client, "/ratings/2000-01/?page=2")
    assert 'aria-label="Page 2"' in first and 'rel="next"' in first and 'rel="prev"' in second


def test_browse_with_a_bad_filter_says_so(small_site, client):
    html = text(client, "/ratings/2000-01/?type=NOPE")
    assert "Some filters could not be used" in html


def test_browse_csv_downloads_the_same_view(small_site, client):
    response = client.get(f"/ratings/2000-01/ratings.csv?type={small_site.type_code}&band=yellow")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.getvalue().decode())))
    assert rows and {row["band"] for row in rows} == {"yellow"}
    assert {row["organisation_type"] for row in rows} == {small_site.type_code}
    assert len(rows) == Rating.objects.filter(run__year=2000, run__status="published", band="yellow",
                                              organisation__type__code=small_site.type_code).count()


def test_downloads_are_the_export_csv_and_json(small_site, client, tmp_path):
    call_command("export_ratings", "--year", "2000-01", "--output", str(tmp_path / "export.csv"), stdout=None)
    assert client.get("/downloads/2000-01/ratings.csv").getvalue().decode() == (tmp_path / "export.csv").read_text()
    document = json.loads(client.get("/downloads/2000-01/ratings.json").getvalue())
    assert document["year"] == "2000-01" and document["rows"][0].keys() == set(document["columns"])
    results = list(csv.DictReader(io.StringIO(client.get("/downloads/2000-01/results.csv").getvalue().decode())))
    assert results and set(results[0]) >= {"organisation_code", "indicator_code", "value"}
    assert {row["year"] for row in results} == {"2000-01"}
    assert "attachment" in client.get("/downloads/2000-01/results.json")["Content-Disposition"]


def test_downloads_neutralise_spreadsheet_formulas(small_site, client):
    organisation = small_site.organisation
    organisation.name = "=HYPERLINK(\"http://x\")"
    organisation.save()
    for url in ("/downloads/2000-01/ratings.csv", "/downloads/2000-01/results.csv", "/ratings/2000-01/ratings.csv"):
        body = client.get(url).getvalue().decode()
        assert "'=HYPERLINK" in body and ",=HYPERLINK" not in body, url


def test_indicator_page_plots_every_rated_organisation_with_a_table(small_site, client):
    html = text(client, f"/indicators/{small_site.indicator_code}/2000-01/?type={small_site.type_code}")
    run = RatingRun.objects.published().get(year=2000, organisation_type__code=small_site.type_code)
    reporting = [r for r in run.ratings.all() if small_site.indicator_code in r.indicator_scores]
    assert 'role="img"' in html and "Figures, best first" in html
    for rating in reporting:
        assert rating.organisation.name in html


def test_region_page_compares_the_region_with_england(small_site, client):
    html = text(client, f"/regions/{small_site.region_code}/2000-01/")
    assert "against England" in html and small_site.organisation.name in html


def test_fairness_page_puts_published_beside_unadjusted_by_area_and_region(small_site, client):
    html = text(client, "/fairness/2000-01/")
    for words in ("As published", "Without adjustment", "North", "Midlands", "South", "King's Fund",
                  "of green", "Pearson correlation"):
        assert words in html, words


def test_fairness_page_says_whether_the_north_south_split_could_be_chance(small_site, client):
    from html import unescape

    from ratings.area_split import area_split_test

    html = unescape(text(client, "/fairness/2000-01/"))
    assert "Could the split be chance?" in html
    for run in RatingRun.objects.published().filter(year=2000):
        for source, words, column in (("published", "As published", "band"),
                                      ("unadjusted", "Without the adjustment", "band_without_adjustment")):
            test = run.area_split[source]
            # The stored test is the test of the stored bands, by area, with the run's seed.
            counts = {area: [run.ratings.filter(**{column: band}, organisation__region__area=area).count()
                             for band in ("green", "yellow", "red")] for area in ("north", "south")}
            assert test == area_split_test(counts["north"], counts["south"], seed=run.parameters["uncertainty_seed"])
            plural = (run.organisation_type.plural_name or f"{run.organisation_type.name}s").lower()
            sentence = html[html.index(f"{words}: the {sum(counts['north'])} rated {plural} in the north"):]
            sentence = sentence[:sentence.index("</li>")]
            shuffles = round(test["p_value"] * 10000) - 1
            assert f"{shuffles:,} shuffles gave a split at least as lopsided" in sentence
            assert ("unlikely to be chance" in sentence) == (test["p_value"] < 0.05)


def test_methodology_page_is_generated_from_the_published_parameters(small_site, client):
    from ratings.actions import update_scheme, recalculate
    update_scheme(year=2000, values={"red_core_failures": 3, "green_share": 0.2})
    recalculate(year=2000, publish=True, note="Corrected figures.")
    html = text(client, "/methodology/2000-01/")
    assert "Failing 3 or more core national targets" in html and "The number of green places is 20% of the rated" in html


def test_search_finds_by_name_or_code(small_site, client):
    organisation = small_site.organisation
    assert organisation.name in text(client, f"/search/?q={organisation.code.lower()}")
    assert organisation.name in text(client, f"/search/?q={organisation.name[3:9]}")
    nothing = text(client, "/search/?q=zzzzzz")
    assert "No organisation’s name or code matches" in nothing
    # And somewhere to go from there: every rating, and the regions.
    assert 'href="/ratings/">every rating</a>' in nothing and 'href="/regions/">region</a>' in nothing


def test_robots_txt(client, db):
    response = client.get("/robots.txt")
    assert response["Content-Type"] == "text/plain" and b"Disallow: /admin/" in response.content


def test_public_pages_refuse_writes(small_site, client):
    assert client.post("/").status_code == 405
    assert client.post(f"/organisations/{small_site.organisation.code}/").status_code == 405


def test_pages_carry_a_content_security_policy(client, db):
    policy = client.get("/")["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy and "unsafe-inline" not in policy


def test_500_page_in_the_site_design(client, db, settings):
    from public.views import server_error
    from django.test import RequestFactory
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500 and b"Sorry, there is a problem with the service" in response.content


def test_what_the_band_means_comes_from_the_consequences_admins_edit(small_site, client):
    from django.contrib.auth.models import User
    from ratings.models import BandConsequence
    green = Rating.objects.filter(run__year=2000, run__status="published", band="green").select_related(
        "organisation").first()
    url = f"/organisations/{green.organisation.code}/2000-01/"
    html = text(client, url)
    assert "Keep land-sale receipts up to £5 million" in html and "Earmarked money as of right" in html
    admin = User.objects.create_superuser("admin", "admin@example.org", "pw")
    client.force_login(admin)
    freedom = BandConsequence.objects.get(title="Earmarked money as of right")
    response = client.post(f"/admin/ratings/bandconsequence/{freedom.pk}/change/", {
        "band": "green", "consecutive_years": 1, "title": "Earmarked resources without bidding",
        "description": "Edited.", "position": 3})
    assert response.status_code == 302
    client.logout()
    from django.core.cache import cache
    cache.clear()  # edits show when the cached page expires (PUBLIC_CACHE_SECONDS)
    html = text(client, url)
    assert "Earmarked resources without bidding" in html and "Earmarked money as of right" not in html


def test_red_report_card_shows_the_escalation_ladder_and_the_step_reached(large_site, client):
    # The small site (16 organisations) has no red in 2000-01 since the demo is a quarter red, not half.
    red = Rating.objects.filter(run__year=2000, run__status="published", band="red").select_related(
        "organisation").first()
    html = text(client, f"/organisations/{red.organisation.code}/2000-01/")
    assert "Close interest from the regional office (from 1 consecutive red year, applies now)" in html
    assert "Commission for Health Improvement and the National Patient Access Team" in html


def test_pages_of_a_run_stored_before_standings_were_kept_read_the_same(small_site, client, settings):
    """Runs stored before migration 0009 have no standings on their ratings
    and no medians on the run: their report cards place the organisation from
    the run's whole peer summary, and their indicator pages take the median
    from it, to the same words and figures."""
    settings.PUBLIC_CACHE_SECONDS = 0
    urls = public_urls(small_site)
    stored = {name: client.get(urls[name]).content.decode() for name in ("report card", "indicator")}
    assert re.search(r"\d+(st|nd|rd|th) of \d+", stored["report card"]) and "Best quarter" in stored["report card"]
    assert "Median" in stored["indicator"]
    Rating.objects.update(peer_standings=None)
    RatingRun.objects.update(peer_medians=None)
    for name, page in stored.items():
        assert _without_earlier_medians(client.get(urls[name]).content.decode()) == _without_earlier_medians(page), name
    # Each indicator's trend has no median for an earlier year whose run kept none (its whole peer summary is
    # read only for the year shown); the year shown keeps its medians.
    trends = client.get(urls["report card"]).content.decode().split('id="indicator-trends"')[1]
    assert "(median –)" in trends and re.search(r"\(median −?\d", trends)


def test_a_merged_organisations_card_lists_the_organisations_it_succeeded(small_site, client):
    from indicators.models import Organisation

    successor = small_site.organisation
    merged = list(Organisation.objects.filter(type=successor.type).exclude(pk=successor.pk).order_by("name")[:2])
    Organisation.objects.filter(pk__in=[o.pk for o in merged]).update(successor=successor, closed=1999)
    html = text(client, f"/organisations/{successor.code}/2000-01/")
    assert '<dt class="nhsuk-summary-list__key">Succeeded</dt>' in html
    for predecessor in merged:
        assert (f'<li><a href="/organisations/{predecessor.code}/">{predecessor.name}</a> '
                f"(closed at the end of 1999-00)</li>") in html
    # Each predecessor's card names it, as before: both ways round.
    assert f'<a href="/organisations/{successor.code}/">{successor.name}</a>' in text(
        client, f"/organisations/{merged[0].code}/1999-00/")
    # An organisation that succeeded none says nothing of it.
    assert "Succeeded</dt>" not in text(client, f"/organisations/{merged[0].code}/1999-00/")


def test_methodology_page_explains_funnel_limits_with_the_runs_figures(small_site, client, settings):
    from ratings.models import RatingRun
    settings.PUBLIC_CACHE_SECONDS = 0
    runs = list(RatingRun.objects.published().filter(year=2000))
    counted = {code for run in runs for code in run.funnels}
    widened = {code for run in runs for code, stored in run.funnels.items() if stored["tau2"] > 0}
    html = text(client, "/methodology/2000-01/")
    assert 'id="funnel-limits"' in html and "1.96 and 3.09 times the expected spread" in html
    assert f"For {len(counted)} of them this year" in html and f"{len(widened)} of the {len(counted)} indicators" in html
    assert "10th and 90th percentiles" in html
    # Runs stored before funnels were kept: nothing said about them.
    RatingRun.objects.filter(pk__in=[run.pk for run in runs]).update(funnels={})
    assert "funnel-limits" not in text(client, "/methodology/2000-01/")


def _without_earlier_medians(html: str) -> str:
    """A card without its indicators' trends (earlier years' medians, and their charts); another page as it is."""
    if 'id="indicator-trends"' not in html:
        return html
    start, end = html.index('id="indicator-trends"'), html.index('id="history"')
    return html[:start] + html[end:]
