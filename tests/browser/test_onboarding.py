"""README's *Onboarding a regional office*, followed in a real browser at
desktop and phone widths: an admin signs in to the admin, creates a user with
a password, gives them a region and signs out; the user signs in, uploads a
return for their region, reads the preview and confirms it. The returns pages
have no serious accessibility violation at phone width."""

import pytest

from tests.browser.conftest import axe_violations, describe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "Harrogate-returns-2000"
RETURN = ("organisation_code,indicator_code,year,value\n"
          "Q01,IP18M,2000-01,3\nQ01,MORTCIRC,2000-01,250.5\nRAB,IP18M,2000-01,0\n")


@pytest.fixture(params=[1280, 390], ids=["desktop", "phone"])
def page(request, browser):
    context = browser.new_context(bypass_csp=True, viewport={"width": request.param, "height": 900})
    page = context.new_page()
    page.width = request.param
    yield page
    context.close()


def admin_creates_a_regional_user(page, live_server):
    # 1. Sign in at /admin/; next to Users, Add.
    page.goto(live_server.url + "/admin/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "an-admins-password-1")
    page.click("input[type=submit]")
    page.locator("#content-main a[href='/admin/auth/user/add/']").click()
    # 2. User name and password twice (password-based authentication left enabled).
    page.fill("#id_username", "harrogate")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    # 3. Their region under Region memberships, then Save.
    page.select_option("select[name='region_memberships-0-region']", label="Northern and Yorkshire")
    page.click("input[name=_save]")
    # 4. The user's page opens; nothing else is ticked.
    page.wait_for_url("**/admin/auth/user/*/change/")
    assert not page.is_checked("#id_is_staff") and not page.is_checked("#id_is_superuser")
    assert page.locator("select[name='region_memberships-0-region'] option:checked").inner_text() == \
        "Northern and Yorkshire"
    with page.expect_navigation():
        page.locator("#logout-form button").click()
    page.goto(live_server.url + "/admin/")
    assert "/admin/login/" in page.url  # signed out


def test_an_admin_onboards_a_regional_user_who_then_uploads_a_return(world, live_server, page):
    from django.contrib.auth.models import User

    from indicators.models import Result
    from ratings.models import AuditEntry

    User.objects.create_superuser("admin", password="an-admins-password-1")
    admin_creates_a_regional_user(page, live_server)
    harrogate = User.objects.get(username="harrogate")
    assert not harrogate.is_staff and not harrogate.is_superuser
    assert AuditEntry.objects.get().description == "Gave harrogate the returns of Northern and Yorkshire (NY)."

    # 5. The user signs in where they were told, and lands on the returns page.
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", "harrogate")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url("**/returns/")
    assert page.locator(".nhsuk-caption-l").inner_text() == "Northern and Yorkshire"
    violations = {"returns": axe_violations(page)} if page.width == 390 else {}

    page.select_option("#id_year", label="2000-01")
    page.set_input_files("#id_file", files=[{"name": "harrogate-2000-01.csv", "mimeType": "text/csv",
                                             "buffer": RETURN.encode()}])
    page.click("text=Check the file")
    page.wait_for_url("**/returns/*/")
    assert page.get_by_text("3 new values, 0 changed, 0 unchanged.").count() == 1
    assert page.get_by_role("cell", name="Leeds Health Authority (Q01)").count() >= 1
    assert page.get_by_role("cell", name="Deaths from circulatory disease (MORTCIRC)").count() == 1
    assert Result.objects.count() == 0
    if page.width == 390:
        violations["preview"] = axe_violations(page)

    page.get_by_text("Store 3 new values and 0 changed values for 2000-01.").wait_for()
    page.click("text=Confirm and store these figures")
    page.get_by_text("applied. 3 new values").wait_for()
    if page.width == 390:
        violations["applied"] = axe_violations(page)
    stored = {(r.organisation.code, r.indicator.code, r.year, r.value, r.source_import.created_by.username)
              for r in Result.objects.select_related("organisation", "indicator", "source_import__created_by")}
    assert stored == {("Q01", "IP18M", 2000, 3.0, "harrogate"), ("Q01", "MORTCIRC", 2000, 250.5, "harrogate"),
                      ("RAB", "IP18M", 2000, 0.0, "harrogate")}
    assert not [f"{name}:\n{describe(found)}" for name, found in violations.items() if found]


def test_a_rejected_upload_page_has_no_serious_accessibility_violation_at_phone_width(world, live_server, browser):
    from django.contrib.auth.models import User

    from indicators import actions
    from indicators.models import Region

    user = User.objects.create_user("harrogate", password=PASSWORD)
    actions.grant_region_membership(member=user, region=Region.objects.get(code="NY"))
    context = browser.new_context(bypass_csp=True, viewport={"width": 390, "height": 900})
    page = context.new_page()
    page.goto(live_server.url + "/accounts/login/")
    assert not axe_violations(page), "sign-in page"
    page.fill("#id_username", "harrogate")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url("**/returns/")
    page.set_input_files("#id_file", files=[{"name": "bad.csv", "mimeType": "text/csv",
                                             "buffer": b"organisation_code,indicator_code,year,value\n"
                                                       b"Q01,IP18M,2000-01,n/a\nQ02,IP18M,2000-01,1\n"}])
    page.click("text=Check the file")
    page.get_by_text("2 problems to fix").wait_for()
    violations = axe_violations(page)
    context.close()
    assert not violations, describe(violations)
