"""Who may touch an upload: the regions of its rows against the user's regions
as they are at the moment of each action.

The people: staff of Northern and Yorkshire (A), of London (B), of both, a
sender who was staff of both when validating and has since lost A, and an
admin. Two uploads: one of A's rows only, sent by the person of A and B who
then lost A (so a sender's other regions must not open it), and one of A's
and B's rows, sent by the admin. Every returns URL, enumerated from the
URLconf, is tried by every one of them."""

import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLResolver, get_resolver, reverse

from indicators import access, actions
from indicators.actions import results, web_uploads
from indicators.models import Indicator, Organisation, Region, RegionMembership, Result, ResultRevision, ReturnImport
from indicators.returns import ReturnRow

HEADER = "organisation_code,indicator_code,year,value\n"
ANONYMOUS, NORTH, LONDON, BOTH, REMOVED, ADMIN = "anonymous", "north", "london", "both", "removed", "admin"
PEOPLE = [ANONYMOUS, NORTH, LONDON, BOTH, REMOVED, ADMIN]


def make_staff(name, *regions):
    user = User.objects.create_user(name, password="a-long-password-1")
    for code in regions:
        RegionMembership.objects.create(user=user, region=Region.objects.get(code=code))
    return user


@pytest.fixture
def people(world):
    return {NORTH: make_staff(NORTH, "NY"), LONDON: make_staff(LONDON, "LN"), BOTH: make_staff(BOTH, "NY", "LN"),
            REMOVED: make_staff(REMOVED, "NY", "LN"),
            ADMIN: User.objects.create_superuser(ADMIN, password="a-long-password-1")}


def validate(user, text, allowed, year=2000):
    return actions.validate_upload(user=user, year=year, filename="return.csv", content=text.encode(),
                                   allowed_regions=allowed)


@pytest.fixture
def uploads(people):
    """{"a": rows of A sent by REMOVED while staff of A and B, "ab": rows of A and B sent by the admin}.
    A is Northern and Yorkshire's 2000-01, B London's 1999-00 so that neither supersedes the other."""
    rows_of_a = validate(people[REMOVED], HEADER + "Q01,IP18M,2000-01,3\n", {"NY", "LN"})
    rows_of_a_and_b = validate(people[ADMIN], HEADER + "Q01,IP18M,1999-00,4\nQ02,IP18M,1999-00,5\n", None,
                               year=1999)
    RegionMembership.objects.filter(user=people[REMOVED], region__code="NY").delete()
    return {"a": rows_of_a, "ab": rows_of_a_and_b}


def test_an_upload_belongs_to_the_regions_of_its_rows_not_of_its_sender(uploads):
    assert access.upload_regions(uploads["a"]) == {"NY"}
    assert access.upload_regions(uploads["ab"]) == {"NY", "LN"}


def test_a_rejected_upload_has_the_regions_of_the_rows_that_parsed(people):
    rejected = validate(people[BOTH], HEADER + "Q02,IP18M,2000-01,n/a\nQ01,IP18M,2000-01,3\n", {"NY", "LN"})
    assert rejected.status == "rejected" and access.upload_regions(rejected) == {"NY"}
    unreadable = validate(people[BOTH], "not,a,return\n", {"NY", "LN"})
    assert unreadable.status == "rejected" and access.upload_regions(unreadable) == set()


def returns_url_names() -> set[str]:
    [returns] = [p for p in get_resolver().url_patterns if isinstance(p, URLResolver) and p.namespace == "returns"]
    return {pattern.name for pattern in returns.url_patterns}


def url_of(name, pk):
    if name == "template":
        return reverse("returns:template") + "?year=2000-01"
    try:
        return reverse(f"returns:{name}", kwargs={"pk": pk})
    except Exception:
        return reverse(f"returns:{name}")


# For each returns URL: its method and, for each person and each upload, the status expected.
# Staff see and act on an upload only when all its row regions are theirs now.
SEES_A = {ANONYMOUS: 302, NORTH: 200, LONDON: 404, BOTH: 200, REMOVED: 404, ADMIN: 200}
SEES_AB = {ANONYMOUS: 302, NORTH: 404, LONDON: 404, BOTH: 200, REMOVED: 404, ADMIN: 200}
ACTIONS = {
    "home": ("get", {"a": {ANONYMOUS: 302, NORTH: 200, LONDON: 200, BOTH: 200, REMOVED: 200, ADMIN: 200}}),
    "template": ("get", {"a": {ANONYMOUS: 302, NORTH: 200, LONDON: 200, BOTH: 200, REMOVED: 200, ADMIN: 200}}),
    "detail": ("get", {"a": SEES_A, "ab": SEES_AB}),
    "problems": ("get", {"a": SEES_A, "ab": SEES_AB}),
    "file": ("get", {"a": SEES_A, "ab": SEES_AB}),
    "confirm": ("post", {"a": {**SEES_A, NORTH: 302, BOTH: 302, ADMIN: 302},
                         "ab": {**SEES_AB, BOTH: 302, ADMIN: 302}}),
    "reverse": ("post", {"a": {**SEES_A, NORTH: 403, BOTH: 403, ADMIN: 302},
                         "ab": {**SEES_AB, BOTH: 403, ADMIN: 302}}),
}
CASES = [(name, kind, who) for name, (_, by_upload) in ACTIONS.items() for kind in by_upload for who in PEOPLE]


