"""Who may use which admin pages. Every region's uploads, figures (published or
not), their history, ratings runs and the audit log, and the people and groups
pages (whoever may edit users or groups may make themselves an admin), are for
admins (superusers) alone, whatever model permissions a staff member holds.
And the admin refuses what the organisations importer refuses."""

import pytest
from django.contrib.auth.models import Group, Permission, User

from indicators import actions
from indicators.models import Organisation, OrganisationType, Region, Result
from indicators.returns import ReturnRow
from tests.indicators.conftest import organisation_form


@pytest.fixture
def analyst(world):
    """Staff holding every model permission there is, but not an admin."""
    analyst = User.objects.create_user("analyst", password="a-long-password-1", is_staff=True)
    analyst.user_permissions.set(Permission.objects.all())
    return analyst


@pytest.fixture
def held(world):
    actions.apply_return(rows=[ReturnRow(2, "Q01", "IP18M", 2000, 1.0, None, None)], filename="held.csv")
    actions.apply_return(rows=[ReturnRow(2, "Q01", "IP18M", 2000, 2.0, None, None)], filename="revised.csv")
    return Result.objects.get()


def admin_only_urls(result, member):
    return ["/admin/indicators/returnimport/", f"/admin/indicators/returnimport/{result.source_import_id}/change/",
            "/admin/indicators/result/", f"/admin/indicators/result/{result.pk}/change/",
            "/admin/indicators/regionmembership/", "/admin/auth/user/", f"/admin/auth/user/{member.pk}/change/",
            "/admin/auth/group/", "/admin/ratings/ratingrun/", "/admin/ratings/auditentry/"]


def test_staff_with_every_permission_cannot_open_the_admins_pages(analyst, held, client):
    client.force_login(analyst)
    statuses = {url: client.get(url).status_code for url in admin_only_urls(held, analyst)}
    assert statuses == {url: 403 for url in statuses}
    # Nor are they listed on the index.
    index = client.get("/admin/").content.decode()
    assert "/admin/indicators/result/" not in index and "/admin/auth/user/" not in index


def test_an_admin_opens_them_and_sees_a_values_history(admin_user, analyst, held, client):
    client.force_login(admin_user)
    statuses = {url: client.get(url).status_code for url in admin_only_urls(held, analyst)}
    assert statuses == {url: 200 for url in statuses}
    page = client.get(f"/admin/indicators/result/{held.pk}/change/").content.decode()
    assert "revisions" in page.lower() and "held.csv" in page


def test_staff_who_may_change_users_cannot_make_themselves_an_admin(analyst, client):
    client.force_login(analyst)
    response = client.post(f"/admin/auth/user/{analyst.pk}/change/", {
        "username": "analyst", "is_active": "on", "is_staff": "on", "is_superuser": "on",
        "date_joined_0": analyst.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": analyst.date_joined.strftime("%H:%M:%S")})
    assert response.status_code == 403
    analyst.refresh_from_db()
    assert not analyst.is_superuser
    # Nor through a group: the group pages are closed to them too.
    group = Group.objects.create(name="analysts")
    analyst.groups.add(group)
    assert client.post(f"/admin/auth/group/{group.pk}/change/", {"name": "analysts"}).status_code == 403


def test_the_admin_refuses_to_move_an_organisation_to_another_region(admin_user, client):
    q01 = Organisation.objects.get(code="Q01")
    client.force_login(admin_user)
    response = client.post(f"/admin/indicators/organisation/{q01.pk}/change/",
                           organisation_form(q01, region=Region.objects.get(code="LN").pk))
    assert response.status_code == 200
    assert "Q01 is held in region NY; it cannot move to another region." in response.content.decode()
    q01.refresh_from_db()
    assert q01.region.code == "NY"


def test_the_admin_refuses_to_change_an_organisations_type(admin_user, client):
    q01 = Organisation.objects.get(code="Q01")
    other_type = OrganisationType.objects.exclude(pk=q01.type_id).first()
    client.force_login(admin_user)
    response = client.post(f"/admin/indicators/organisation/{q01.pk}/change/",
                           organisation_form(q01, type=other_type.pk))
    assert response.status_code == 200 and "its type cannot change" in response.content.decode()
    q01.refresh_from_db()
    assert q01.type_id != other_type.pk


def test_the_admin_still_renames_an_organisation_and_adds_one_in_any_region(admin_user, client):
    q01 = Organisation.objects.get(code="Q01")
    client.force_login(admin_user)
    response = client.post(f"/admin/indicators/organisation/{q01.pk}/change/", organisation_form(q01, name="Renamed"))
    assert response.status_code == 302
    q01.refresh_from_db()
    assert q01.name == "Renamed"
    response = client.post("/admin/indicators/organisation/add/", organisation_form(
        q01, code="Q99", name="New", region=Region.objects.get(code="LN").pk))
    assert response.status_code == 302 and Organisation.objects.get(code="Q99").region.code == "LN"
