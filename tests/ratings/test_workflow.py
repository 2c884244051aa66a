"""The admin workflow pages: from new data to a published, explained,
scheduled and corrected set of ratings, with the background worker."""

import json
from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from indicators.models import Indicator, Region, RegionMembership
from ratings import actions, engine
from ratings.actions import recalculation as recalculation_actions
from ratings.actions import what_ifs as what_if_actions
from ratings.models import AuditEntry, BandConsequence, Rating, RatingRun, RatingScheme, Recalculation, WhatIf


def run_worker():
    """The real worker, once through the queue. It closes stale connections
    between tasks, which would close the test's own transaction: not here."""
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)


def url(name, *args):
    return reverse(f"ratings_admin:{name}", args=args)


def test_recalculation_is_queued_for_the_worker_which_reports_progress(admin_client, admin):
    response = admin_client.post(url("recalculate", 2000))
    recalculation = Recalculation.objects.get()
    assert response.status_code == 302 and response.url == url("recalculation", recalculation.pk)
    # Nothing computed in the request: it waits for the worker.
    assert (recalculation.status, RatingRun.objects.count(), DBTaskResult.objects.count()) == ("queued", 0, 1)
    page = admin_client.get(url("recalculation", recalculation.pk))
    assert b"Waiting for the worker" in page.content and b"ratings/progress.js" in page.content
    assert page.content.count(b"Waiting for the worker") == 1 and b"step 0 of 0" not in page.content
    assert admin_client.get(url("recalculation_progress", recalculation.pk)).json() == {
        "status": "queued", "status_label": "Waiting for the worker", "step": "Waiting for the worker",
        "sentence": "Waiting for the worker",
        "steps_done": 0, "steps_total": 0, "percent": 0, "error": "", "active": True, "stale": False}

    seen = []
    original = recalculation_actions.report

    def spy(recalculation, step, done):
        original(recalculation, step, done)
        seen.append(admin_client.get(url("recalculation_progress", recalculation.pk)).json()["percent"])

    with mock.patch.object(recalculation_actions, "report", spy):
        run_worker()
    assert seen == [0, 20, 40, 60, 80]  # what the page showed at each step
    recalculation.refresh_from_db()
    runs = list(recalculation.runs.order_by("organisation_type__code"))
    assert (recalculation.status, recalculation.percent_done) == ("succeeded", 100)
    assert [(run.organisation_type.code, run.status, run.created_by) for run in runs] == [
        ("HA", "draft", admin), ("TRUST", "draft", admin)]
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    page = admin_client.get(url("recalculation", recalculation.pk))
    assert b"ratings/progress.js" not in page.content  # finished: nothing left to follow
    assert f"runs={runs[0].pk}&amp;runs={runs[1].pk}".encode() in page.content
    assert list(AuditEntry.objects.values_list("action", flat=True).order_by("id")) == [
        "recalculation_requested", "recalculated", "recalculated"]


def test_asking_again_while_one_is_queued_shows_that_one(admin_client):
    first = admin_client.post(url("recalculate", 2000))
    second = admin_client.post(url("recalculate", 2000), follow=True)
    assert second.redirect_chain[0][0] == first.url
    assert b"was already being recalculated" in second.content
    assert Recalculation.objects.count() == 1 and DBTaskResult.objects.count() == 1


def test_a_recalculation_that_fails_in_the_worker_says_why_and_stores_nothing(admin_client, monkeypatch):
    admin_client.post(url("recalculate", 2000))

    def broken(inputs, params, reuse=None):
        raise actions.RecalculationError("the engine found no organisations")

    monkeypatch.setattr(engine, "rate", broken)
    run_worker()
    recalculation = Recalculation.objects.get()
    assert (recalculation.status, recalculation.error) == ("failed", "the engine found no organisations")
    assert RatingRun.objects.count() == 0
    assert AuditEntry.objects.filter(action="recalculation_failed").exists()
    assert b"the engine found no organisations" in admin_client.get(url("recalculation", recalculation.pk)).content
    # The year is free for another try.
    assert admin_client.post(url("recalculate", 2000)).status_code == 302
    assert Recalculation.objects.filter(status="queued").count() == 1