def test_the_matrix_covers_every_returns_url():
    assert returns_url_names() == set(ACTIONS)


def as_user(client, user):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("name, kind, who", CASES, ids=[f"{n}-{k}-{w}" for n, k, w in CASES])
def test_permission_matrix(name, kind, who, people, uploads, client):
    upload = uploads[kind]
    if name == "reverse":  # only an applied upload can be reversed
        actions.confirm_upload(upload=upload, user=people[ADMIN])
    before = (Result.objects.count(), ResultRevision.objects.count())
    method, by_upload = ACTIONS[name]
    response = getattr(as_user(client, people.get(who)), method)(url_of(name, upload.pk))

    assert response.status_code == by_upload[kind][who]
    if who == ANONYMOUS:
        assert response["Location"].startswith("/accounts/login/?next=")
    upload.refresh_from_db()
    if name == "confirm":
        applied = by_upload[kind][who] == 302 and who != ANONYMOUS
        assert upload.status == ("applied" if applied else "validated")
        assert Result.objects.filter(source_import=upload).exists() == applied
    elif name == "reverse":
        assert upload.status == ("reversed" if who == ADMIN else "applied")
    else:
        assert (Result.objects.count(), ResultRevision.objects.count()) == before and upload.status == "validated"
    if name == "home" and response.status_code == 200:
        listed = {u.pk for u in response.context["uploads"]}
        assert (uploads["a"].pk in listed) == (SEES_A[who] == 200)
        assert (uploads["ab"].pk in listed) == (SEES_AB[who] == 200)


def test_a_rejected_upload_is_seen_by_its_sender_and_admins_only(people, client):
    rejected = validate(people[BOTH], HEADER + "Q01,IP18M,2000-01,n/a\n", {"NY", "LN"})
    for who, status in [(NORTH, 404), (LONDON, 404), (BOTH, 200), (ADMIN, 200)]:
        for name in ("detail", "problems", "file"):
            assert as_user(client, people[who]).get(url_of(name, rejected.pk)).status_code == status, (who, name)


def test_confirm_refuses_a_user_whose_membership_went_after_the_page_was_shown(people, uploads):
    """The view's check passed, then the membership went: the action checks again under its lock."""
    upload = validate(people[NORTH], HEADER + "Q01,IP18M,2001-02,3\n", {"NY"}, year=2001)
    RegionMembership.objects.filter(user=people[NORTH]).delete()
    with pytest.raises(actions.UploadNotAllowed, match="not staff of every region"):
        actions.confirm_upload(upload=upload, user=people[NORTH])
    upload.refresh_from_db()
    assert upload.status == "validated" and not Result.objects.filter(year=2001).exists()


def test_staff_of_one_of_the_rows_regions_cannot_confirm_through_the_action(people, uploads):
    with pytest.raises(actions.UploadNotAllowed):
        actions.confirm_upload(upload=uploads["ab"], user=people[NORTH])
    with pytest.raises(actions.UploadNotAllowed):
        actions.confirm_upload(upload=uploads["a"], user=people[LONDON])
    assert not Result.objects.exists()


@pytest.mark.parametrize("name", sorted(ACTIONS))
@pytest.mark.parametrize("who", [ANONYMOUS, NORTH, LONDON, ADMIN])
def test_every_returns_url_is_private_and_never_stored(name, who, people, uploads, client):
    """Whatever the answer (the page, a redirect to sign in, 403, 404)."""
    upload = uploads["a"]
    if name == "reverse":
        actions.confirm_upload(upload=upload, user=people[ADMIN])
    method, _ = ACTIONS[name]
    response = getattr(as_user(client, people.get(who)), method)(url_of(name, upload.pk))
    assert response.status_code in (200, 302, 403, 404)
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives


