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
from indicators.returns import ReturnRow
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


# MORTCIRC, redefined as a rate per 100,000: a counted figure, whose value is multiplier × numerator / denominator.
COUNTED = ("code,name,kind,domain,direction,organisation_types,weight,core_threshold,adjust_for_deprivation,unit,"
           "measure,multiplier\nMORTCIRC,Deaths from circulatory disease,performance,quality,lower_better,HA,1,,true,"
           "per 100000,rate,100000\n")


@pytest.fixture
def counted(fc, tmp_path):
    """HA1's MORTCIRC held with its counts: 100 = 100000 × 50 / 50000."""
    from tests.conftest import write
    call_command("import_indicators", write(tmp_path, "counted.csv", COUNTED), stdout=None)
    indicator_actions.apply_return(rows=[ReturnRow(2, "HA1", "MORTCIRC", 2000, 100.0, 50.0, 50000.0)],
                                   filename="counts.csv")
    return fc


def held_figure(fc):
    return Result.objects.filter(organisation=fc.a, indicator__code="MORTCIRC", year=2000).values_list(
        "value", "numerator", "denominator").get()


@pytest.mark.parametrize("numerator, denominator, field, message", [
    (None, None, "numerator", "Numerator: MORTCIRC is a rate in 2000-01: give the corrected numerator and "
                              "denominator with its value. Nothing was stored."),
    (3.0, None, "denominator", "Denominator: MORTCIRC is a rate in 2000-01: give the corrected numerator and "
                               "denominator"),
    (3.0, 1000.0, "value", "Value: The value 3 is not 100000 × numerator / denominator (MORTCIRC is a rate in "
                           "2000-01): 100000 × 3 / 1000 is 300.00"),
    (3.0, 0.0, "denominator", "Denominator: The denominator is 0 but a numerator (3) is given"),
    (-3.0, 100000.0, "numerator", "Numerator: The numerator -3 is negative."),
])
def test_accepting_a_counted_figure_is_checked_as_a_return_and_refused_whole(counted, numerator, denominator,
                                                                              field, message):
    made = challenge_figure(counted, value=3.0)
    before = AuditEntry.objects.count()
    with pytest.raises(actions.FactCheckError) as refused:
        actions.resolve_challenge(challenge=made, user=counted.people[ADMIN], accept=True, resolution="Agreed.",
                                  numerator=numerator, denominator=denominator)
    assert str(refused.value).startswith(message) and refused.value.field == field
    assert held_figure(counted) == (100.0, 50.0, 50000.0)
    assert not ReturnImport.objects.filter(channel=ReturnImport.Channel.FACT_CHECK).exists()
    assert Challenge.objects.get().is_open and AuditEntry.objects.count() == before
    assert not Recalculation.objects.filter(status__in=["queued", "running"]).exists()


def test_accepting_a_counted_figure_with_consistent_counts_stores_them(counted):
    made = challenge_figure(counted, value=3.0)
    actions.resolve_challenge(challenge=made, user=counted.people[ADMIN], accept=True, resolution="Agreed.",
                              numerator=3.0, denominator=100000.0)
    assert held_figure(counted) == (3.0, 3.0, 100000.0)
    assert ResultRevision.objects.filter(value=100.0, numerator=50.0, denominator=50000.0).exists()


def test_a_proportion_numerator_above_its_denominator_is_refused(fc, tmp_path):
    from tests.conftest import write
    call_command("import_indicators", write(tmp_path, "proportion.csv", COUNTED.replace(
        "rate,100000", "proportion,100")), stdout=None)
    made = challenge_figure(fc, value=3.0)
    with pytest.raises(actions.FactCheckError, match="^Numerator: The numerator 6 is larger than the denominator 2: "
                                                      "MORTCIRC is a proportion in 2000-01."):
        actions.resolve_challenge(challenge=made, user=fc.people[ADMIN], accept=True, resolution="Agreed.",
                                  numerator=6.0, denominator=2.0)
    assert Challenge.objects.get().is_open


def test_accepting_a_figure_takes_the_region_year_locks_before_reading_what_is_held(fc, monkeypatch):
    from indicators import queries as indicator_queries
    from ratings.actions import fact_checks as fact_check_actions
    taken = []
    lock, reference = fact_check_actions.lock_region_years, indicator_queries.returns_reference
    monkeypatch.setattr(fact_check_actions, "lock_region_years",
                        lambda pairs: (taken.append(("lock", pairs)), lock(pairs))[1])
    monkeypatch.setattr(indicator_queries, "returns_reference", lambda: (taken.append(("reference",)), reference())[1])
    made = challenge_figure(fc, value=3.0)
    actions.resolve_challenge(challenge=made, user=fc.people[ADMIN], accept=True, resolution="Agreed.")
    assert taken == [("lock", {(2000, fc.a.region.code)}), ("reference",)]


