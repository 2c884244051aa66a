"""The fact-check pages in a real browser, as an organisation's staff member
signs in and challenges a figure: no serious or critical axe-core violation
at a desktop's and a phone's width, and nothing wider than the screen."""

import pytest

from tests import fact_check_world
from tests.browser.conftest import axe_violations, describe
from tests.fact_check_world import STAFF_A
from tests.public.conftest import build_site

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def window(tmp_path):
    site = build_site(tmp_path, organisations=16, indicators=4, years=2, draws=20)
    return fact_check_world.build(site.organisation, site.peer)


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_the_fact_check_pages_have_no_serious_accessibility_violation(window, live_server, page, width):
    page.set_viewport_size({"width": width, "height": 900})
    code = window.a.code
    page.goto(live_server.url + "/fact-check/")
    assert "/accounts/login/" in page.url
    page.fill("#id_username", window.people[STAFF_A].username)
    page.fill("#id_password", "a-long-password-1")
    page.click("main button[type=submit]")
    page.wait_for_url("**/fact-check/")
    failures = []

    def check(name):
        assert page.locator("h1").count() == 1, name
        assert page.evaluate("document.documentElement.scrollWidth") <= width, (name, width)
        if violations := axe_violations(page):
            failures.append(f"{name} ({page.url}):\n{describe(violations)}")

    check("home")
    page.click(f"a[href='/fact-check/{code}/2000-01/']")
    assert page.locator("#confidential-draft").count() == 1
    check("draft card")
    page.click("#confidential-draft a[href$='/figures/']")
    check("figures")
    page.click("text=Send the challenge")  # nothing filled in: the errors
    assert page.locator(".nhsuk-error-summary").count() == 1
    check("figures with errors")
    page.check("input[name=kind][value=statement]")
    page.fill("#id_statement", "The card says we are yellow.")
    page.fill("#id_reason", "Our figures were sent late.")
    page.click("text=Send the challenge")
    page.wait_for_url("**/fact-check/challenges/*/")
    check("challenge")
    assert not failures, "\n\n".join(failures)