def test_an_unknown_returns_address_is_private_too(people, client):
    response = as_user(client, people[NORTH]).get("/returns/no-such-page/")
    assert response.status_code == 404 and "no-store" in response["Cache-Control"]


def test_an_upload_of_other_regions_never_supersedes_even_from_a_sender_of_both(people):
    north = validate(people[NORTH], HEADER + "Q01,IP18M,2000-01,3\n", {"NY"})
    london = validate(people[BOTH], HEADER + "Q02,IP18M,2000-01,4\n", {"NY", "LN"})
    other_year = validate(people[BOTH], HEADER + "Q01,IP18M,1999-00,4\n", {"NY", "LN"}, year=1999)
    rejected = validate(people[NORTH], HEADER + "Q01,IP18M,2000-01,n/a\n", {"NY"})
    north.refresh_from_db()
    assert [u.status for u in (north, london, other_year, rejected)] == [
        "validated", "validated", "validated", "rejected"]
    # One whose rows share a region of the same year does.
    overlapping = validate(people[BOTH], HEADER + "Q01,IP18M,2000-01,5\nQ02,IP18M,2000-01,6\n", {"NY", "LN"})
    north.refresh_from_db(), london.refresh_from_db(), other_year.refresh_from_db()
    assert [u.status for u in (north, london, other_year, overlapping)] == [
        "superseded", "superseded", "validated", "validated"]


def test_staff_of_one_region_cannot_supersede_an_upload_touching_a_region_not_theirs(people, client):
    """London's staff cannot even see the admin's upload of North's and London's rows, so cannot cancel it."""
    national = validate(people[ADMIN], HEADER + "Q01,IP18M,2000-01,3\nQ02,IP18M,2000-01,4\n", None)
    assert as_user(client, people[LONDON]).get(url_of("detail", national.pk)).status_code == 404
    london = validate(people[LONDON], HEADER + "Q02,IP18M,2000-01,9\n", {"LN"})
    national.refresh_from_db()
    assert (national.status, london.status) == ("validated", "validated")
    # An upload covering all of the earlier one's regions still supersedes it.
    validate(people[BOTH], HEADER + "Q01,IP18M,2000-01,5\nQ02,IP18M,2000-01,6\n", {"NY", "LN"})
    national.refresh_from_db(), london.refresh_from_db()
    assert (national.status, london.status) == ("superseded", "superseded")


def test_validation_reads_the_senders_regions_again_under_the_lock(people):
    """The view read the sender's regions, then one was taken from them before the action's lock."""
    RegionMembership.objects.filter(user=people[BOTH], region__code="LN").delete()
    upload = validate(people[BOTH], HEADER + "Q01,IP18M,2000-01,3\nQ02,IP18M,2000-01,4\n", {"NY", "LN"})
    assert upload.status == "rejected"
    assert [(p["line"], p["column"]) for p in upload.problems] == [(3, "organisation_code")]
    assert "you can upload returns only for" in upload.problems[0]["message"]


def test_an_upload_whose_values_are_all_blank_is_refused_and_its_sender_sees_why(people, client):
    text = HEADER + "Q01,IP18M,2000-01,\nQ01,MORTCIRC,2000-01,\n"
    response = as_user(client, people[NORTH]).post(
        "/returns/", {"year": "2000", "file": SimpleUploadedFile("blank.csv", text.encode())}, follow=True)
    upload = ReturnImport.objects.get(filename="blank.csv")
    assert upload.status == "rejected" and access.upload_regions(upload) == set()
    assert [p["message"] for p in upload.problems] == ["Every value is blank: nothing to store."]
    assert response.status_code == 200 and "Every value is blank: nothing to store." in response.content.decode()
    assert as_user(client, people[NORTH]).get(url_of("detail", upload.pk)).status_code == 200
    assert as_user(client, people[BOTH]).get(url_of("detail", upload.pk)).status_code == 404


# Organisations moving region: the admin and the importer refuse it, and a confirm or reversal checks again
# under its lock, so no one writes a region's figures past another region's check and lock.

def move(organisation_code, region_code):
    Organisation.objects.filter(code=organisation_code).update(region=Region.objects.get(code=region_code))


def test_staff_cannot_confirm_rows_of_an_organisation_that_has_since_moved_region(people, client):
    upload = validate(people[NORTH], HEADER + "Q01,IP18M,2000-01,3\n", {"NY"})
    move("Q01", "LN")
    response = as_user(client, people[NORTH]).post(url_of("confirm", upload.pk), follow=True)
    assert "have moved region since this file was checked; upload it again" in response.content.decode()
    upload.refresh_from_db()
    assert upload.status == "validated" and not Result.objects.exists()
    # Not even an admin: the upload was checked and locked as North's.
    with pytest.raises(actions.OrganisationsMoved):
        actions.confirm_upload(upload=upload, user=people[ADMIN])


