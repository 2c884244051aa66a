"""The admin workflow in a real browser: a recalculation's progress followed
live while the background worker runs it, and no serious accessibility
violation on the workflow's own pages."""

import pytest
from django.core.management import call_command

from tests.browser.conftest import axe_violations, describe
from tests.public.conftest import build_site

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def site(tmp_path):
    return build_site(tmp_path, organisations=16, indicators=4, years=2)


def sign_in(page, live_server):
    from django.contrib.auth.models import User
    User.objects.create_superuser("admin", password="a-long-password-1")
    page.goto(live_server.url + "/admin/workflow/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "a-long-password-1")
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/workflow/")


def test_the_progress_page_follows_the_worker_and_shows_the_runs_when_done(site, live_server, page):
    sign_in(page, live_server)
    page.goto(live_server.url + "/admin/workflow/2000-01/")
    page.click("text=Recalculate 2000-01 as a draft")
    page.wait_for_url("**/admin/workflow/recalculations/*/")
    # Each word once: not "Waiting for the worker: Waiting for the worker (step 0 of 0)".
    assert page.locator("[data-field=sentence]").inner_text() == "Waiting for the worker"
    assert page.get_by_text("Draft runs made").count() == 0
    # The worker runs while the page is open; the page's script notices and reloads.
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    page.get_by_text("Draft runs made").wait_for(timeout=15_000)
    finished = page.locator("[data-field=sentence]").inner_text()
    assert finished.startswith("Finished") and finished.count("Finished") == 1, finished
    assert page.locator("progress").get_attribute("value") == "100"


def test_the_workflow_pages_have_no_serious_accessibility_violation(site, live_server, page):
    from ratings import actions
    from ratings.models import RatingRun
    sign_in(page, live_server)
    actions.recalculate(year=2000)
    draft = RatingRun.objects.filter(status="draft").first()
    failures = []
    for url in ["/admin/workflow/", "/admin/workflow/2000-01/", "/admin/workflow/2000-01/compare/",
                "/admin/workflow/2000-01/what-if/", f"/admin/workflow/runs/{draft.pk}/publish/",
                f"/admin/workflow/runs/{draft.pk}/withdraw/", "/admin/workflow/interventions/",
                f"/admin/workflow/recalculations/{draft.recalculations.get().pk}/"]:
        response = page.goto(live_server.url + url)
        assert response.status == 200, url
        if violations := axe_violations(page):
            failures.append(f"{url}:\n{describe(violations)}")
    page.goto(live_server.url + "/admin/workflow/2000-01/what-if/")
    page.click("text=Show what would change")
    # The what-if is the worker's: its page follows it and shows the answer once done.
    page.wait_for_url("**/admin/workflow/what-ifs/*/")
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    page.get_by_text("kept the same band").wait_for(timeout=15_000)
    if violations := axe_violations(page):
        failures.append(f"what-if result:\n{describe(violations)}")
    assert not failures, "\n\n".join(failures)
