"""An admin sets up regional staff in the admin: creates the user, gives and
takes their regions on the user's page (an inline) or the Region memberships
page. Every grant and removal is audited; staff who are not admins cannot do
it, whatever model permissions they hold."""

import pytest
from django.contrib.auth.models import Permission, User

from indicators import access
from indicators.models import Region, RegionMembership
from ratings.models import AuditEntry

INLINE = "region_memberships"
ORGANISATION_INLINE = "organisation_memberships"
# The organisation memberships' inline, left empty, as a browser posts it.
NO_ORGANISATIONS = {f"{ORGANISATION_INLINE}-TOTAL_FORMS": "0", f"{ORGANISATION_INLINE}-INITIAL_FORMS": "0"}


@pytest.fixture
def member(world):
    return User.objects.create_user("alice", password="a-long-password-1")


def region(code):
    return Region.objects.get(code=code)


def user_change_form(member, memberships=(), *, extra_rows=()):
    """The user change page's form as a browser posts it: the user's fields as
    they are, and the inline's rows: (membership or None, region code, delete)."""
    data = {"username": member.username, "first_name": "", "last_name": "", "email": "", "is_active": "on",
            "date_joined_0": member.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": member.date_joined.strftime("%H:%M:%S"), **({"is_staff": "on"} if member.is_staff else {})}
    rows = [(m, m.region.code, False) for m in memberships] + list(extra_rows)
    data.update(NO_ORGANISATIONS)
    data.update({f"{INLINE}-TOTAL_FORMS": str(len(rows)), f"{INLINE}-INITIAL_FORMS": str(len(memberships)),
                 f"{INLINE}-MIN_NUM_FORMS": "0", f"{INLINE}-MAX_NUM_FORMS": "1000"})
    for index, (membership, code, delete) in enumerate(rows):
        data[f"{INLINE}-{index}-id"] = membership.pk if membership else ""
        data[f"{INLINE}-{index}-user"] = member.pk
        data[f"{INLINE}-{index}-region"] = region(code).pk if code else ""
        if delete:
            data[f"{INLINE}-{index}-DELETE"] = "on"
    return data


def audit_log():
    return [(e.user.username, e.action, e.details["member"], e.details["region"], e.description)
            for e in AuditEntry.objects.order_by("id")]


def test_an_admin_creates_a_user_with_a_region_on_the_add_page(admin_user, client):
    client.force_login(admin_user)
    assert INLINE in client.get("/admin/auth/user/add/").content.decode()
    response = client.post("/admin/auth/user/add/", {
        "username": "bob", "usable_password": "true", "password1": "a-long-password-2",
        "password2": "a-long-password-2", f"{INLINE}-TOTAL_FORMS": "1", f"{INLINE}-INITIAL_FORMS": "0",
        f"{INLINE}-0-region": region("NY").pk, **NO_ORGANISATIONS})
    bob = User.objects.get(username="bob")
    assert response.status_code == 302 and response["Location"] == f"/admin/auth/user/{bob.pk}/change/"
    assert bob.check_password("a-long-password-2") and not bob.is_staff and not bob.is_superuser
    assert access.allowed_regions(bob) == {"NY"}
    assert audit_log() == [("admin", "membership_granted", "bob", "NY",
                            "Gave bob the returns of Northern and Yorkshire (NY).")]


def test_an_admin_adds_changes_and_removes_regions_on_the_user_page(admin_user, member, client):
    client.force_login(admin_user)
    page = client.get(f"/admin/auth/user/{member.pk}/change/").content.decode()
    assert "Region memberships: the regions whose returns they upload" in page

    response = client.post(f"/admin/auth/user/{member.pk}/change/",
                           user_change_form(member, extra_rows=[(None, "NY", False), (None, "LN", False)]))
    assert response.status_code == 302, response.context and response.context["errors"]
    assert access.allowed_regions(member) == {"NY", "LN"}

    ny, ln = (RegionMembership.objects.get(user=member, region__code=code) for code in ("NY", "LN"))
    data = user_change_form(member, [ny, ln])
    data[f"{INLINE}-1-DELETE"] = "on"
    assert client.post(f"/admin/auth/user/{member.pk}/change/", data).status_code == 302
    assert access.allowed_regions(member) == {"NY"}

    # Changing a row's region is a removal and a grant.
    data = user_change_form(member, [ny])
    data[f"{INLINE}-0-region"] = region("LN").pk
    assert client.post(f"/admin/auth/user/{member.pk}/change/", data).status_code == 302
    assert access.allowed_regions(member) == {"LN"}

    # Saving the page with nothing changed writes nothing.
    data = user_change_form(member, [RegionMembership.objects.get(user=member)])
    assert client.post(f"/admin/auth/user/{member.pk}/change/", data).status_code == 302
    assert audit_log() == [
        ("admin", "membership_granted", "alice", "NY", "Gave alice the returns of Northern and Yorkshire (NY)."),
        ("admin", "membership_granted", "alice", "LN", "Gave alice the returns of London (LN)."),
        ("admin", "membership_removed", "alice", "LN", "Took the returns of London (LN) from alice."),
        ("admin", "membership_removed", "alice", "NY", "Took the returns of Northern and Yorkshire (NY) from alice."),
        ("admin", "membership_granted", "alice", "LN", "Gave alice the returns of London (LN)."),
    ]


def test_the_same_region_twice_on_the_user_page_is_an_error_and_changes_nothing(admin_user, member, client):
    client.force_login(admin_user)
    response = client.post(f"/admin/auth/user/{member.pk}/change/",
                           user_change_form(member, extra_rows=[(None, "NY", False), (None, "NY", False)]))
    assert response.status_code == 200 and "Please correct the duplicate data" in response.content.decode()
    assert not RegionMembership.objects.exists() and not AuditEntry.objects.exists()


def test_the_region_memberships_page_grants_and_removes(admin_user, member, client):
    client.force_login(admin_user)
    response = client.post("/admin/indicators/regionmembership/add/", {"user": member.pk, "region": region("LN").pk})
    assert response.status_code == 302
    membership = RegionMembership.objects.get()
    assert client.get("/admin/indicators/regionmembership/?region__id__exact=%d" % region("LN").pk).status_code == 200
    response = client.post(f"/admin/indicators/regionmembership/{membership.pk}/change/",
                           {"user": member.pk, "region": region("NY").pk})
    assert response.status_code == 302 and access.allowed_regions(member) == {"NY"}
    membership = RegionMembership.objects.get()
    response = client.post("/admin/indicators/regionmembership/", {
        "action": "delete_selected", "_selected_action": [membership.pk], "post": "yes"})
    assert response.status_code == 302 and not RegionMembership.objects.exists()
    assert [(action, code) for _, action, _, code, _ in audit_log()] == [
        ("membership_granted", "LN"), ("membership_removed", "LN"), ("membership_granted", "NY"),
        ("membership_removed", "NY")]


def test_deleting_a_user_takes_their_regions_with_an_audit_entry(admin_user, member, client):
    client.force_login(admin_user)
    RegionMembership.objects.create(user=member, region=region("NY"))
    response = client.post(f"/admin/auth/user/{member.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and not User.objects.filter(username="alice").exists()
    assert [(action, who, code) for _, action, who, code, _ in audit_log()] == [("membership_removed", "alice", "NY")]


@pytest.mark.parametrize("permissions", [[], ["view_user", "add_user", "change_user", "delete_user",
                                              "view_regionmembership", "add_regionmembership",
                                              "change_regionmembership", "delete_regionmembership"]])
def test_staff_who_are_not_admins_cannot_give_regions(permissions, member, client):
    staff = User.objects.create_user("clerk", password="a-long-password-1", is_staff=True)
    staff.user_permissions.set(Permission.objects.filter(codename__in=permissions))
    RegionMembership.objects.create(user=staff, region=region("LN"))
    client.force_login(staff)

    # Not on the user's page (the inline is not even shown to them) ...
    response = client.post(f"/admin/auth/user/{member.pk}/change/",
                           user_change_form(member, extra_rows=[(None, "NY", False)]))
    assert response.status_code in (302, 403)
    response = client.post(f"/admin/auth/user/{staff.pk}/change/", user_change_form(
        staff, [RegionMembership.objects.get(user=staff)], extra_rows=[(None, "NY", False)]))
    assert response.status_code in (302, 403)
    if permissions:
        assert INLINE not in client.get(f"/admin/auth/user/{member.pk}/change/").content.decode()
    # ... nor on the memberships pages.
    assert client.get("/admin/indicators/regionmembership/").status_code == 403
    assert client.post("/admin/indicators/regionmembership/add/",
                       {"user": member.pk, "region": region("NY").pk}).status_code == 403
    assert access.allowed_regions(member) == set() and access.allowed_regions(staff) == {"LN"}
    assert not AuditEntry.objects.exists()


def test_regional_staff_reach_no_admin_page(world, client):
    staff = User.objects.create_user("north", password="a-long-password-1")
    RegionMembership.objects.create(user=staff, region=region("NY"))
    client.force_login(staff)
    for url in ["/admin/auth/user/", "/admin/indicators/regionmembership/", "/admin/auth/user/add/"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/"), url


def test_two_rows_swapping_regions_on_the_user_page_keep_both(admin_user, member, client):
    from indicators import actions
    ny = actions.grant_region_membership(member=member, region=region("NY"))
    ln = actions.grant_region_membership(member=member, region=region("LN"))
    client.force_login(admin_user)
    data = user_change_form(member, [ny, ln])
    data[f"{INLINE}-0-region"], data[f"{INLINE}-1-region"] = region("LN").pk, region("NY").pk
    assert client.post(f"/admin/auth/user/{member.pk}/change/", data).status_code == 302
    assert access.allowed_regions(member) == {"NY", "LN"}


def test_an_admin_makes_a_user_staff_of_an_organisation_on_the_user_page_audited(admin_user, member, client):
    from indicators.models import Organisation, OrganisationMembership
    client.force_login(admin_user)
    page = client.get(f"/admin/auth/user/{member.pk}/change/").content.decode()
    assert "Organisation memberships: the organisations whose draft report cards they see" in page
    data = user_change_form(member)
    data.update({f"{ORGANISATION_INLINE}-TOTAL_FORMS": "1",
                 f"{ORGANISATION_INLINE}-0-organisation": Organisation.objects.get(code="Q01").pk})
    assert client.post(f"/admin/auth/user/{member.pk}/change/", data).status_code == 302
    assert list(OrganisationMembership.objects.values_list("user__username", "organisation__code")) == [("alice", "Q01")]
    [entry] = AuditEntry.objects.all()
    assert (entry.user, entry.action, entry.details["organisation"]) == (admin_user, "org_membership_granted", "Q01")
    assert entry.description == "Made alice staff of Leeds Health Authority (Q01)."
    client.post(f"/admin/auth/user/{member.pk}/delete/", {"post": "yes"})
    assert not User.objects.filter(pk=member.pk).exists()
    assert AuditEntry.objects.order_by("id").last().action == "org_membership_removed"
