"""Every public page type in a real browser: no serious or critical axe-core
violation (WCAG 2.1 A and AA, and best practice), and usable by keyboard."""

from pathlib import Path

import pytest

from tests.browser.conftest import axe_violations, browser_missing_reason, chromium, describe
from tests.public.conftest import build_site, public_urls

PAGES = ["home", "search", "browse", "browse filtered", "report card", "compare", "indicator list", "indicator",
         "region", "changes", "changes filtered", "fairness", "methodology", "downloads", "api docs", "releases"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def site(tmp_path):
    # Large enough to hold a red organisation (the demo is about a quarter red); with band certainty.
    return build_site(tmp_path, organisations=60, indicators=9, years=4, draws=30)


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_every_page_type_has_no_serious_accessibility_violation(site, live_server, page, width):
    page.set_viewport_size({"width": width, "height": 900})
    urls = {name: url for name, url in public_urls(site).items() if name in PAGES}
    urls["not found"] = "/organisations/NOPE/2000-01/"
    urls["red report card"] = _report_card_of_band(site, "red")
    urls["browse uncertain, by certainty"] = urls["browse"] + "?uncertain=on&sort=certainty"
    urls["report card of a changed band"] = _report_card_of_changed_band(site)
    _announce_a_correction(site)  # the release calendar's table of announcements, with a row
    failures = []
    for name, url in urls.items():
        response = page.goto(live_server.url + url)
        assert response.status == (404 if name == "not found" else 200), name
        assert page.title().endswith("NHS performance ratings"), name
        assert page.locator("h1").count() == 1, name
        if "report card" in name:  # with its band certainty: its chart and tables checked too
            assert page.locator("#certainty").count() == 1 and page.locator("svg#rank-interval, #rank-interval-title").count(), name
        # Nothing wider than the screen but inside its own scrolling box (wide tables scroll, the page does not).
        assert page.evaluate("document.documentElement.scrollWidth") <= width, (name, width)
        violations = axe_violations(page)
        if violations:
            failures.append(f"{name} ({url}):\n{describe(violations)}")
    assert not failures, "\n\n".join(failures)


def _announce_a_correction(site):
    from datetime import timedelta

    from django.utils import timezone

    from ratings import actions

    [correction] = actions.recalculate(year=site.year, type_codes=[site.type_code])
    actions.publish_run(run=correction, at=timezone.now() + timedelta(days=1), note="Late returns.")


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_the_funnel_plot_text_is_legible_on_a_phone_and_the_chart_not_stretched_on_a_wide_screen(
        site, live_server, page, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + public_urls(site)["indicator"])
    sizes = page.evaluate("""() => {
        const chart = document.querySelector('svg.app-chart-compact');
        const scale = chart.getScreenCTM().a;
        return {width: chart.getBoundingClientRect().width,
                fonts: [...chart.querySelectorAll('text')].map(t => scale * parseFloat(t.getAttribute('font-size')))};
    }""")
    assert sizes["fonts"] and min(sizes["fonts"]) >= 12, sizes  # px, as rendered
    assert sizes["width"] <= (width - 32 if width < 600 else 36 * 16), sizes


def test_keyboard_skip_link_then_every_link_in_main_in_order(site, live_server, page):
    page.goto(live_server.url + public_urls(site)["methodology"])
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.className")
    assert "nhsuk-skip-link" in focused
    assert _has_visible_focus(page)
    page.keyboard.press("Enter")
    # Without JavaScript the link moves to #maincontent; once the NHS.UK script has
    # started it moves focus there itself. Either way the main content is next.
    page.wait_for_function("() => location.hash === '#maincontent' || "
                           "document.activeElement.id === 'maincontent'", timeout=5000)
    links_in_main = page.evaluate("() => [...document.querySelectorAll('main a[href]')].map(a => a.href)")
    reached = []
    for _ in range(60):
        page.keyboard.press("Tab")
        element = page.evaluate("() => ({inMain: !!document.activeElement.closest('main'), "
                                "href: document.activeElement.href || null})")
        if element["inMain"] and element["href"]:
            assert _has_visible_focus(page), element["href"]
            reached.append(element["href"])
        if len(reached) == len(links_in_main):
            break
    assert reached == links_in_main


def test_browse_filters_work_by_keyboard_without_javascript(site, live_server, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + public_urls(site)["browse"])
    page.focus("#id_band")
    page.select_option("#id_band", "green")
    page.keyboard.press("Tab")  # past "Show uncertain ratings only"
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the Filter button
    page.wait_for_url("**band=green**")
    bands = page.locator("tbody .app-band-tag").all_inner_texts()
    assert bands and {text.strip() for text in bands} == {"Green"}
    context.close()


def test_the_skip_decision(tmp_path):
    missing = Path(tmp_path / "no-chromium")
    arial = 'LiberationSans-Regular.ttf: "Liberation Sans" "Regular"'
    assert browser_missing_reason(missing, require="", font=arial).endswith(
        "(scripts/ensure_chromium.sh installs it)")
    with pytest.raises(RuntimeError, match="REQUIRE_BROWSER=True"):
        browser_missing_reason(missing, require="True", font=arial)
    assert browser_missing_reason(Path(__file__), require="True", font=arial) is None
    # Chromium without Arial's metrics draws DejaVu Sans: the tests would measure the wrong widths.
    dejavu = 'DejaVuSans.ttf: "DejaVu Sans" "Book"'
    assert "installs fonts-liberation" in browser_missing_reason(Path(__file__), require="", font=dejavu)
    with pytest.raises(RuntimeError, match="no font of Arial's metrics"):
        browser_missing_reason(Path(__file__), require="True", font=dejavu)


@pytest.mark.django_db  # the closest mark wins: the test's own connection is inside its atomic block
def test_connections_opened_while_the_browser_runs_are_closed_with_it():
    from django.db import connections
    if reason := browser_missing_reason():
        pytest.skip(reason)
    own = connections["default"]
    with chromium():
        inside = connections["default"]
        inside.ensure_connection()
        assert inside.connection is not None
    # Left open, on PostgreSQL it keeps the test database from being dropped.
    assert inside is own or inside.connection is None
    assert own.in_atomic_block and own.connection is not None


def _report_card_of_band(site, band):
    from ratings.models import Rating
    rating = Rating.objects.filter(run__status="published", run__year=site.year, band=band).select_related(
        "organisation").first()
    return f"/organisations/{rating.organisation.code}/2000-01/"


def _report_card_of_changed_band(site):
    """A card with "Why did the band change?" and its chart of the parts."""
    from ratings.models import Rating
    rating = Rating.objects.filter(run__status="published", run__year=site.year, decomposition__own__isnull=False,
                                   ).exclude(change_reason="").select_related("organisation").first()
    return f"/organisations/{rating.organisation.code}/2000-01/"


def _has_visible_focus(page) -> bool:
    return page.evaluate("""() => {
        const style = getComputedStyle(document.activeElement);
        return style.outlineStyle !== "none" || style.boxShadow !== "none" ||
               style.backgroundColor === "rgb(255, 235, 59)";
    }""")


def test_the_harness_catches_a_serious_violation(page):
    # A control with no name and an image with no text alternative: axe must report both.
    page.set_content('<!doctype html><html lang="en"><head><title>t</title></head><body><main>'
                     '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><button></button></main></body></html>')
    assert {"image-alt", "button-name"} <= {v["id"] for v in axe_violations(page)}


def test_the_returns_pages_have_no_serious_accessibility_violation(site, live_server, page):
    from django.contrib.auth.models import User
    from indicators.models import Region, RegionMembership
    user = User.objects.create_user("analyst", password="a-long-password-1")
    RegionMembership.objects.create(user=user, region=Region.objects.get(code=site.region_code))
    page.goto(live_server.url + "/returns/")
    assert "/accounts/login/" in page.url
    failures = []
    if violations := axe_violations(page):
        failures.append(f"sign in:\n{describe(violations)}")
    page.fill("#id_username", "analyst")
    page.fill("#id_password", "a-long-password-1")
    page.click("main button[type=submit]")
    page.wait_for_url("**/returns/")
    if violations := axe_violations(page):
        failures.append(f"returns:\n{describe(violations)}")
    page.set_input_files("#id_file", files=[{"name": "return.csv", "mimeType": "text/csv",
                                             "buffer": b"organisation_code,indicator_code,year,value\nNOPE,X,2000-01,1\n"}])
    page.click("text=Check the file")
    page.wait_for_url("**/returns/*/")
    assert page.locator("h2", has_text="to fix").count() == 1
    if violations := axe_violations(page):
        failures.append(f"problems:\n{describe(violations)}")
    assert not failures, "\n\n".join(failures)