def test_an_unexpected_error_is_recorded_and_raised_for_the_workers_log(admin_client, monkeypatch):
    admin_client.post(url("recalculate", 2000))
    monkeypatch.setattr(engine, "rate", mock.Mock(side_effect=ZeroDivisionError))
    run_worker()
    recalculation = Recalculation.objects.get()
    assert recalculation.status == "failed" and "unexpected error" in recalculation.error
    assert DBTaskResult.objects.get().status == "FAILED"


def test_an_invalid_method_is_refused_before_anything_is_queued(admin_client):
    RatingScheme.objects.create(year=2000, deprivation_indicator="IP18M")  # a performance indicator
    response = admin_client.post(url("recalculate", 2000), follow=True)
    assert b"must be a context indicator" in response.content
    assert Recalculation.objects.count() == DBTaskResult.objects.count() == 0


def test_a_recalculation_whose_worker_died_frees_the_year(admin_client, settings):
    # Dead means silent for RECALCULATION_STALE_MINUTES (2): its worker's heartbeat stopped.
    admin_client.post(url("recalculate", 2000))
    Recalculation.objects.update(status="running", heartbeat_at=timezone.now() - timedelta(minutes=1))
    admin_client.post(url("recalculate", 2000))
    assert Recalculation.objects.get().status == "running"  # a minute's silence: still alive
    Recalculation.objects.update(heartbeat_at=timezone.now() - timedelta(minutes=2, seconds=1))
    admin_client.post(url("recalculate", 2000))
    old, new = Recalculation.objects.order_by("pk")
    assert old.status == "failed" and "fell silent for 2 minutes" in old.error
    assert new.status == "queued"


def test_a_recalculation_no_worker_started_is_given_up_after_the_queue_wait(admin_client, settings):
    admin_client.post(url("recalculate", 2000))
    Recalculation.objects.update(heartbeat_at=timezone.now() - timedelta(minutes=29))
    admin_client.post(url("recalculate", 2000))
    assert Recalculation.objects.get().status == "queued"  # the workers may be busy: not dead yet
    Recalculation.objects.update(heartbeat_at=timezone.now() - timedelta(minutes=31))
    admin_client.post(url("recalculate", 2000))
    old, new = Recalculation.objects.order_by("pk")
    assert old.status == "failed" and "No worker started it within 30 minutes" in old.error
    assert new.status == "queued"


