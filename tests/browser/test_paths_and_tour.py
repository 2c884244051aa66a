"""The pages and paths of issue 18 in a real browser, and README's tour
(*A tour after `make run`*) followed step by step where a browser can: the
regions index and its yearless URL, the browse page's types, a withdrawal said
on the home page and the latest card, a merged organisation's card; no serious
or critical axe violation at 1280 and 390 px, reachable by keyboard, working
without JavaScript; and the regional office's steps of the tour. The admin's
giving a user a region is tests/browser/test_onboarding.py."""

import pytest
from django.core.management import call_command

from tests.browser.conftest import axe_violations, describe
from tests.public.conftest import build_site

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def site(tmp_path):
    return build_site(tmp_path, organisations=60, indicators=9, years=4)


def _withdraw_latest_of_one_type(site):
    from ratings import actions
    from ratings.models import RatingRun
    run = RatingRun.objects.published().get(year=site.year, organisation_type__code=site.type_code)
    actions.withdraw_run(run=run, reason="A region's returns were wrong.")


def _merge_two_into(site):
    from indicators.models import Organisation
    merged = Organisation.objects.filter(type=site.organisation.type).exclude(pk=site.organisation.pk)[:2]
    Organisation.objects.filter(pk__in=[o.pk for o in merged]).update(successor=site.organisation, closed=1999)


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_the_new_pages_have_no_serious_accessibility_violation(site, live_server, page, width):
    _merge_two_into(site)
    page.set_viewport_size({"width": width, "height": 900})
    code = site.organisation.code
    pages = {"regions (yearless)": ("/regions/", 200), "regions": ("/regions/2000-01/", 200),
             "browse, second type": ("/ratings/2000-01/?type=TRUST", 200),
             "merged organisation's card": (f"/organisations/{code.lower()}/2000-01/", 200)}
    failures = []

    def check(name, url, status):
        response = page.goto(live_server.url + url)
        assert response.status == status, name
        assert page.locator("h1").count() == 1, name
        assert page.evaluate("document.documentElement.scrollWidth") <= width, (name, width)
        if violations := axe_violations(page):
            failures.append(f"{name} ({url}):\n{describe(violations)}")

    for name, (url, status) in pages.items():
        check(name, url, status)
    assert page.url.endswith(f"/organisations/{code}/2000-01/")  # the code as held
    assert page.get_by_text("Succeeded", exact=True).count() == 1
    _withdraw_latest_of_one_type(site)
    check("home with a withdrawal", "/", 200)
    assert page.get_by_text("A region's returns were wrong.").count() == 1
    check("latest card, withdrawn", f"/organisations/{code}/", 410)
    check("fairness (yearless), with a withdrawal", "/fairness/", 200)
    assert not failures, "\n\n".join(failures)


def test_the_regions_index_by_keyboard_without_javascript(site, live_server, browser):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 900})
    page = context.new_page()
    page.goto(live_server.url + "/")
    # The header's Regions link, by Tab from the top of the page.
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.textContent.trim()") == "Regions":
            break
    else:
        pytest.fail("Tab never reached the header's Regions link")
    page.keyboard.press("Enter")
    page.wait_for_url("**/regions/2000-01/")
    region = page.locator("tbody a").first
    name = region.inner_text()
    region.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/regions/*/2000-01/")
    assert page.locator("h1").inner_text() == name
    # Browse: the other type is a link away, and the page shows that type alone.
    page.goto(live_server.url + "/ratings/")
    page.wait_for_url("**/ratings/2000-01/")
    page.locator(".app-type-links a:not([aria-current])").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**type=**")
    shown = page.locator("tbody tr td:nth-child(3)").all_inner_texts()
    assert shown and len(set(shown)) == 1
    context.close()


