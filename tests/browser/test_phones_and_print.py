"""Phones, the compare page and paper, in a real browser.

At 390 px the browse table's band, score and core-target columns and the
report card's indicator table (median, position, peer light) are read without
scrolling sideways (the NHS.UK responsive table: each row stacks, each figure
after its column's name), and chart text stays legible. The compare page works
by keyboard without JavaScript. No table on any page type is wider than a
phone. Every type's fullest report card prints on at most two A4 pages, without
the links' addresses, with its own address, the day it is printed (from the
reader's clock) and when the page was generated."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from ratings.models import Rating
from tests.browser.conftest import axe_violations, describe
from tests.public.conftest import build_site, public_urls

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}

# Each stacked cell of a responsive table: its column's name (shown on a phone) and where its content is.
CELLS = """(selector) => [...document.querySelectorAll(selector + ' tbody td, ' + selector + ' tbody th')].map(cell => {
    const heading = cell.querySelector('.nhsuk-table-responsive__heading');
    const content = cell.lastElementChild.getBoundingClientRect();
    return {column: heading ? heading.textContent.trim() : '', left: content.left, right: content.right,
            width: content.width, headingShown: heading ? heading.getBoundingClientRect().width > 0 : false};
})"""

# The smallest text of each chart as drawn: its font size times the chart's scale on screen.
CHART_TEXT = """() => [...document.querySelectorAll('svg.app-chart')].filter(svg => svg.getBoundingClientRect().width)
    .map(svg => Math.min(...[...svg.querySelectorAll('text')].map(text =>
        parseFloat(text.getAttribute('font-size')) * svg.getScreenCTM().a)))"""


@pytest.fixture
def site(tmp_path):
    return build_site(tmp_path, organisations=60, indicators=9, years=4)


# Everything on the page wider than the screen: the page itself, and each table shown (its own width, what it
# holds, and the box it sits in). A table in a sideways-scrolling box counts: on a phone it must fit.
TOO_WIDE = """() => {
    const screen = document.documentElement.clientWidth;
    const found = [];
    if (document.documentElement.scrollWidth > screen) found.push({what: 'page', width: document.documentElement.scrollWidth});
    if (document.body.scrollWidth > document.body.clientWidth) found.push({what: 'body', width: document.body.scrollWidth});
    // The page's margins: its content never runs to the screen's edges (the design system's 16 px).
    const main = document.querySelector('main').getBoundingClientRect();
    if (main.left < 16 || main.right > screen - 16) found.push({what: 'main', left: main.left, right: main.right});
    for (const table of document.querySelectorAll('table')) {
        if (!table.getClientRects().length) continue;  // not shown at this width
        const box = table.getBoundingClientRect();
        const holder = table.parentElement;
        const caption = table.caption ? table.caption.textContent.trim() : table.outerHTML.slice(0, 80);
        if (box.left < -0.5 || box.right > screen + 0.5 || table.scrollWidth > table.clientWidth
                || holder.scrollWidth > holder.clientWidth)
            found.push({what: caption, left: box.left, right: box.right, scrollWidth: table.scrollWidth,
                        holder: holder.scrollWidth + ' in ' + holder.clientWidth});
    }
    return found;
}"""


def every_page_type(site) -> dict[str, str]:
    """One URL of each public page type, with the most on it the site can show."""
    from tests.browser.test_accessibility import _report_card_of_band, _report_card_of_changed_band
    urls = {name: url for name, url in public_urls(site).items()
            if name not in ("browse csv", "latest report card", "ratings csv", "ratings json", "results csv",
                            "results json", "robots")}
    for code in Rating.objects.filter(run__year=site.year).values_list(
            "organisation__type__code", flat=True).distinct().order_by("organisation__type__code"):
        urls[f"browse {code}"] = f"/ratings/2000-01/?type={code}"
    urls["red report card"] = _report_card_of_band(site, "red")
    urls["report card with a band change and its certainty"] = _report_card_of_changed_band(site)
    urls["not found"] = "/organisations/NOPE/2000-01/"
    return urls


def test_no_table_on_any_page_type_is_wider_than_a_phone(tmp_path, live_server, page):
    site = build_site(tmp_path, organisations=60, indicators=9, years=4, types="HA,TRUST,PCG", draws=30)
    page.set_viewport_size(PHONE)
    failures = {}
    for name, url in every_page_type(site).items():
        response = page.goto(live_server.url + url)
        assert response.status == (404 if name == "not found" else 200), name
        if name.startswith("report card with"):
            assert page.locator("#certainty").count() == 1 and page.locator("#band-change").count() == 1, url
        if name == "indicator":
            assert page.locator("svg.app-chart-compact").count() >= 1, url  # its funnel plot
        if too_wide := page.evaluate(TOO_WIDE):
            failures[f"{name} ({url})"] = too_wide
    assert not failures, failures


def _within_the_screen(cells: list[dict], columns: set[str], width: int) -> list[dict]:
    """The cells of `columns`, having checked each is shown with its column's name and inside the screen."""
    chosen = [cell for cell in cells if cell["column"] in columns]
    assert {cell["column"] for cell in chosen} == columns, {cell["column"] for cell in cells}
    for cell in chosen:
        assert cell["headingShown"], cell
        assert cell["width"] > 0 and 0 <= cell["left"] and cell["right"] <= width, cell
    return chosen


