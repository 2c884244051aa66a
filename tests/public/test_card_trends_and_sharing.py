"""Each indicator's trend on the report card, from each year's stored figures
(frozen: a later change to a figure changes nothing published); and every
public page's description and Open Graph tags, for a shared link's preview."""

import re
from datetime import datetime
from html import unescape
from unittest import mock
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.utils import timezone

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
        # The page's own address without its query string (filters, tracking), and the same as its canonical link.
        assert tags["og:url"] == "http://testserver" + url.split("?")[0], name
        assert f'<link rel="canonical" href="{tags["og:url"]}">' in html, name
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


def test_a_printed_page_carries_its_full_address_and_when_it_was_generated(small_site, client):
    url = public_urls(small_site)["report card"]
    before = timezone.now().replace(second=0, microsecond=0)
    html = client.get(url).content.decode()
    after = timezone.now()
    # The day it is printed comes from the reader's clock (static/print-date.js fills #printed-on; the
    # browser test reads it); the server says when the page, perhaps cached, was generated, in UK time.
    printed = re.search(rf'<p class="app-print-only" id="printed-from">Printed from http://testserver{re.escape(url)}'
                        r'<span id="printed-on" hidden></span> \(the page as generated on (.+?)\)\.</p>', html)
    assert printed
    moment, zone = printed.group(1).rsplit(" ", 1)
    generated = datetime.strptime(moment, "%d %B %Y, %H:%M").replace(tzinfo=ZoneInfo("Europe/London"))
    assert before <= generated <= after and zone == generated.tzname()
    assert '<script src="/static/print-date.js" defer></script>' in html
    assert '<link rel="stylesheet" href="/static/print.css" media="print">' in html


def test_a_cached_page_carries_the_address_it_was_asked_at_never_another_requests(small_site, client, settings):
    """The page cache keys a page by its full address, host and query string included: a page filled in
    the cache by one request never gives its address (printed, og:url, canonical) to another."""
    settings.ALLOWED_HOSTS = ["testserver", "ratings.example.org"]
    url = public_urls(small_site)["report card"]

    def addresses(response):
        html = response.content.decode()
        return (re.search(r'Printed from (\S+?)<span', html).group(1),
                dict(re.findall(META, html))["og:url"], re.search(r'<link rel="canonical" href="([^"]+)"', html).group(1))

    first = addresses(client.get(url + "?utm_source=newsletter"))
    assert first == (f"http://testserver{url}?utm_source=newsletter", f"http://testserver{url}", f"http://testserver{url}")
    # Then, the first request's page in the cache: another host, and another query string.
    assert addresses(client.get(url, HTTP_HOST="ratings.example.org")) == (f"http://ratings.example.org{url}",) * 3
    assert addresses(client.get(url)) == (f"http://testserver{url}",) * 3
    assert addresses(client.get(url + "?utm_source=newsletter", secure=True))[0] == \
        f"https://testserver{url}?utm_source=newsletter"
    # The same address again comes from the cache (nothing stored anew).
    with mock.patch("public.cache.cache.set") as stored:
        client.get(url)
    assert not stored.called
