import pytest
from django.contrib.auth.models import User

from ratings.models import RatingRun, RatingScheme


@pytest.fixture
def admin_client(client, db):
    client.force_login(User.objects.create_superuser("admin", "admin@example.org", "pw"))
    return client


def test_admin_action_recalculates_the_selected_year_as_drafts(rated_world, admin_client):
    scheme = RatingScheme.objects.create(year=2000)
    response = admin_client.post("/admin/ratings/ratingscheme/", {
        "action": "recalculate", "_selected_action": [scheme.pk]}, follow=True)
    assert response.status_code == 200
    ha, trust = RatingRun.objects.order_by("organisation_type__code")
    assert (ha.status, ha.year, ha.created_by.username) == ("draft", 2000, "admin")
    assert (f"2000-01: 2 draft run(s) computed: HA run {ha.pk}, TRUST run {trust.pk}"
            in response.content.decode())


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