def test_phones_read_every_key_column_without_scrolling_sideways(site, live_server, page):
    urls = public_urls(site)
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + urls["browse"])
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    cells = page.evaluate(CELLS, "main table")
    shown = _within_the_screen(cells, {"Band", "Final score", "Core targets failed", "Rank in its type", "Organisation"},
                               PHONE["width"])
    assert len(shown) == 5 * page.locator("main tbody tr").count()
    # The sorting links stay visible and usable on a phone.
    sort = page.locator("main thead a", has_text="Final score")
    assert sort.is_visible() and sort.bounding_box()["x"] + sort.bounding_box()["width"] <= PHONE["width"]

    red = Rating.objects.filter(run__year=site.year, run__status="published", band="red").select_related(
        "organisation").first()
    for url in (urls["report card"], f"/organisations/{red.organisation.code}/2000-01/"):
        page.goto(live_server.url + url)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], url
        cells = page.evaluate(CELLS, "#indicators + p + table")
        _within_the_screen(cells, {"Median", "Position", "Against peers", "Value"}, PHONE["width"])
        smallest = page.evaluate(CHART_TEXT)
        assert smallest and min(smallest) >= 10, (url, smallest)  # the score's trend and each indicator's
        assert not (violations := axe_violations(page)), describe(violations)

    page.goto(live_server.url + urls["compare"])
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    _within_the_screen(page.evaluate(CELLS, "#summary + ul + table"), {"Band", "Final score", "Rank"}, PHONE["width"])
    assert min(page.evaluate(CHART_TEXT)) >= 10

    for name in ("fairness", "region", "indicator"):  # their charts drawn again for a phone, the wide ones hidden
        page.goto(live_server.url + urls[name])
        smallest = page.evaluate(CHART_TEXT)
        assert smallest and min(smallest) >= 10, (name, smallest)

    for width in (PHONE["width"], 1280):  # the compare page's refusal, accessible too
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(live_server.url + REFUSED)
        assert not (violations := axe_violations(page)), describe(violations)

    page.set_viewport_size({"width": 1280, "height": 900})  # a wide screen shows a table's own headers instead
    page.goto(live_server.url + urls["report card"])
    assert not any(cell["headingShown"] for cell in page.evaluate(CELLS, "#indicators + p + table"))


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_compare_by_keyboard_without_javascript(site, live_server, browser, width):
    context = browser.new_context(java_script_enabled=False, bypass_csp=True,
                                  viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(live_server.url + public_urls(site)["report card"])
    link = page.get_by_role("link", name=re.compile("^Compare with other "))
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/compare/2000-01/?organisation={site.organisation.code}")
    assert page.input_value("#organisation-1") == site.organisation.code
    # By keyboard alone: Tab from the first field to the second, type, then on to the button.
    page.focus("#organisation-1")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "organisation-2"
    page.keyboard.type(site.peer.code)
    for _ in range(3):
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Compare"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"organisation={site.organisation.code}&organisation={site.peer.code}"))
    assert page.locator("#summary + ul + table tbody tr").count() == 2
    assert page.locator("svg.app-chart").count() == 1
    # Refused in words (axe checks this page in test_phones_read_every_key_column_without_scrolling_sideways).
    page.goto(live_server.url + REFUSED)
    assert page.locator(".nhsuk-error-summary").inner_text().count("Choose at most 4 organisations") == 1
    context.close()


REFUSED = "/compare/2000-01/?" + "&".join(f"organisation=X{i}" for i in range(5))


def _pages_of(pdf: bytes) -> int:
    """A PDF's page count: its page tree's /Count (Chromium writes it uncompressed), which is
    its number of page objects (an outline of the headings has a /Count of its own)."""
    [count] = re.findall(rb"/Type\s*/Pages\s*/Count\s+(\d+)", pdf)
    assert int(count) == len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))
    return int(count)