def test_a_reversal_refuses_when_an_organisation_moves_while_it_waits_for_its_locks(people, monkeypatch):
    upload = actions.confirm_upload(upload=validate(people[NORTH], HEADER + "Q01,IP18M,2000-01,3\n", {"NY"}),
                                    user=people[NORTH])
    lock = results.lock_region_years

    def lock_while_an_admin_moves_q01(pairs):
        lock(pairs)
        move("Q01", "LN")

    monkeypatch.setattr(results, "lock_region_years", lock_while_an_admin_moves_q01)
    with pytest.raises(actions.OrganisationsMoved):
        actions.reverse_upload(upload=upload, user=people[ADMIN])
    upload.refresh_from_db()
    assert upload.status == "applied" and Result.objects.get().value == 3.0


def test_a_reversal_locks_the_old_and_the_new_region_of_a_moved_organisation(people):
    upload = actions.confirm_upload(upload=validate(people[NORTH], HEADER + "Q01,IP18M,2000-01,3\n", {"NY"}),
                                    user=people[NORTH])
    move("Q01", "LN")
    assert web_uploads._region_years(upload) == {(2000, "NY"), (2000, "LN")}
    taken = locks_taken(lambda: actions.reverse_upload(upload=upload, user=people[ADMIN]))
    assert len(taken) == (2 if connection.vendor == "postgresql" else 0)
    assert not Result.objects.exists()


def test_confirm_after_a_code_was_renamed_is_a_message_not_an_error(people, client):
    upload = validate(people[NORTH], HEADER + "Q01,IP18M,2000-01,3\n", {"NY"})
    Indicator.objects.filter(code="IP18M").update(code="IP18X")  # an admin renames it
    client.raise_request_exception = False
    response = as_user(client, people[NORTH]).post(url_of("confirm", upload.pk), follow=True)
    assert response.status_code == 200 and "The code IP18M is no longer held" in response.content.decode()
    upload.refresh_from_db()
    assert upload.status == "validated" and not Result.objects.exists()


# The fingerprint: what the preview compared against, re-checked under the lock.

@pytest.fixture
def held(people):
    actions.apply_return(rows=[ReturnRow(2, "Q01", "IP18M", 2000, 1.0, 1.0, 10.0),
                               ReturnRow(3, "Q02", "IP18M", 2000, 2.0, None, None)], filename="held.csv")


def test_a_value_changed_by_the_command_with_equal_counts_is_refused(people, held, tmp_path, client):
    upload = validate(people[NORTH], HEADER + "Q01,IP18M,2000-01,5\n", {"NY"})
    assert (upload.new_values, upload.changed_values, upload.unchanged_values) == (0, 1, 0)
    path = tmp_path / "command.csv"
    path.write_text(HEADER + "Q01,IP18M,2000-01,7\n")
    from django.core.management import call_command
    call_command("import_returns", str(path), stdout=None)
    # Still one changed value for the upload, but not the one its preview showed.
    response = as_user(client, people[NORTH]).post(url_of("confirm", upload.pk), follow=True)
    assert "figures held have changed since this file was checked" in response.content.decode()
    upload.refresh_from_db()
    assert upload.status == "validated" and Result.objects.get(organisation__code="Q01").value == 7.0


def test_a_changed_numerator_alone_is_refused(people, held):
    upload = validate(people[NORTH], HEADER + "Q01,IP18M,2000-01,5\n", {"NY"})
    actions.apply_return(rows=[ReturnRow(2, "Q01", "IP18M", 2000, 1.0, 2.0, 10.0)], filename="numerator.csv")
    with pytest.raises(actions.PreviewOutdated):
        actions.confirm_upload(upload=upload, user=people[NORTH])


def test_a_value_the_upload_does_not_touch_may_change(people, held):
    upload = validate(people[NORTH], HEADER + "Q01,IP18M,2000-01,5\n", {"NY"})
    actions.apply_return(rows=[ReturnRow(2, "Q02", "IP18M", 2000, 9.0, None, None)], filename="other.csv")
    assert actions.confirm_upload(upload=upload, user=people[NORTH]).status == "applied"


