import pytest
from django.contrib.auth.models import User

from ratings.models import RatingRun, RatingScheme


@pytest.fixture
def admin_client(client, db):
    client.force_login(User.objects.create_superuser("admin", "admin@example.org", "pw"))
    return client


def test_admin_action_queues_the_selected_year_for_the_worker(rated_world, admin_client):
    from ratings.models import Recalculation
    from tests.ratings.test_workflow import run_worker
    scheme = RatingScheme.objects.create(year=2000)
    response = admin_client.post("/admin/ratings/ratingscheme/", {
        "action": "recalculate", "_selected_action": [scheme.pk]}, follow=True)
    assert response.status_code == 200
    recalculation = Recalculation.objects.get()
    assert (f'2000-01: queued for the background worker. <a href="/admin/workflow/recalculations/'
            f'{recalculation.pk}/">Follow its progress</a>.' in response.content.decode())
    assert not RatingRun.objects.exists()
    run_worker()
    ha, trust = RatingRun.objects.order_by("organisation_type__code")
    assert (ha.status, ha.year, ha.created_by.username) == ("draft", 2000, "admin")


def test_admin_action_reports_an_invalid_scheme(rated_world, admin_client):
    scheme = RatingScheme.objects.create(year=2000, deprivation_indicator="NOPE")
    response = admin_client.post("/admin/ratings/ratingscheme/", {
        "action": "recalculate", "_selected_action": [scheme.pk]}, follow=True)
    assert "2000-01: deprivation_indicator: There is no indicator with the code NOPE." in response.content.decode()
    assert not RatingRun.objects.exists()


def test_runs_and_ratings_are_read_only_in_the_admin(rated_world, admin_client):
    from ratings import actions
    [run] = actions.recalculate(year=2000, type_codes=["HA"])
    assert admin_client.get("/admin/ratings/ratingrun/").status_code == 200
    assert admin_client.get("/admin/ratings/rating/").status_code == 200
    assert admin_client.post(f"/admin/ratings/ratingrun/{run.pk}/delete/", {"post": "yes"}).status_code == 403


def test_scheme_changes_recalculation_and_publication_are_audited(rated_world, admin_client):
    from ratings import actions
    from ratings.models import AuditEntry
    admin = User.objects.get(username="admin")
    scheme = RatingScheme.objects.create(year=2000)
    # The admin's change page is the workflow's method form.
    assert admin_client.get(f"/admin/ratings/ratingscheme/{scheme.pk}/change/").url == "/admin/workflow/2000-01/method/"
    response = admin_client.post("/admin/workflow/2000-01/method/", {
        "green_share": 0.25, "red_core_failures": 3, "improvement_weight": 0.25, "value_added": "on",
        "deprivation_indicator": "DEPRIVATION", "min_coverage": 0.5, "clip_z": 3.0, "missing_core_data": "failure",
        "uncertainty_draws": scheme.uncertainty_draws, "uncertainty_seed": 2000,
        **{f"weight_{domain}": 1 for domain in ("quality", "efficiency", "access", "patient_experience")}})
    assert response.status_code == 302
    changed = AuditEntry.objects.get(action="scheme_changed")
    assert (changed.user, changed.year, changed.details) == (admin, 2000, {"red_core_failures": [2, 3]})
    assert changed.description == "2000-01 method: red_core_failures 2 → 3"
    [run] = actions.recalculate(year=2000, type_codes=["HA"], user=admin, publish=True)
    assert list(AuditEntry.objects.filter(run=run).values_list("action", flat=True).order_by("id")) == [
        "recalculated", "published"]
    with pytest.raises(actions.RecalculationError, match="this is a correction: say what it corrects"):
        actions.recalculate(year=2000, type_codes=["HA"], user=admin, publish=True)
    [second] = actions.recalculate(year=2000, type_codes=["HA"], user=admin, publish=True,
                                   note="Corrected A&E figures.")
    published = AuditEntry.objects.get(run=second, action="corrected")
    assert published.details == {"superseded": [run.pk], "note": "Corrected A&E figures."}
    assert published.description == (f"HA 2000-01: run {second.pk} published, replacing run {run.pk}, "
                                     f"as a correction: Corrected A&E figures.")
    assert second.revision_note == "Corrected A&E figures."
    # The refused attempt left nothing behind but its failed recalculation.
    assert RatingRun.objects.count() == 2
    assert admin_client.get("/admin/ratings/auditentry/").status_code == 200
    assert admin_client.post(f"/admin/ratings/auditentry/{published.pk}/delete/", {"post": "yes"}).status_code == 403


def test_copy_last_years_method(rated_world, admin_client):
    from ratings.models import AuditEntry
    scheme = RatingScheme.objects.create(year=1999, green_share=0.2, red_core_failures=3)
    admin_client.post("/admin/ratings/ratingscheme/", {"action": "copy_to_next_year",
                                                        "_selected_action": [scheme.pk]}, follow=True)
    copied = RatingScheme.objects.get(year=2000)
    assert (copied.green_share, copied.red_core_failures) == (0.2, 3)
    assert AuditEntry.objects.filter(action="scheme_copied", year=2000, details={"from_year": 1999}).exists()
