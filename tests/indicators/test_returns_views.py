"""The returns pages: a regional analyst's whole journey, and the permission
matrix (anonymous, staff of region A, staff of region B, staff of no
region, admin) against every returns URL and action."""

import csv
import io

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile

from indicators.models import RegionMembership, Region, Result, ReturnImport

HEADER = "organisation_code,indicator_code,year,value\n"


@pytest.fixture
def people(world):
    def staff(name, *regions):
        user = User.objects.create_user(name, password="a-long-password-1")
        for code in regions:
            RegionMembership.objects.create(user=user, region=Region.objects.get(code=code))
        return user
    return {"north": staff("north", "NY"), "london": staff("london", "LN"), "nobody": staff("nobody"),
            "admin": User.objects.create_superuser("admin", password="a-long-password-1")}


def as_user(client, user):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client


def post_file(client, text, year="2000", name="return.csv"):
    return client.post("/returns/", {"year": year, "file": SimpleUploadedFile(name, text.encode())})


def test_an_analyst_downloads_the_template_uploads_with_a_mistake_fixes_it_and_applies(people, client):
    as_user(client, people["north"])
    template = client.get("/returns/template.csv?year=2000-01")
    rows = list(csv.reader(io.StringIO(template.content.decode())))
    assert rows[0] == ["organisation_code", "organisation_name", "indicator_code", "indicator_name", "year", "value",
                       "numerator", "denominator"]
    # Northern and Yorkshire's organisations open in 2000-01 (RAA closed in 1998-99), each applicable indicator.
    assert {(r[0], r[2]) for r in rows[1:]} == {("Q01", "DEPRIVATION"), ("Q01", "IP18M"), ("Q01", "MORTCIRC"),
                                                ("RAB", "DEPRIVATION"), ("RAB", "IP18M")}

    response = post_file(client, HEADER + "Q01,IP18M,2000-01,n/a\n")
    upload = ReturnImport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/returns/{upload.pk}/"
    page = client.get(f"/returns/{upload.pk}/").content.decode()
    assert "1 problem to fix" in page and "&#x27;n/a&#x27; is not a number" in page and not Result.objects.exists()
    problems = client.get(f"/returns/{upload.pk}/problems.csv").content.decode().splitlines()
    assert problems[0] == "file,sheet,line,column,message" and problems[1].startswith("return.csv,,2,value,")

    post_file(client, HEADER + "Q01,IP18M,2000-01,3\n")
    fixed = ReturnImport.objects.latest("pk")
    page = client.get(f"/returns/{fixed.pk}/").content.decode()
    assert "1 new value, 0 changed, 0 unchanged" in page and "Confirm and store these figures" in page
    assert "<caption class=\"nhsuk-table__caption\">New values</caption>" in page and "IP18M" in page
    response = client.post(f"/returns/{fixed.pk}/confirm/", follow=True)
    assert "applied. 1 new values" in response.content.decode()
    assert Result.objects.get().source_import_id == fixed.pk
    history = client.get("/returns/").content.decode()
    assert "Applied" in history and "Rejected: the file has errors" in history


def test_rows_outside_the_users_region_are_errors(people, client):
    as_user(client, people["north"])
    post_file(client, HEADER + "Q02,IP18M,2000-01,3\n")
    upload = ReturnImport.objects.get()
    assert upload.status == "rejected"
    assert upload.problems[0]["message"] == ("Q02 is in London; you can upload returns only for Northern and "
                                             "Yorkshire.")


def test_a_file_over_the_limit_is_refused_with_its_size(people, client, settings):
    settings.RETURNS_MAX_UPLOAD_BYTES = 1024 * 1024
    as_user(client, people["north"])
    post_file(client, HEADER + "Q01,IP18M,2000-01,3\n" * 60000)
    upload = ReturnImport.objects.get()
    assert upload.problems[0]["message"] == "The file is 1.1 MB; the largest accepted is 1.0 MB."
    assert upload.original is None


ANONYMOUS, NORTH, LONDON, NOBODY, ADMIN = "anonymous", "north", "london", "nobody", "admin"


@pytest.fixture
def north_upload(people):
    from indicators import actions
    return actions.validate_upload(user=people["north"], year=2000, filename="n.csv",
                                   content=(HEADER + "Q01,IP18M,2000-01,3\n").encode(), allowed_regions={"NY"})