def most_complex_cards(year: int) -> dict[str, Rating]:
    """Each organisation type's fullest card of `year`: a band that changed (its parts explained) with its
    certainty, and of those the one failing the most core targets (the longest ladder of consequences)."""
    cards = {}
    for rating in (Rating.objects.filter(run__year=year, run__status="published", decomposition__own__isnull=False,
                                         certainty__isnull=False).exclude(change_reason="")
                   .select_related("organisation__type").order_by("-core_targets_failed", "organisation__code")):
        cards.setdefault(rating.organisation.type.code, rating)
    return cards


def test_every_types_fullest_report_card_prints_on_at_most_two_a4_pages_with_its_address_and_the_date(
        tmp_path, live_server, page):
    # The most indicators a type has in the demo (15 to 25), over four years, with band certainty.
    site = build_site(tmp_path, organisations=60, indicators=25, years=4, types="HA,TRUST,PCG", draws=30)
    cards = most_complex_cards(site.year)
    assert set(cards) == {"HA", "TRUST", "PCG"}
    today = datetime.now(ZoneInfo("Europe/London"))
    for type_code, rating in cards.items():
        url = live_server.url + f"/organisations/{rating.organisation.code}/2000-01/"
        page.goto(url)
        assert page.locator("#certainty").count() == 1 and page.locator("#band-change").count() == 1, url
        page.emulate_media(media="print")
        assert _pages_of(page.pdf(format="A4")) <= 2, (type_code, url)
        # No link's address after it ("(Link: #meaning)"), as the design system's print styles add.
        added = page.evaluate("() => [...document.querySelectorAll('main a')].map(a => "
                              "getComputedStyle(a, '::after').content).filter(c => c !== 'none' && c !== 'normal')")
        assert added == []
        printed = page.locator(".app-print-only")
        assert printed.is_visible()
        # The day it is printed, from the browser's clock in UK time (static/print-date.js), not the server's.
        assert re.fullmatch(rf"Printed from {re.escape(url)} on {today.day} {today:%B %Y} "
                            r"\(the page as generated on \d{1,2} \w+ \d{4}, \d\d:\d\d (GMT|BST)\)\.",
                            printed.inner_text()), printed.inner_text()
        assert not page.locator(".nhsuk-header__navigation").is_visible()
        assert not page.locator(".nhsuk-footer").is_visible()
        page.emulate_media(media="screen")
        assert not printed.is_visible()


def test_the_printed_day_is_the_day_of_printing_not_of_the_cached_page(site, live_server, browser):
    """A page stays in the cache (PUBLIC_CACHE_SECONDS): the day printed on it is read from the reader's
    clock when printing, so a page generated on one day and printed the next says the next."""
    url = live_server.url + public_urls(site)["report card"]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(url)
    # The reader's clock moves on to 1 April 2031 before printing (the page as it was, from the cache).
    page.evaluate("""() => { const Real = Date; window.Date = class extends Real {
        constructor(...a) { super(...(a.length ? a : [Real.UTC(2031, 2, 31, 23, 30)])); } };
        window.dispatchEvent(new Event('beforeprint')); }""")
    assert page.locator("#printed-on").inner_text() == " on 1 April 2031"  # 00:30 BST
    context.close()


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_the_header_menu_keeps_one_row_and_every_link_within_reach(site, live_server, page, width):
    """On a phone the four header links did not fit and "Downloads" wrapped onto a second row: the design
    system's "More" menu takes the links that do not fit, and every link is still a click away."""
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + "/")
    page.wait_for_load_state("networkidle")  # the design system's script has sorted the links
    shown = page.evaluate("() => [...document.querySelectorAll('.nhsuk-header__navigation-list > li')]"
                          ".filter(li => li.offsetParent !== null).map(li => li.getBoundingClientRect().top)")
    assert shown and len({round(top) for top in shown}) == 1, shown  # one row
    links = {"Browse ratings", "Regions", "Indicators", "Downloads"}
    visible = set(page.locator(".nhsuk-header__navigation-list > .nhsuk-header__navigation-item").filter(
        has=page.locator("a:visible")).all_inner_texts())
    if width == 390:
        toggle = page.locator(".nhsuk-header__menu-toggle")
        assert toggle.is_visible()
        toggle.click()
        visible |= set(page.locator(".nhsuk-header__menu-list a:visible").all_inner_texts())
    else:
        assert not page.locator(".nhsuk-header__menu-toggle").is_visible()
    assert {text.strip() for text in visible} == links