def test_the_readme_tour_public_then_admin(site, live_server, page, monkeypatch):
    """README, *A tour after `make run`*: the public's steps, then the admin's."""
    # The public. 1. The home page: each type's bands, and the regions linked.
    page.goto(live_server.url + "/")
    assert page.get_by_role("heading", name="Ratings for 2000-01").count() == 1
    # 2. Find an organisation by name or code.
    page.fill("#home-search", site.organisation.code.lower())
    page.get_by_role("button", name="Find an organisation").click()
    page.get_by_role("link", name=site.organisation.name).first.click()
    page.wait_for_url(f"**/organisations/{site.organisation.code}/2000-01/")
    assert page.locator(".app-band-large").count() == 1  # the band, large, with its word and shape
    # 3. Regions, from the header; a region; its organisations.
    page.locator("header").get_by_role("link", name="Regions").click()
    page.wait_for_url("**/regions/2000-01/")
    # 4. Browse, one type at a time.
    page.locator("header").get_by_role("link", name="Browse ratings").click()
    page.wait_for_url("**/ratings/2000-01/")
    assert page.get_by_text("ranked among themselves").count() == 1

    # The admin. 1. make run has served; in another terminal, create a superuser.
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-tour-password-2000")
    call_command("createsuperuser", "--noinput", "--username", "admin", "--email", "admin@example.org",
                 stdout=None)
    # 2. Sign in at /admin/.
    page.goto(live_server.url + "/admin/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "a-tour-password-2000")
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")
    assert page.get_by_text("NHS traffic-light ratings administration").count() >= 1
    # 3. The ratings workflow: a year's method, recalculation, comparison and publication; the interventions.
    page.get_by_role("link", name="Years: method, recalculate, compare, publish, correct").click()
    page.wait_for_url("**/admin/workflow/")
    page.goto(live_server.url + "/admin/")
    page.get_by_role("link", name="Organisations needing intervention").click()
    page.wait_for_url("**/admin/workflow/interventions/")


def test_the_readme_tour_regional_office(site, live_server, page):
    """README, *A tour after `make run`*, *A regional office*, step by step: sign in at /accounts/login/, land on
    /returns/, download a template, upload it with a figure changed, read the preview, confirm. (The admin's
    side, giving the user a region, is tests/browser/test_onboarding.py, as README's *Onboarding a regional
    office* says it.)"""
    import csv
    import io

    from django.contrib.auth.models import User

    from indicators import actions
    from indicators.models import Region, Result

    region = Region.objects.get(code=site.region_code)
    user = User.objects.create_user("regional", password="a-regional-password-2000")
    actions.grant_region_membership(member=user, region=region)
    # 1. Sign in at /accounts/login/ with the user name and password an admin gave.
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", "regional")
    page.fill("#id_password", "a-regional-password-2000")
    page.get_by_role("button", name="Sign in", exact=True).click()
    # 2. You land on /returns/, your region's returns.
    page.wait_for_url(live_server.url + "/returns/")
    assert page.locator(".nhsuk-caption-l").inner_text() == region.name
    # Download a template (the year's figures already held, one row an organisation and indicator).
    with page.expect_download() as download:
        page.get_by_role("link", name="Template for 2000-01").click()
    template = download.value.path().read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(template)))
    assert rows and {row["year"] for row in rows} == {"2000-01"}
    assert {row["organisation_code"] for row in rows} <= set(
        region.organisations.values_list("code", flat=True))
    # Upload your figures for a year: the template with one figure changed (one without a numerator and
    # denominator, which the value would have to match).
    changed = next(row for row in rows if row["value"] and not row["numerator"])
    changed["value"] = str(float(changed["value"]) + 1)
    upload = io.StringIO()
    writer = csv.DictWriter(upload, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    page.select_option("#id_year", label="2000-01")
    page.set_input_files("#id_file", files=[{"name": "return-2000-01.csv", "mimeType": "text/csv",
                                             "buffer": upload.getvalue().encode()}])
    page.click("text=Check the file")
    # Read what they would change: nothing stored yet.
    page.wait_for_url("**/returns/*/")
    assert page.locator("h2", has_text="to fix").count() == 0, page.locator("main").inner_text()
    held = sum(1 for row in rows if row["value"])
    assert page.locator("#summary").inner_text().startswith(f"0 new values, 1 changed, {held - 1} unchanged.")
    before = Result.objects.get(organisation__code=changed["organisation_code"],
                                indicator__code=changed["indicator_code"], year=2000).value
    assert before == float(changed["value"]) - 1
    # And confirm.
    page.click("text=Confirm and store these figures")
    page.get_by_text("applied. 0 new values").wait_for()
    after = Result.objects.get(organisation__code=changed["organisation_code"],
                               indicator__code=changed["indicator_code"], year=2000).value
    assert after == float(changed["value"])
