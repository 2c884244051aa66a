"""The fact-check window's actions: memberships, opening and closing, challenges
made and resolved (a figure corrected through the returns path and the year
recalculated as a new draft), publishing refused while challenges are open
unless a reason is recorded; every step audited and emailed on commit."""

from datetime import timedelta
from io import StringIO
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from indicators import actions as indicator_actions
from indicators.models import Organisation, OrganisationMembership, Result, ResultRevision, ReturnImport
from ratings import actions
from ratings.actions.fact_checks import draft_run_for
from ratings.models import AuditEntry, Challenge, FactCheckWindow, RatingRun, Recalculation
from tests import fact_check_world
from tests.fact_check_world import ADMIN, STAFF_A, STAFF_B

PDF = b"%PDF-1.4\n% a letter from the finance director\n"


@pytest.fixture(autouse=True)
def locmem_email(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def fc(rated_world, django_capture_on_commit_callbacks):
    a, b = Organisation.objects.get(code="HA1"), Organisation.objects.get(code="HA2")
    with django_capture_on_commit_callbacks(execute=True):
        return fact_check_world.build(a, b)


def challenge_figure(fc, value=3.0, **kwargs):
    return actions.make_challenge(user=fc.people[STAFF_A], organisation=fc.a, year=2000, indicator_code="MORTCIRC",
                                  figure_year=2000, proposed_value=value, reason="Our own count is 3.", **kwargs)


def test_organisation_memberships_are_granted_and_removed_through_audited_actions(rated_world):
    from django.contrib.auth.models import User
    admin = User.objects.create_superuser("boss", password="a-long-password-1")
    member = User.objects.create_user("nurse", password="a-long-password-1")
    organisation = Organisation.objects.get(code="HA1")
    indicator_actions.grant_organisation_membership(member=member, organisation=organisation, user=admin)
    indicator_actions.grant_organisation_membership(member=member, organisation=organisation, user=admin)
    assert OrganisationMembership.objects.filter(user=member, organisation=organisation).count() == 1
    assert indicator_actions.remove_every_organisation_membership(member=member, user=admin) == 1
    entries = list(AuditEntry.objects.filter(action__startswith="org_membership").order_by("id"))
    assert [e.action for e in entries] == ["org_membership_granted", "org_membership_removed"]
    assert entries[0].details == {"member": "nurse", "member_id": member.pk, "organisation": "HA1"}
    assert entries[0].user == admin and "nurse" in entries[0].description


def test_opening_a_window_is_audited_and_emails_the_staff_of_every_rated_organisation(fc):
    entry = AuditEntry.objects.get(action="fact_check_opened")
    assert entry.user == fc.people[ADMIN] and entry.details["window"] == fc.window.pk
    opened = [m for m in mail.outbox if m.subject.startswith("Fact-check window open")]
    assert sorted(m.to[0] for m in opened) == ["staff_a@example.org", "staff_b@example.org"]
    body = next(m.body for m in opened if m.to == ["staff_a@example.org"])
    assert "/fact-check/HA1/2000-01/" in body and "A Health Authority" in body


def test_a_window_needs_drafts_a_future_closing_time_and_one_at_a_time(fc):
    admin = fc.people[ADMIN]
    with pytest.raises(actions.FactCheckError, match="has passed"):
        actions.open_window(year=2000, closes_at=timezone.now() - timedelta(minutes=1), user=admin)
    with pytest.raises(actions.FactCheckError, match="already open"):
        actions.open_window(year=2000, closes_at=timezone.now() + timedelta(days=1), user=admin)
    with pytest.raises(actions.FactCheckError, match="no draft runs"):
        actions.open_window(year=1999, closes_at=timezone.now() + timedelta(days=1), user=admin)
    with pytest.raises(actions.FactCheckError, match="Only admins"):
        actions.open_window(year=1999, closes_at=timezone.now() + timedelta(days=1), user=fc.people[STAFF_A])


def test_the_draft_shown_is_the_newest_of_the_type_and_only_while_the_window_is_open(fc):
    [ha_draft] = [run for run in fc.drafts if run.organisation_type.code == "HA"]
    assert draft_run_for(fc.window, fc.a) == ha_draft
    assert draft_run_for(fc.window, fc.a, at=fc.window.closes_at) is None  # closed by its time, before any job
    [newer] = actions.recalculate(year=2000, type_codes=["HA"])
    assert draft_run_for(fc.window, fc.a) == newer
    actions.publish_run(run=newer)
    assert draft_run_for(fc.window, fc.a) is None  # published: the public card takes over


def test_a_window_of_chosen_types_shows_no_other_type(rated_world):
    a, b = Organisation.objects.get(code="HA1"), Organisation.objects.get(code="HA2")
    people = fact_check_world.make_people(a, b)
    actions.recalculate(year=2000)
    window = actions.open_window(year=2000, closes_at=timezone.now() + timedelta(days=1), user=people[ADMIN],
                                 type_codes=["TRUST"])
    assert draft_run_for(window, a) is None


def test_closing_is_audited_and_emailed_once_by_an_admin(fc, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.close_window(window=fc.window, user=fc.people[ADMIN])
        assert not actions.close_window(window=fc.window, user=fc.people[ADMIN])
    fc.window.refresh_from_db()
    assert fc.window.closed_by == fc.people[ADMIN] and not fc.window.is_open()
    assert AuditEntry.objects.filter(action="fact_check_closed").count() == 1
    assert sorted(m.to[0] for m in mail.outbox) == ["staff_a@example.org", "staff_b@example.org"]
    assert all(m.subject.startswith("Fact-check window closed") for m in mail.outbox)


def test_the_command_closes_the_windows_past_their_time(fc, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    out = StringIO()
    call_command("close_due_fact_check_windows", stdout=out)
    assert out.getvalue() == "" and FactCheckWindow.objects.open().exists()
    later = fc.window.closes_at + timedelta(seconds=1)
    with mock.patch("django.utils.timezone.now", return_value=later), \
            django_capture_on_commit_callbacks(execute=True):
        call_command("close_due_fact_check_windows", stdout=out)
    assert f"Fact-check window {fc.window.pk} for 2000-01: closed at its closing time." in out.getvalue()
    fc.window.refresh_from_db()
    assert fc.window.closed_at == later and fc.window.closed_by is None
    assert len(mail.outbox) == 2 and AuditEntry.objects.get(action="fact_check_closed").user is None


def test_staff_challenge_a_figure_of_their_own_organisation_only(fc):
    made = challenge_figure(fc, attachment=actions.Attachment(name="letter.pdf", content=PDF))
    assert made.status == "open" and made.run.organisation_type.code == "HA" and made.attachment_name == "letter.pdf"
    assert made.subject() == "The 2000-01 value for MORTCIRC is 3"
    assert AuditEntry.objects.get(action="challenge_made").details == {"challenge": made.pk, "organisation": "HA1"}
    with pytest.raises(actions.FactCheckError, match="not registered as staff of A Health Authority"):
        actions.make_challenge(user=fc.people[STAFF_B], organisation=fc.a, year=2000, statement="x", reason="y")
    with pytest.raises(actions.FactCheckError, match="No fact-check window of 1999-00"):
        actions.make_challenge(user=fc.people[STAFF_A], organisation=fc.a, year=1999, statement="x", reason="y")
    with pytest.raises(actions.FactCheckError, match="Name the figure"):
        actions.make_challenge(user=fc.people[STAFF_A], organisation=fc.a, year=2000, reason="y")
    assert Challenge.objects.count() == 1


@pytest.mark.parametrize("name, content, message", [
    ("evil.exe", b"MZ...", "evil.exe: attach a PDF, CSV, XLSX, PNG or JPEG file, not .exe."),
    ("scan.png", b"%PDF-1.4", "scan.png: the file is not a PNG file"),
    ("big.pdf", b"%PDF-" + b"x" * (5 * 1024 * 1024), "big.pdf: the file is 5.0 MB; attachments may be at most 5 MB."),
    ("empty.csv", b"", "empty.csv: the file is empty."),
    ("binary.csv", b"a,b\x00\n", "binary.csv: the file is not a CSV file"),
    ("../../etc/passwd", b"root", "passwd: attach a PDF"),
])
def test_a_bad_attachment_is_refused_by_name_and_nothing_is_stored(fc, name, content, message):
    before = AuditEntry.objects.count()
    with pytest.raises(actions.FactCheckError) as refused:
        challenge_figure(fc, attachment=actions.Attachment(name=name, content=content))
    assert str(refused.value).startswith(message)
    assert not Challenge.objects.exists() and AuditEntry.objects.count() == before


def test_accepting_a_figure_corrects_it_through_the_returns_path_and_recalculates_a_draft(
        fc, django_capture_on_commit_callbacks):
    held = Result.objects.get(organisation=fc.a, indicator__code="MORTCIRC", year=2000)
    made = challenge_figure(fc, value=3.0)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        resolved = actions.resolve_challenge(challenge=made, user=fc.people[ADMIN], accept=True,
                                             resolution="The region's file had a typing error.")
    held.refresh_from_db()
    assert resolved.status == "accepted" and held.value == 3.0
    correction = resolved.correction
    assert correction.channel == ReturnImport.Channel.FACT_CHECK and held.source_import == correction
    assert correction.filename == f"Fact-check challenge {made.pk}"
    assert ResultRevision.objects.get(result=held, superseded_by=correction).value == 100
    recalculation = Recalculation.objects.get(year=2000, status__in=["queued", "running"])
    assert recalculation.type_codes == ["HA"]
    entry = AuditEntry.objects.get(action="challenge_accepted")
    assert entry.details["correction"] == correction.pk and entry.details["recalculation"] == recalculation.pk
    [sent] = mail.outbox
    assert sent.to == ["staff_a@example.org"] and sent.subject == f"Your challenge {made.pk} was accepted"
    assert "The region's file had a typing error." in sent.body


def test_rejecting_needs_a_reason_changes_no_figure_and_is_told(fc, django_capture_on_commit_callbacks):
    made = challenge_figure(fc)
    with pytest.raises(actions.FactCheckError, match="Say why"):
        actions.resolve_challenge(challenge=made, user=fc.people[ADMIN], accept=False, resolution="  ")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.resolve_challenge(challenge=made, user=fc.people[ADMIN], accept=False, resolution="The file is right.")
    assert Result.objects.get(organisation=fc.a, indicator__code="MORTCIRC", year=2000).value == 100
    assert Challenge.objects.get().resolution == "The file is right." and mail.outbox[0].subject.endswith("rejected")
    with pytest.raises(actions.FactCheckError, match="already rejected"):
        actions.resolve_challenge(challenge=made, user=fc.people[ADMIN], accept=True, resolution="Changed my mind")
    with pytest.raises(actions.FactCheckError, match="Only admins"):
        actions.resolve_challenge(challenge=made, user=fc.people[STAFF_A], accept=True, resolution="Mine")


def test_publishing_with_open_challenges_needs_a_recorded_reason(fc):
    made = challenge_figure(fc)
    [ha_draft] = [run for run in fc.drafts if run.organisation_type.code == "HA"]
    with pytest.raises(actions.RecalculationError, match=f"HA 2000-01 has 1 open fact-check challenge \\({made.pk}\\)"):
        actions.publish_run(run=ha_draft, user=fc.people[ADMIN])
    assert RatingRun.objects.get(pk=ha_draft.pk).is_draft
    [trust_draft] = [run for run in fc.drafts if run.organisation_type.code == "TRUST"]
    actions.publish_run(run=trust_draft, user=fc.people[ADMIN])  # no challenge of its type
    actions.publish_run(run=ha_draft, user=fc.people[ADMIN], open_challenges_reason="Ministers announce today.")
    entry = AuditEntry.objects.get(action="published", run=ha_draft)
    assert entry.details["open_challenges"] == [made.pk]
    assert entry.details["open_challenges_reason"] == "Ministers announce today."
    assert entry.description.endswith(f"With open fact-check challenges {made.pk}, because: Ministers announce today.")
