"""Web uploads of returns, through the actions the upload pages call: checked
and kept, previewed, confirmed all or nothing, superseded, reversed."""

import pytest
from django.contrib.auth.models import User

from indicators import actions
from indicators.models import Region, RegionMembership, Result, ResultRevision, ReturnImport
from indicators.returns import ReturnRow
from indicators.uploads import rows_problem, scope_problems, size_problem

HEADER = "organisation_code,indicator_code,year,value\n"
NAMES = {"NY": "Northern and Yorkshire", "LN": "London"}


def row(line, org, year=2000):
    return ReturnRow(line, org, "IP18M", year, 1.0, None, None)


def test_rows_of_another_year_or_outside_the_uploaders_regions_are_located_errors():
    problems = scope_problems([row(2, "Q01"), row(3, "Q02"), row(4, "Q01", 1999)], year=2000,
                              organisation_regions={"Q01": "NY", "Q02": "LN"}, allowed_regions={"NY"},
                              region_names=NAMES)
    assert [str(p) for p in problems] == [
        "Line 3, column organisation_code: Q02 is in London; you can upload returns only for Northern and "
        "Yorkshire.",
        "Line 4, column year: The year is 1999-00, but this upload is for 2000-01.",
    ]
    assert scope_problems([row(3, "Q02")], year=2000, organisation_regions={"Q02": "LN"}, allowed_regions=None,
                          region_names=NAMES) == []


def test_size_and_row_limits_say_the_limit():
    assert str(size_problem(11 * 1024 * 1024, 10 * 1024 * 1024)) == (
        "The file is 11.0 MB; the largest accepted is 10.0 MB.")
    assert size_problem(10, 10) is None
    assert str(rows_problem(200_001, 200_000)) == (
        "The file has 200,001 rows; the most accepted in one upload is 200,000. Split it into several files.")


@pytest.fixture
def analyst(world):
    # Confirming checks the user's memberships at that moment: the analyst is staff of Northern and Yorkshire.
    user = User.objects.create_user("north", password="x")
    RegionMembership.objects.create(user=user, region=Region.objects.get(code="NY"))
    return user


def upload(user, text, allowed=frozenset({"NY"}), year=2000, name="return.csv"):
    return actions.validate_upload(user=user, year=year, filename=name, content=text.encode(),
                                   allowed_regions=set(allowed) if allowed is not None else None)


def test_a_valid_upload_is_kept_with_its_preview_and_stores_no_value(analyst):
    result = upload(analyst, HEADER + "Q01,IP18M,2000-01,3\nRAB,IP18M,2000-01,1\n")
    assert result.status == "validated" and result.problems == []
    assert (result.new_values, result.changed_values, result.unchanged_values) == (2, 0, 0)
    assert result.preview["organisations"] == {"Q01": [1, 0, 0], "RAB": [1, 0, 0]}
    assert bytes(result.original).startswith(b"organisation_code") and len(result.original_sha256) == 64
    assert [r.code for r in result.regions.all()] == ["NY"]
    assert not Result.objects.exists()


def test_an_upload_with_errors_is_kept_as_rejected_with_every_problem(analyst):
    result = upload(analyst, HEADER + "Q01,IP18M,2000-01,n/a\nQ02,IP18M,2000-01,1\n")
    assert result.status == "rejected" and not Result.objects.exists()
    assert [(p["line"], p["column"]) for p in result.problems] == [(2, "value"), (3, "organisation_code")]
    assert "'n/a' is not a number" in result.problems[0]["message"]
    assert result.validated_rows is None


def test_a_file_over_the_size_limit_is_refused_unread(analyst, settings):
    settings.RETURNS_MAX_UPLOAD_BYTES = 20
    result = upload(analyst, HEADER + "Q01,IP18M,2000-01,3\n")
    assert result.status == "rejected" and result.original is None
    assert result.problems[0]["message"].startswith("The file is 0.0 MB; the largest accepted is 0.0 MB")


def test_confirm_stores_everything_and_a_second_confirm_does_nothing(analyst):
    checked = upload(analyst, HEADER + "Q01,IP18M,2000-01,3\nRAB,IP18M,2000-01,1\n")
    applied = actions.confirm_upload(upload=checked, user=analyst)
    assert applied.status == "applied" and applied.applied_by == analyst and applied.validated_rows is None
    assert set(Result.objects.values_list("organisation__code", "value", "source_import")) == {
        ("Q01", 3.0, checked.pk), ("RAB", 1.0, checked.pk)}
    again = actions.confirm_upload(upload=checked, user=analyst)
    assert again.status == "applied" and Result.objects.count() == 2 and ReturnImport.objects.count() == 1


def test_a_correction_keeps_its_predecessor_and_the_preview_shows_old_and_new(analyst):
    actions.confirm_upload(upload=upload(analyst, HEADER + "Q01,IP18M,2000-01,3\n"), user=analyst)
    correction = upload(analyst, HEADER + "Q01,IP18M,2000-01,4\nRAB,IP18M,2000-01,1\n")
    assert correction.preview["changes"] == [["Q01", "IP18M", 2000, 3.0, 4.0]]
    assert correction.preview["organisations"] == {"Q01": [0, 1, 0], "RAB": [1, 0, 0]}
    actions.confirm_upload(upload=correction, user=analyst)
    revision = ResultRevision.objects.get()
    assert (revision.value, revision.superseded_by_id) == (3.0, correction.pk)


