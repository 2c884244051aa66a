"""Two writers of the same figures at once, in threads released together by a
barrier, each on its own connection, on whichever database the suite runs on.
Reading what is held is slowed down so that, without the (year, region) lock,
both would read before either writes.

After every race: every applied import's values are either held (pointing at
it) or in the history (ResultRevision, pointing at it), and every status
agrees with what was stored."""

import time

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from indicators import actions
from indicators.actions import results
from indicators.models import Organisation, Region, RegionMembership, Result, ResultRevision, ReturnImport

from tests.conftest import write
from tests.races import race

HEADER = "organisation_code,indicator_code,year,value\n"
REPETITIONS = range(5)
RACE = pytest.mark.django_db(transaction=True, serialized_rollback=True)




@pytest.fixture
def slow_reads(monkeypatch):
    """Widen the gap between reading what is held and writing."""
    original = results.plan_return

    def plan_slowly(rows):
        plan = original(rows)
        time.sleep(0.05)
        return plan

    monkeypatch.setattr(results, "plan_return", plan_slowly)


@pytest.fixture
def staff(world):
    north = User.objects.create_user("north", password="x")
    RegionMembership.objects.create(user=north, region=Region.objects.get(code="NY"))
    admin = User.objects.create_superuser("admin", password="x")
    # Held before the race, so that the racers change values and the history has to keep them.
    call_command("import_returns", write(world, "held.csv", HEADER + "Q01,IP18M,2000-01,1\nRAB,IP18M,2000-01,1\n"),
                 stdout=None)
    return north, admin


def validate(user, text, allowed):
    return actions.validate_upload(user=user, year=2000, filename="return.csv", content=text.encode(),
                                   allowed_regions=allowed)


def values_meant(text: str) -> list[tuple[str, str, int, float]]:
    return [(org, ind, 2000, float(value)) for org, ind, _, value in
            (line.split(",") for line in text.strip().splitlines()[1:])]


def assert_nothing_lost(meant: dict[int, list]):
    """meant: import id -> the (organisation, indicator, year, value)s it would write."""
    held = {(r.organisation.code, r.indicator.code, r.year): (r.value, r.source_import_id)
            for r in Result.objects.select_related("organisation", "indicator")}
    history = {(r.result.organisation.code, r.result.indicator.code, r.result.year, r.value, r.source_import_id)
               for r in ResultRevision.objects.select_related("result__organisation", "result__indicator")}
    for batch in ReturnImport.objects.filter(pk__in=meant):
        stored = Result.objects.filter(source_import=batch).exists() or ResultRevision.objects.filter(
            source_import=batch).exists()
        if batch.status != "applied":
            assert not stored, f"{batch} is {batch.status} but wrote values"
            continue
        assert batch.validated_rows is None
        for org, ind, year, value in meant[batch.pk]:
            assert held.get((org, ind, year)) == (value, batch.pk) or (org, ind, year, value, batch.pk) in history, (
                f"{org} {ind} {year} = {value} of import {batch.pk} is neither held nor in the history")
    # Every revision was replaced by an import that was applied (and perhaps reversed since), and no value was
    # replaced twice by the same import.
    successors = list(ResultRevision.objects.values_list("result_id", "superseded_by_id"))
    assert len(successors) == len(set(successors))
    assert not ResultRevision.objects.exclude(superseded_by__status__in=["applied", "reversed"]).exists()


FIRST = HEADER + "Q01,IP18M,2000-01,5\nRAB,IP18M,2000-01,6\n"
SECOND = HEADER + "Q01,IP18M,2000-01,7\nRAB,IP18M,2000-01,8\n"


@RACE
@pytest.mark.parametrize("repetition", REPETITIONS)
def test_two_confirms_of_the_same_region_and_year_apply_one_and_refuse_the_other(repetition, staff, slow_reads):
    north, admin = staff
    first, second = validate(north, FIRST, {"NY"}), validate(admin, SECOND, None)
    # Supersession would prevent two waiting at once; the confirm must be safe without it.
    ReturnImport.objects.filter(pk=first.pk).update(status="validated")

    outcomes = race(lambda: actions.confirm_upload(upload=first, user=north),
                    lambda: actions.confirm_upload(upload=second, user=admin))

    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert len(refused) == 1 and isinstance(refused[0], actions.PreviewOutdated), outcomes
    assert sorted(ReturnImport.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True)) == [
        "applied", "validated"]
    assert_nothing_lost({first.pk: values_meant(FIRST), second.pk: values_meant(SECOND)})


@RACE
@pytest.mark.parametrize("repetition", REPETITIONS)
def test_one_upload_confirmed_twice_at_once_is_stored_once(repetition, staff, slow_reads):
    north, admin = staff
    upload = validate(north, FIRST, {"NY"})

    outcomes = race(lambda: actions.confirm_upload(upload=upload, user=north),
                    lambda: actions.confirm_upload(upload=upload, user=admin))

    assert [o.status for o in outcomes] == ["applied", "applied"]
    assert ResultRevision.objects.filter(superseded_by=upload).count() == 2
    assert_nothing_lost({upload.pk: values_meant(FIRST)})