def test_from_draft_to_published_scheduled_corrected_and_withdrawn(admin_client, admin):
    [draft] = actions.recalculate(year=2000, user=admin, type_codes=["HA"])
    assert admin_client.get(url("year", 2000)).status_code == 200
    page = admin_client.get(url("publish", draft.pk))
    assert b"Compare with the published ratings first" in page.content
    response = admin_client.post(url("publish", draft.pk), {"when": "now"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "published" and draft.published_by == admin

    [correction] = actions.recalculate(year=2000, user=admin, type_codes=["HA"])
    refused = admin_client.post(url("publish", correction.pk), {"when": "now"})
    assert refused.status_code == 400 and b"this is a correction: say what it corrects" in refused.content
    release = timezone.localtime() + timedelta(days=2)
    response = admin_client.post(url("publish", correction.pk), {
        "when": "scheduled", "date": release.date().isoformat(), "time": release.strftime("%H:%M"),
        "note": "Mortality figures for HA3 were corrected."})
    assert response.status_code == 302
    correction.refresh_from_db()
    assert (correction.status, correction.revision_note) == ("scheduled", "Mortality figures for HA3 were corrected.")
    assert correction.published_at == release.replace(second=0, microsecond=0)
    assert list(RatingRun.objects.published().values_list("pk", flat=True)) == [draft.pk]

    past = admin_client.post(url("publish", correction.pk), {"when": "scheduled", "date": "2001-01-01",
                                                            "time": "09:30"})
    assert past.status_code == 400 and b"has passed" in past.content

    response = admin_client.post(url("withdraw", draft.pk), {"reason": ""})
    assert response.status_code == 400
    response = admin_client.post(url("withdraw", draft.pk), {"reason": "A data error in the returns."})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.withdrawal_reason) == ("withdrawn", "A data error in the returns.")
    assert list(AuditEntry.objects.filter(year=2000).values_list("action", flat=True).order_by("id")) == [
        "recalculated", "published", "recalculated", "scheduled", "withdrawn"]


def test_a_years_drafts_are_published_together_or_not_at_all(admin_client, admin):
    [ha] = actions.recalculate(year=2000, user=admin, type_codes=["HA"], publish=True)
    drafts = actions.recalculate(year=2000, user=admin)  # HA (a correction) and TRUST (first publication)
    page = admin_client.get(url("publish_year", 2000))
    assert [run.pk for run in page.context["runs"]] == [run.pk for run in drafts]
    refused = admin_client.post(url("publish_year", 2000), {"when": "now"})
    assert refused.status_code == 400 and b"this is a correction" in refused.content
    assert not RatingRun.objects.filter(pk__in=[r.pk for r in drafts]).exclude(status="draft").exists()
    release = timezone.localtime() + timedelta(hours=3)
    admin_client.post(url("publish_year", 2000), {"when": "scheduled", "date": release.date().isoformat(),
                                                  "time": release.strftime("%H:%M"), "note": "Late returns."})
    assert set(RatingRun.objects.filter(pk__in=[r.pk for r in drafts]).values_list("status", flat=True)) == {
        "scheduled"}
    assert list(RatingRun.objects.published().values_list("pk", flat=True)) == [ha.pk]


def test_nothing_changes_on_get(admin_client, admin):
    [draft] = actions.recalculate(year=2000, user=admin, type_codes=["HA"])
    before = (RatingRun.objects.filter(status="draft").count(), AuditEntry.objects.count(),
              Recalculation.objects.count())
    for name, args in [("publish", [draft.pk]), ("withdraw", [draft.pk]), ("recalculate", [2000]),
                       ("copy_method", [2000]), ("publish_year", [2000])]:
        assert admin_client.get(url(name, *args)).status_code in (200, 405)
    assert (RatingRun.objects.filter(status="draft").count(), AuditEntry.objects.count(),
            Recalculation.objects.count()) == before


def test_compare_explains_every_band_that_moved(admin_client, admin):
    [published] = actions.recalculate(year=2000, user=admin, type_codes=["HA"], publish=True)
    actions.update_scheme(year=2000, values={"value_added": False}, user=admin)
    [draft] = actions.recalculate(year=2000, user=admin, type_codes=["HA"])
    page = admin_client.get(url("compare", 2000))
    assert page.status_code == 200
    comparison = page.context["comparison"]
    assert comparison.parameter_changes == [("value_added", True, False)]
    moved = {change.organisation.code: (change.before.band, change.after.band) for change in comparison.changes}
    # B tied with A for green only through the adjustment (see tests/ratings/conftest.py).
    assert moved == {"HA2": ("green", "yellow")}
    [change] = comparison.changes
    assert change.main_reason == "adjustment"
    assert "B Health Authority" in page.content.decode()
    assert comparison.totals.after["green"] == 1 and comparison.totals.before["green"] == 2
    # The same draft, picked by id, against last year (nothing published): everyone is new.
    previous = admin_client.get(url("compare", 2000), {"runs": draft.pk, "against": "previous"})
    assert len(previous.context["comparison"].changes) == Rating.objects.filter(run=draft).count()


WHAT_IF_VALUES = {"green_share": 0.25, "red_core_failures": 2, "improvement_weight": 0.25, "value_added": "",
                  "deprivation_indicator": "DEPRIVATION", "min_coverage": 0.5, "clip_z": 3,
                  "missing_core_data": "failure", "uncertainty_draws": 2000, "uncertainty_seed": 2000,
                  **{f"weight_{d}": 1 for d in engine.DOMAINS}}


def test_what_if_runs_on_the_worker_and_keeps_its_answer_storing_no_ratings(admin_client, admin):
    actions.recalculate(year=2000, user=admin, type_codes=["HA"])
    before = (RatingRun.objects.count(), Rating.objects.count(), AuditEntry.objects.count())
    form = admin_client.get(url("what_if", 2000))
    assert form.status_code == 200 and form.context["comparison"] is None
    response = admin_client.post(url("what_if", 2000), WHAT_IF_VALUES)
    what_if = WhatIf.objects.get()
    assert response.status_code == 302 and response.url == url("what_if_result", what_if.pk)
    # Nothing computed in the request: it waits for the worker.
    assert (what_if.status, what_if.outcomes, DBTaskResult.objects.count()) == ("queued", {}, 1)
    waiting = admin_client.get(url("what_if_result", what_if.pk))
    assert waiting.context["comparison"] is None and b"ratings/progress.js" in waiting.content
    assert admin_client.get(url("what_if_progress", what_if.pk)).json()["status"] == "queued"

    seen = []
    original = what_if_actions.report

    def spy(work, step, done):
        original(work, step, done)
        seen.append(admin_client.get(url("what_if_progress", work.pk)).json()["percent"])

    with mock.patch.object(what_if_actions, "report", spy):
        run_worker()
    assert seen == [0, 33, 67]
    what_if.refresh_from_db()
    assert (what_if.status, what_if.requested_by, what_if.base_parameters["value_added"],
            what_if.parameters["value_added"]) == ("succeeded", admin, True, False)
    page = admin_client.get(url("what_if_result", what_if.pk))
    moved = {c.organisation.code: (c.before.band, c.after.band) for c in page.context["comparison"].changes}
    assert moved == {"HA2": ("green", "yellow")}
    assert b"ratings/progress.js" not in page.content and b"B Health Authority" in page.content
    # The form offers the parameters tried, to change and try again.
    assert page.context["form"].initial["value_added"] is False
    assert (RatingRun.objects.count(), Rating.objects.count(), AuditEntry.objects.count()) == before
    invalid = admin_client.post(url("what_if", 2000), {**WHAT_IF_VALUES, "green_share": 0})
    assert invalid.status_code == 400 and "green_share" in invalid.context["form"].errors
    assert WhatIf.objects.count() == 1


def test_a_kept_what_if_answer_reads_back_as_the_one_computed_in_memory(admin, rated_world):
    from ratings import admin_comparisons
    base = engine.SchemeParameters()
    tried = engine.SchemeParameters(red_core_failures=1, value_added=False)
    computed = admin_comparisons.what_if_outcomes(year=2000, before=base, after=tried, type_codes=["HA", "TRUST"])
    kept = admin_comparisons.outcomes_from_json(json.loads(json.dumps(admin_comparisons.outcomes_as_json(computed))))
    assert kept == computed and kept["after"]  # every field, tuples and all
    assert admin_comparisons.what_if(year=2000, before=base, after=tried, type_codes=["HA", "TRUST"]).changes == \
        admin_comparisons.what_if_comparison(year=2000, before=base, after=tried, outcomes=kept).changes


def test_copying_last_years_method(admin_client, admin):
    RatingScheme.objects.create(year=1999, green_share=0.2, red_core_failures=3)
    page = admin_client.get(url("year", 2000))
    assert b"Copy last year's method" in page.content
    admin_client.post(url("copy_method", 2000))
    copied = RatingScheme.objects.get(year=2000)
    assert (copied.green_share, copied.red_core_failures) == (0.2, 3)
    assert AuditEntry.objects.filter(action="scheme_copied", year=2000, user=admin).exists()


def test_interventions_list_red_organisations_with_their_place_on_the_ladder(admin_client, admin):
    # Every authority fails the core target in both years: red twice running.
    _import("".join(f"HA{i},IP18M,{y},5\nHA{i},MORTCIRC,{y},100\n" for i in range(1, 5)
                    for y in ("1999-00", "2000-01")))
    for year in (1999, 2000):
        RatingScheme.objects.create(year=year, red_core_failures=1)  # the one core target is enough
        actions.recalculate(year=year, user=admin, type_codes=["HA"], publish=True)
    page = admin_client.get(url("interventions"))
    items = page.context["interventions"]
    # Longest run of red first, then by type and name (HA4's name starts with "=").
    assert [(i.organisation.code, i.red_years) for i in items] == [
        ("HA4", 2), ("HA1", 2), ("HA2", 2), ("HA3", 2)]
    ladder = list(BandConsequence.objects.filter(band="red").order_by("consecutive_years", "position"))
    assert [s.title for s in items[0].steps_reached] == [s.title for s in ladder if s.consecutive_years <= 2]
    assert b"Close interest from the regional office" in page.content or ladder == []
    # The failed target in words, and each organisation linked to its report card of the year.
    assert items[0].failures == ["Inpatients waiting over 18 months"]
    html = page.content.decode()
    assert '<a href="/organisations/HA4/2000-01/">' in html and "<td>Inpatients waiting over 18 months</td>" in html


def test_interventions_list_only_what_the_run_counted_as_failed(admin_client, admin):
    # HA1 misses the core target (IP18M) and is red at one failure. Its rating is then given a
    # second core target with no figure, as the engine stores one: a failure only under
    # missing_core_data = failure; under not_green it is kept, but is none.
    _import("HA1,IP18M,2000-01,5\n")
    RatingScheme.objects.create(year=2000, red_core_failures=1, missing_core_data="not_green")
    [run] = actions.recalculate(year=2000, user=admin, type_codes=["HA"], publish=True)
    rating = run.ratings.get(organisation__code="HA1")
    rating.core_failures = [*rating.core_failures,
                            {"indicator": "MORTCIRC", "value": None, "threshold": 90.0, "reason": "no data"}]
    rating.save(update_fields=["core_failures"])

    def listed():
        items = admin_client.get(url("interventions")).context["interventions"]
        return {i.organisation.code: i.failures for i in items}

    names = dict(Indicator.objects.values_list("code", "name"))
    assert listed() == {"HA1": [names["IP18M"]]}
    RatingRun.objects.filter(pk=run.pk).update(parameters={**run.parameters, "missing_core_data": "failure"})
    assert listed() == {"HA1": [names["IP18M"], f"{names['MORTCIRC']} (no data)"]}


def _import(rows: str):
    import tempfile
    from pathlib import Path
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "more.csv"
        path.write_text("organisation_code,indicator_code,year,value\n" + rows, encoding="utf-8")
        call_command("import_returns", str(path), stdout=None)


def test_consequence_edits_are_audited(admin_client, admin):
    response = admin_client.post(reverse("admin:ratings_bandconsequence_add"), {
        "band": "red", "consecutive_years": 3, "title": "Franchise the management", "description": "",
        "position": 0})
    assert response.status_code == 302
    consequence = BandConsequence.objects.get(title="Franchise the management")
    added = AuditEntry.objects.get(action="consequence_changed")
    assert added.user == admin and "Added to what red means" in added.description
    admin_client.post(reverse("admin:ratings_bandconsequence_change", args=[consequence.pk]), {
        "band": "red", "consecutive_years": 4, "title": "Franchise the management", "description": "",
        "position": 0})
    changed = AuditEntry.objects.filter(action="consequence_changed").latest("id")
    assert changed.details == {"consecutive_years": [3, 4]}
    admin_client.post(reverse("admin:ratings_bandconsequence_delete", args=[consequence.pk]), {"post": "yes"})
    assert AuditEntry.objects.filter(action="consequence_deleted", user=admin).exists()
    assert not BandConsequence.objects.filter(pk=consequence.pk).exists()


# Permissions ----------------------------------------------------------------

def workflow_urls(run_pk: int, recalculation_pk: int) -> list[str]:
    """Every URL of the workflow, from its URL patterns, so a new page cannot be left out."""
    from ratings import urls
    found = []
    for pattern in urls.urlpatterns:
        names = pattern.pattern.converters
        kwargs = {name: 2000 if name == "year" else (recalculation_pk if "recalculation" in pattern.name
                                                     else run_pk) for name in names}
        found.append(reverse(f"ratings_admin:{pattern.name}", kwargs=kwargs))
    return found


def admin_urls_of_ratings(run_pk: int) -> list[str]:
    from django.contrib import admin
    found = []
    for model in admin.site._registry:
        if model._meta.app_label != "ratings":
            continue
        name = f"admin:ratings_{model._meta.model_name}"
        found += [reverse(f"{name}_changelist"), reverse(f"{name}_add")]
        first = model.objects.first()
        if first is not None:
            found.append(reverse(f"{name}_change", args=[first.pk]))
    return found + [reverse("admin:app_list", args=["ratings"])]


@pytest.mark.parametrize("who", ["anonymous", "regional staff", "staff without admin rights"])
def test_nobody_but_admins_reaches_any_of_it(client, admin, who):
    [run] = actions.recalculate(year=2000, user=admin, type_codes=["HA"])
    recalculation = Recalculation.objects.get()
    if who == "regional staff":
        user = User.objects.create_user("regional", password="a-long-password-1")
        RegionMembership.objects.create(user=user, region=Region.objects.first())
        client.force_login(user)
    elif who == "staff without admin rights":
        client.force_login(User.objects.create_user("staff", password="a-long-password-1", is_staff=True))
    urls = workflow_urls(run.pk, recalculation.pk) + admin_urls_of_ratings(run.pk)
    assert len(urls) >= 20
    before = (RatingRun.objects.filter(status="draft").count(), AuditEntry.objects.count(),
              Recalculation.objects.count())
    for address in urls:
        for method in (client.get, client.post):
            response = method(address)
            if who == "staff without admin rights":
                # The admin's own app index answers 404 to staff who may see none of its models.
                assert response.status_code in (403, 404), (method, address, response.status_code)
            else:
                assert response.status_code == 302, (method, address, response.status_code)
                assert response.url.startswith("/admin/login/"), address
    assert (RatingRun.objects.filter(status="draft").count(), AuditEntry.objects.count(),
            Recalculation.objects.count()) == before


def test_a_scheduled_correction_is_audited_as_a_correction_when_its_time_comes(admin):
    actions.recalculate(year=2000, user=admin, type_codes=["HA"], publish=True)
    [correction] = actions.recalculate(year=2000, user=admin, type_codes=["HA"])
    release = timezone.now() + timedelta(minutes=5)
    actions.publish_run(run=correction, user=admin, at=release, note="HA3's mortality corrected.")
    with mock.patch("django.utils.timezone.now", return_value=release + timedelta(seconds=1)):
        [settled] = actions.settle_scheduled_runs()
    entry = AuditEntry.objects.filter(run=settled).latest("id")
    assert (entry.action, entry.details["note"], entry.user) == ("corrected", "HA3's mortality corrected.", None)
    assert entry.description.endswith("published as scheduled, replacing run "
                                      f"{settled.pk - 1}, as a correction: HA3's mortality corrected.")


def test_a_queued_what_if_may_be_marked_failed_and_the_worker_then_leaves_it(admin_client, admin):
    admin_client.post(url("what_if", 2000), WHAT_IF_VALUES)
    what_if = WhatIf.objects.get()
    page = admin_client.post(url("what_if_mark_failed", what_if.pk), follow=True)
    assert b"Marked failed. Try it again from the form." in page.content
    run_worker()
    what_if.refresh_from_db()
    assert (what_if.status, what_if.outcomes) == ("failed", {}) and "no worker had started it" in what_if.error
    assert not AuditEntry.objects.exists()  # a what-if audits nothing, as before