# (method, URL template, expected status for each kind of user). {pk} is region A's (north's) upload.
MATRIX = [
    ("get", "/returns/", {ANONYMOUS: 302, NORTH: 200, LONDON: 200, NOBODY: 403, ADMIN: 200}),
    ("get", "/returns/template.csv?year=2000-01", {ANONYMOUS: 302, NORTH: 200, LONDON: 200, NOBODY: 403, ADMIN: 200}),
    ("get", "/returns/{pk}/", {ANONYMOUS: 302, NORTH: 200, LONDON: 404, NOBODY: 404, ADMIN: 200}),
    ("get", "/returns/{pk}/problems.csv", {ANONYMOUS: 302, NORTH: 200, LONDON: 404, NOBODY: 404, ADMIN: 200}),
    ("get", "/returns/{pk}/file", {ANONYMOUS: 302, NORTH: 200, LONDON: 404, NOBODY: 404, ADMIN: 200}),
    ("post", "/returns/{pk}/reverse/", {ANONYMOUS: 302, NORTH: 403, LONDON: 404, NOBODY: 404, ADMIN: 302}),
    ("post", "/returns/{pk}/confirm/", {ANONYMOUS: 302, NORTH: 302, LONDON: 404, NOBODY: 404, ADMIN: 302}),
]


@pytest.mark.parametrize("who", [ANONYMOUS, NORTH, LONDON, NOBODY, ADMIN])
@pytest.mark.parametrize("method, url, expected", MATRIX, ids=[f"{m} {u}" for m, u, _ in MATRIX])
def test_permission_matrix(who, method, url, expected, people, north_upload, client):
    as_user(client, people.get(who))
    response = getattr(client, method)(url.format(pk=north_upload.pk))
    assert response.status_code == expected[who]
    if response.status_code == 302 and who == ANONYMOUS:
        assert response["Location"].startswith("/accounts/login/?next=")
    north_upload.refresh_from_db()
    # Only region A's staff or an admin can have applied it.
    if who in (ANONYMOUS, LONDON, NOBODY):
        assert north_upload.status == "validated" and not Result.objects.exists()


@pytest.mark.parametrize("who, status", [(ANONYMOUS, 302), (NORTH, 302), (LONDON, 302), (NOBODY, 403),
                                         (ADMIN, 302)])
def test_who_may_upload(who, status, people, client):
    response = post_file(as_user(client, people.get(who)), HEADER + "Q01,IP18M,2000-01,3\n")
    assert response.status_code == status
    if who == ANONYMOUS:
        assert response["Location"].startswith("/accounts/login/") and not ReturnImport.objects.exists()
    elif who == NOBODY:
        assert not ReturnImport.objects.exists()
    else:
        # North and the admin may upload Q01's figures; London's staff get a rejection naming the region.
        assert ReturnImport.objects.get().status == ("rejected" if who == LONDON else "validated")


def test_other_regions_uploads_are_not_listed(people, north_upload, client):
    assert "n.csv" in as_user(client, people["north"]).get("/returns/").content.decode()
    assert "n.csv" in as_user(client, people["admin"]).get("/returns/").content.decode()
    assert "n.csv" not in as_user(client, people["london"]).get("/returns/").content.decode()


def test_a_crafted_upload_for_another_region_is_rejected_row_by_row(people, client):
    as_user(client, people["london"])
    post_file(client, HEADER + "Q01,IP18M,2000-01,3\nQ02,IP18M,2000-01,4\n")
    upload = ReturnImport.objects.get()
    assert upload.status == "rejected" and [p["line"] for p in upload.problems] == [2]
    assert not Result.objects.exists()


def test_confirming_twice_stores_once(people, north_upload, client):
    as_user(client, people["north"])
    client.post(f"/returns/{north_upload.pk}/confirm/")
    client.post(f"/returns/{north_upload.pk}/confirm/")
    assert Result.objects.count() == 1 and ReturnImport.objects.count() == 1


def test_admin_reverses_from_the_page(people, north_upload, client):
    as_user(client, people["north"]).post(f"/returns/{north_upload.pk}/confirm/")
    response = as_user(client, people["admin"]).post(f"/returns/{north_upload.pk}/reverse/", follow=True)
    assert "Reversed: 0 values restored, 1 removed" in response.content.decode()
    assert not Result.objects.exists()


def test_returns_pages_write_nothing_on_get(people, north_upload, client):
    as_user(client, people["north"])
    for url in ("/returns/", f"/returns/{north_upload.pk}/", f"/returns/{north_upload.pk}/confirm/",
                f"/returns/{north_upload.pk}/reverse/"):
        client.get(url)
    north_upload.refresh_from_db()
    assert north_upload.status == "validated"
    assert client.get(f"/returns/{north_upload.pk}/confirm/").status_code == 405


def test_sign_in_is_throttled_by_user_and_address_with_others_unaffected(people, client, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "north", "password": "wrong"})
    locked = client.post("/accounts/login/", {"username": "north", "password": "a-long-password-1"})
    assert locked.status_code == 429 and b"Too many attempts to sign in" in locked.content
    # A colleague at the same address can still sign in.
    ok = client.post("/accounts/login/", {"username": "london", "password": "a-long-password-1"})
    assert ok.status_code == 302 and ok["Location"] == "/returns/"


def test_sign_in_page_in_the_site_design(client, db):
    html = client.get("/accounts/login/").content.decode()
    assert "<h1>Sign in</h1>" in html and "csrfmiddlewaretoken" in html and "nhsuk-header" in html