def test_confirming_a_stale_preview_is_refused_and_stores_nothing(analyst):
    first = upload(analyst, HEADER + "Q01,IP18M,2000-01,3\n")
    # Another channel changes the figure after the preview was shown.
    actions.apply_return(rows=[ReturnRow(2, "Q01", "IP18M", 2000, 9.0, None, None)], filename="cmd.csv")
    with pytest.raises(actions.PreviewOutdated, match="Upload the file again"):
        actions.confirm_upload(upload=first, user=analyst)
    first.refresh_from_db()
    assert first.status == "validated" and Result.objects.get().value == 9.0


def test_a_newer_upload_for_the_same_region_and_year_supersedes_an_unconfirmed_one(analyst):
    older = upload(analyst, HEADER + "Q01,IP18M,2000-01,3\n")
    newer = upload(analyst, HEADER + "Q01,IP18M,2000-01,4\n")
    older.refresh_from_db()
    assert (older.status, newer.status) == ("superseded", "validated")
    actions.confirm_upload(upload=older, user=analyst)  # does nothing
    assert not Result.objects.exists()


def test_admin_reverses_an_applied_upload_restoring_previous_values(analyst):
    actions.confirm_upload(upload=upload(analyst, HEADER + "Q01,IP18M,2000-01,3\n"), user=analyst)
    correction = upload(analyst, HEADER + "Q01,IP18M,2000-01,4\nRAB,IP18M,2000-01,1\n")
    actions.confirm_upload(upload=correction, user=analyst)
    admin = User.objects.create_superuser("admin", password="x")
    reversal = actions.reverse_upload(upload=correction, user=admin)
    assert reversal == actions.Reversal(restored=1, removed=1, kept=0)
    assert list(Result.objects.values_list("organisation__code", "value")) == [("Q01", 3.0)]
    assert not ResultRevision.objects.exists()
    correction.refresh_from_db()
    assert (correction.status, correction.reversed_by) == ("reversed", admin)
    with pytest.raises(actions.UploadError, match="Only an applied upload can be reversed"):
        actions.reverse_upload(upload=correction, user=admin)


def test_an_upload_into_a_published_year_is_marked(analyst):
    from ratings.actions import recalculate
    recalculate(year=2000, publish=True)  # the world's organisations, rated or not: runs for HA and TRUST
    assert upload(analyst, HEADER + "Q01,IP18M,2000-01,3\n").touches_published
    assert not upload(analyst, HEADER + "Q01,IP18M,1999-00,3\n", year=1999).touches_published


def test_a_database_failure_part_way_through_confirming_leaves_nothing(analyst, monkeypatch):
    actions.confirm_upload(upload=upload(analyst, HEADER + "Q01,IP18M,2000-01,3\n"), user=analyst)
    checked = upload(analyst, HEADER + "Q01,IP18M,2000-01,4\nRAB,IP18M,2000-01,1\n")

    def fail(*args, **kwargs):
        raise RuntimeError("the database went away")

    # Revisions are written first; the failure comes when the values are.
    monkeypatch.setattr(Result.objects, "bulk_create", fail)
    with pytest.raises(RuntimeError):
        actions.confirm_upload(upload=checked, user=analyst)
    checked.refresh_from_db()
    assert checked.status == "validated" and not ResultRevision.objects.exists()
    assert list(Result.objects.values_list("value", flat=True)) == [3.0]


def test_identical_problems_are_grouped_with_their_first_lines_and_a_count():
    from indicators.spreadsheets import Problem, ProblemGroup, group_problems
    other_year = scope_problems([row(line, "Q01", 2000) for line in range(2, 1741)], year=2001,
                                organisation_regions={"Q01": "NY"}, allowed_regions={"NY"}, region_names=NAMES)
    grouped = group_problems([Problem(None, None, "The file is odd.", "x"), *other_year,
                              Problem(9, "value", "'n/a' is not a number", "x")])
    assert [str(p) for p in grouped] == [
        "The file is odd.",
        "1,739 rows (lines 2, 3, 4, 5, 6 and 1,734 more, column year): The year is 2000-01, but this upload is "
        "for 2001-02.",
        "Line 9, column value: 'n/a' is not a number",
    ]
    assert isinstance(grouped[1], ProblemGroup)
    assert grouped[1].summary == "1,739 rows: the year is 2000-01, but this upload is for 2001-02."


def test_the_page_shows_grouped_problems_and_keeps_single_ones_as_they_are():
    from indicators.uploads import problems_to_show
    stored = [{"line": line, "column": "year", "message": "Bad.", "sheet": "S"} for line in (4, 2, 9)]
    stored.append({"line": 3, "column": "value", "message": "Worse.", "sheet": "S"})
    assert problems_to_show(stored) == [
        {"sheet": "S", "line": "4, 2, 9", "column": "year", "message": "3 rows: bad."},
        {"sheet": "S", "line": 3, "column": "value", "message": "Worse."},
    ]