@RACE
@pytest.mark.parametrize("repetition", REPETITIONS)
def test_a_confirm_and_the_import_command_at_once_lose_nothing(repetition, staff, slow_reads, world):
    north, _ = staff
    upload = validate(north, FIRST, {"NY"})
    command_file = write(world, "command.csv", SECOND)

    outcomes = race(lambda: actions.confirm_upload(upload=upload, user=north),
                    lambda: call_command("import_returns", command_file, stdout=None))

    command = ReturnImport.objects.get(channel="command", filename="command.csv")
    upload.refresh_from_db()
    if isinstance(outcomes[0], Exception):  # the command came first: the preview is out of date
        assert isinstance(outcomes[0], actions.PreviewOutdated) and upload.status == "validated"
    else:  # the confirm came first: the command replaced its values, which the history keeps
        assert upload.status == "applied"
        assert set(ResultRevision.objects.filter(superseded_by=command).values_list("source_import", "value")) == {
            (upload.pk, 5.0), (upload.pk, 6.0)}
    assert set(Result.objects.values_list("value", "source_import")) == {(7.0, command.pk), (8.0, command.pk)}
    assert_nothing_lost({upload.pk: values_meant(FIRST), command.pk: values_meant(SECOND)})


@RACE
@pytest.mark.parametrize("repetition", REPETITIONS)
def test_two_validations_at_once_leave_exactly_one_waiting(repetition, staff, slow_reads):
    north, admin = staff
    outcomes = race(lambda: validate(north, FIRST, {"NY"}), lambda: validate(admin, SECOND, None))

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    statuses = dict(ReturnImport.objects.filter(channel="upload").values_list("pk", "status"))
    assert sorted(statuses.values()) == ["superseded", "validated"]
    # The one validated last supersedes the other, and is the one that can be confirmed.
    [waiting] = [pk for pk, status in statuses.items() if status == "validated"]
    confirmed = [actions.confirm_upload(upload=o, user=admin) for o in outcomes]
    assert [c.status for c in confirmed if c.pk == waiting] == ["applied"]
    assert_nothing_lost({o.pk: values_meant(FIRST if o.created_by == north else SECOND) for o in outcomes})


@RACE
@pytest.mark.parametrize("repetition", REPETITIONS)
def test_a_reversal_and_a_confirm_at_once_lose_nothing(repetition, staff, slow_reads):
    north, admin = staff
    earlier = actions.confirm_upload(upload=validate(north, FIRST, {"NY"}), user=north)
    later = validate(north, SECOND, {"NY"})

    outcomes = race(lambda: actions.reverse_upload(upload=earlier, user=admin),
                    lambda: actions.confirm_upload(upload=later, user=north))

    earlier.refresh_from_db(), later.refresh_from_db()
    assert not isinstance(outcomes[0], Exception) and earlier.status == "reversed"
    if isinstance(outcomes[1], Exception):  # reversed first: the figures the preview saw are gone
        assert isinstance(outcomes[1], actions.PreviewOutdated) and later.status == "validated"
        assert set(Result.objects.values_list("value", flat=True)) == {1.0}
    else:  # confirmed first: the reversal leaves the later values alone
        assert later.status == "applied" and outcomes[0].kept == 2
        assert set(Result.objects.values_list("value", "source_import")) == {(7.0, later.pk), (8.0, later.pk)}
    assert_nothing_lost({later.pk: values_meant(SECOND)})


@RACE
@pytest.mark.parametrize("repetition", range(3))
def test_a_confirm_of_a_moved_organisation_and_the_command_at_once_lose_nothing(repetition, staff, slow_reads, world):
    """Q01 moved from North to London after North's upload was checked (bypassing the admin, which refuses it):
    the confirm would lock (2000, NY) and the command (2000, LN), so they would not queue. The confirm refuses."""
    north, _ = staff
    upload = validate(north, HEADER + "Q01,IP18M,2000-01,5\n", {"NY"})
    Organisation.objects.filter(code="Q01").update(region=Region.objects.get(code="LN"))
    command_file = write(world, "command.csv", HEADER + "Q01,IP18M,2000-01,7\n")

    outcomes = race(lambda: actions.confirm_upload(upload=upload, user=north),
                    lambda: call_command("import_returns", command_file, stdout=None))

    assert isinstance(outcomes[0], actions.OrganisationsMoved), outcomes
    command = ReturnImport.objects.get(channel="command", filename="command.csv")
    upload.refresh_from_db()
    assert upload.status == "validated" and Result.objects.get(organisation__code="Q01").value == 7.0
    assert_nothing_lost({upload.pk: [("Q01", "IP18M", 2000, 5.0)], command.pk: [("Q01", "IP18M", 2000, 7.0)]})
