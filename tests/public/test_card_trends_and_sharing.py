"""Each indicator's trend on the report card, from each year's stored figures
(frozen: a later change to a figure changes nothing published); and every
public page's description and Open Graph tags, for a shared link's preview."""

import re
from html import unescape

from django.core.cache import cache

from indicators.models import Result
from public.formatting import format_number
from ratings.frozen_definitions import performance_definitions
from ratings.models import Rating
from tests.public.conftest import public_urls

META = r'<meta (?:name|property)="([^"]+)" content="([^"]*)"'
DOWNLOADS = ("browse csv", "ratings csv", "ratings json", "results csv", "results json", "robots")


def trends_of(html: str) -> dict[str, list[str]]:
    """{indicator name: [figure of each year]} from the card's trends table."""
    section = html[html.index('id="indicator-trends"'):html.index('id="history"')]
    rows = {}
    for row in re.findall(r'<tr class="nhsuk-table__row" role="row">(.*?)</tr>', section, re.S):
        name = re.search(r'role="rowheader">.*?</span><span>(.*?)</span>', row, re.S)
        if name:
            rows[unescape(name.group(1))] = [unescape(v) for v in re.findall(
                r'role="cell"><span[^>]*>[^<]*</span><span>(\S+) <span', row)]
    return rows


def test_each_indicator_over_the_years_is_each_years_stored_figure(large_site, client):
    organisation = large_site.organisation
    ratings = list(Rating.objects.filter(organisation=organisation, run__status="published").select_related("run")
                   .order_by("run__year"))
    latest = ratings[-1]
    html = client.get(f"/organisations/{organisation.code}/2000-01/").content.decode()
    shown = trends_of(html)
    definitions = performance_definitions(latest.run)
    assert len(shown) == len(definitions) and len(ratings) == 4
    names = {d.code: name for d, name in zip(definitions, shown)}
    for definition in definitions:
        expected = [format_number((r.indicator_scores.get(definition.code) or [None])[0]) for r in ratings]
        assert shown[names[definition.code]] == expected, definition.code
    for rating in ratings:  # each year's peers' median, from its own run
        for code, median in (rating.run.peer_medians or {}).items():
            if code in names:
                assert f"(median {format_number(median)})" in html
    # One chart an indicator among the trends, and the band's own trend after them.
    trends, history = html.split('id="indicator-trends"')[1].split('id="history"')
    assert trends.count('class="app-chart"') == len(definitions) and 'class="app-chart"' in history

    # Frozen: a figure changed after publication changes neither the trend nor its chart.
    Result.objects.filter(organisation=organisation).update(value=12345.0)
    cache.clear()
    assert client.get(f"/organisations/{organisation.code}/2000-01/").content.decode() == html


def test_every_public_page_has_a_description_and_open_graph_tags(small_site, client):
    for name, url in public_urls(small_site).items():
        if name in DOWNLOADS:
            continue
        html = client.get(url).content.decode()
        title = unescape(re.search(r"<title>(.*?) – NHS performance ratings</title>", html, re.S).group(1))
        tags = {key: unescape(value) for key, value in re.findall(META, html)}
        assert len(tags.get("description", "")) > 40, name
        assert tags["og:description"] == tags["description"], name
        assert tags["og:url"] == "http://testserver" + url, name
        assert tags["og:type"] == "website" and tags["og:site_name"] == "NHS performance ratings", name
        if name == "home":  # "Home" says nothing in a preview
            assert tags["og:title"] == "NHS performance ratings"
        elif name not in ("report card", "latest report card"):
            assert tags["og:title"] == title, name


def test_a_shared_report_card_says_its_band_in_words(small_site, client):
    organisation = small_site.organisation
    rating = Rating.objects.get(organisation=organisation, run__year=2000, run__status="published")
    html = client.get(f"/organisations/{organisation.code}/2000-01/").content.decode()
    tags = dict(re.findall(META, html))
    word = rating.band.replace("_", " ")
    assert unescape(tags["og:title"]) == f"{organisation.name}: {word}, 2000-01"
    assert f"was rated {word} for 2000-01." in unescape(tags["description"])


def test_a_printed_page_carries_its_full_address_and_the_date(small_site, client):
    url = public_urls(small_site)["report card"]
    html = client.get(url).content.decode()
    printed = (rf'<p class="app-print-only">Printed from http://testserver{re.escape(url)} '
               rf'on \d{{1,2}} \w+ \d{{4}}\.</p>')
    assert re.search(printed, html)
    assert '<link rel="stylesheet" href="/static/print.css" media="print">' in html