def test_codes_swapped_between_preview_and_confirm_are_refused(people, held):
    """The plan is keyed by ids, the preview shows codes: two indicators swapping codes must change the
    fingerprint, or values would go to indicators the preview did not describe."""
    actions.apply_return(rows=[ReturnRow(2, "Q01", "MORTCIRC", 2000, 100.0, None, None)], filename="more.csv")
    upload = validate(people[NORTH], HEADER + "Q01,IP18M,2000-01,2\nQ01,MORTCIRC,2000-01,200\n", {"NY"})
    assert sorted(map(tuple, upload.preview["changes"])) == [("Q01", "IP18M", 2000, 1.0, 2.0),
                                                             ("Q01", "MORTCIRC", 2000, 100.0, 200.0)]
    ip, mort = Indicator.objects.get(code="IP18M"), Indicator.objects.get(code="MORTCIRC")
    Indicator.objects.filter(pk=ip.pk).update(code="TMP")
    Indicator.objects.filter(pk=mort.pk).update(code="IP18M")
    Indicator.objects.filter(pk=ip.pk).update(code="MORTCIRC")
    with pytest.raises(actions.PreviewOutdated):
        actions.confirm_upload(upload=upload, user=people[NORTH])
    assert set(Result.objects.filter(organisation__code="Q01").values_list("indicator__code", "value")) == {
        ("MORTCIRC", 1.0), ("IP18M", 100.0)}


def test_an_upload_checked_before_fingerprints_must_be_uploaded_again(people):
    upload = validate(people[NORTH], HEADER + "Q01,IP18M,2000-01,5\n", {"NY"})
    ReturnImport.objects.filter(pk=upload.pk).update(held_fingerprint="")
    with pytest.raises(actions.PreviewOutdated, match="Upload the file again"):
        actions.confirm_upload(upload=upload, user=people[NORTH])


def test_the_migration_recomputes_row_regions_of_existing_uploads(people, held):
    """Uploads tagged with every region of their sender, as before, get the regions of their rows."""
    migration = importlib.import_module("indicators.migrations.0004_upload_row_regions")
    waiting = validate(people[BOTH], HEADER + "Q01,IP18M,2000-01,5\n", {"NY", "LN"})
    applied = validate(people[BOTH], HEADER + "Q02,IP18M,1999-00,5\n", {"NY", "LN"}, year=1999)
    actions.confirm_upload(upload=applied, user=people[BOTH])
    rejected = validate(people[BOTH], HEADER + "Q01,IP18M,1998-99,x\n", {"NY", "LN"}, year=1998)
    both = Region.objects.filter(code__in=["NY", "LN"])
    for upload in (waiting, applied, rejected):
        upload.regions.set(both)
    ReturnImport.objects.filter(pk=applied.pk).update(preview={})  # found from the values it brought instead

    migration.set_row_regions(apps, None)
    assert [access.upload_regions(u) for u in (waiting, applied, rejected)] == [{"NY"}, {"LN"}, set()]


# The locks: every writer of figures takes one per (year, region) it touches.

def locks_taken(step) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        step()
    return [q["sql"] for q in queries.captured_queries if "pg_advisory_xact_lock" in q["sql"]]


def test_every_writer_locks_the_years_and_regions_it_touches(people):
    command = [ReturnRow(2, "Q01", "IP18M", 1999, 1.0, None, None), ReturnRow(3, "Q01", "IP18M", 2000, 1.0, None,
                                                                            None),
               ReturnRow(4, "RAB", "IP18M", 2000, 1.0, None, None), ReturnRow(5, "Q02", "IP18M", 2000, 1.0, None,
                                                                            None)]
    taken = {}
    taken["command"] = locks_taken(lambda: actions.apply_return(rows=command, filename="command.csv"))
    batch = ReturnImport.objects.get(filename="command.csv")
    taken["validate"] = locks_taken(lambda: taken.setdefault("upload", validate(
        people[BOTH], HEADER + "Q01,IP18M,2000-01,5\nQ02,IP18M,2000-01,6\n", {"NY", "LN"})))
    taken["confirm"] = locks_taken(lambda: actions.confirm_upload(upload=taken.pop("upload"), user=people[BOTH]))
    taken["reverse command"] = locks_taken(lambda: actions.reverse_upload(upload=batch, user=people[ADMIN]))
    counts = {step: len(sqls) for step, sqls in taken.items()}
    if connection.vendor == "postgresql":
        # The command wrote (1999, NY), (2000, NY), (2000, LN); the upload, of one year, (2000, NY) and (2000, LN),
        # replacing the command's Q02 value, so that reversing the command touches only what it still holds.
        assert counts == {"command": 3, "validate": 2, "confirm": 2, "reverse command": 2}
    else:  # SQLite: the transaction's own write lock, taken when it begins
        assert counts == {"command": 0, "validate": 0, "confirm": 0, "reverse command": 0}