def test_a_queued_recalculation_is_reused_and_widened_to_the_corrected_type(fc):
    from ratings.actions.recalculation import request_recalculation
    queued, _ = request_recalculation(year=2000, user=fc.people[ADMIN], type_codes=["TRUST"])
    made = challenge_figure(fc, value=3.0)
    actions.resolve_challenge(challenge=made, user=fc.people[ADMIN], accept=True, resolution="Agreed.")
    queued.refresh_from_db()
    assert queued.status == "queued" and queued.type_codes == ["HA", "TRUST"]
    assert AuditEntry.objects.get(action="challenge_accepted").details["recalculation"] == queued.pk
    assert Recalculation.objects.filter(status__in=["queued", "running"]).count() == 1


def test_a_recalculation_already_running_queues_another_that_reads_the_correction(fc):
    from ratings.actions.background_work import start
    from ratings.actions.recalculation import _carry_out, request_recalculation, run_recalculation
    running, _ = request_recalculation(year=2000, user=fc.people[ADMIN], type_codes=["HA"])
    assert start(Recalculation, running.pk)  # a worker took it, and read the data, before the correction
    made = challenge_figure(fc, value=3.0)
    actions.resolve_challenge(challenge=made, user=fc.people[ADMIN], accept=True, resolution="Agreed.")
    assert not Recalculation.objects.filter(status="queued").exists()  # one active recalculation per year
    _carry_out(Recalculation.objects.get(pk=running.pk), certainty_here=True)  # the worker finishes it
    follow_up = Recalculation.objects.get(status="queued")
    assert follow_up.year == 2000 and follow_up.type_codes == ["HA"] and follow_up.pk != running.pk
    run_recalculation(recalculation_id=follow_up.pk)  # it started after the correction: nothing more to queue
    assert Recalculation.objects.get(pk=follow_up.pk).status == "succeeded"
    assert not Recalculation.objects.filter(status__in=["queued", "running"]).exists()


def test_the_close_button_closes_the_window_and_emails_its_staff_once(fc, client, django_capture_on_commit_callbacks):
    from django.urls import reverse
    client.force_login(fc.people[ADMIN])
    url = reverse("ratings_admin:fact_check_close", args=[fc.window.pk])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("ratings_admin:fact_check_window", args=[fc.window.pk])
    assert f"Fact-check window {fc.window.pk}" in response.content.decode()
    assert "is closed; the organisations&#x27; staff have been emailed." in response.content.decode()
    assert sorted(m.to[0] for m in mail.outbox) == ["staff_a@example.org", "staff_b@example.org"]
    assert all(m.subject.startswith("Fact-check window closed") for m in mail.outbox)
    fc.window.refresh_from_db()
    assert fc.window.closed_by == fc.people[ADMIN]
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(url, follow=True)
    assert "was already closed." in again.content.decode() and len(mail.outbox) == 2


def test_an_accepted_statement_says_it_records_the_decision_only(fc, client, django_capture_on_commit_callbacks):
    from django.urls import reverse
    made = actions.make_challenge(user=fc.people[STAFF_A], organisation=fc.a, year=2000,
                                  statement="A is rated yellow.", reason="It should be green.")
    client.force_login(fc.people[ADMIN])
    admin_url = reverse("ratings_admin:challenge", args=[made.pk])
    only = "Accepted: the decision is recorded; no figure was changed and the draft card is not recalculated."
    assert "Accepting a statement records the decision only: no figure is changed" in client.get(
        admin_url).content.decode()
    mail.outbox.clear()
    recalculations = Recalculation.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(admin_url, {"decision": "accept", "resolution": "Noted for next year."}, follow=True)
    assert only in response.content.decode()  # the message after deciding
    assert only in client.get(admin_url).content.decode()
    assert only in mail.outbox[0].body
    assert Recalculation.objects.count() == recalculations and Challenge.objects.get().correction is None
    client.force_login(fc.people[STAFF_A])
    page = client.get(reverse("fact_check:challenge", args=[made.pk])).content.decode()
    assert only in page and "Noted for next year." in page


def test_an_accepted_figure_says_it_was_corrected(fc, client):
    from django.urls import reverse
    made = challenge_figure(fc, value=3.0)
    actions.resolve_challenge(challenge=made, user=fc.people[ADMIN], accept=True, resolution="Agreed.")
    client.force_login(fc.people[STAFF_A])
    page = client.get(reverse("fact_check:challenge", args=[made.pk])).content.decode()
    assert ("Accepted: the 2000-01 value for MORTCIRC was corrected to 3, and 2000-01 is recalculated as a new "
            "draft.") in page


def test_the_admin_page_names_the_missing_count_and_stores_nothing(counted, client):
    from django.urls import reverse
    made = challenge_figure(counted, value=3.0)
    client.force_login(counted.people[ADMIN])
    response = client.post(reverse("ratings_admin:challenge", args=[made.pk]),
                           {"decision": "accept", "resolution": "Agreed.", "numerator": "3"})
    assert response.status_code == 400
    assert response.context["form"].errors == {"denominator": [
        "Denominator: MORTCIRC is a rate in 2000-01: give the corrected numerator and denominator with its value. "
        "Nothing was stored."]}
    assert held_figure(counted) == (100.0, 50.0, 50000.0) and Challenge.objects.get().is_open
