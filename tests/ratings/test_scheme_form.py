"""The admin's method form (a year's rating scheme): number fields, errors
that say what is wrong, the year fixed, back to the year's page, and no
deleting the method of a year with published ratings."""

import pytest
from django.urls import reverse

from ratings import actions, engine
from ratings.forms import SchemeForm
from ratings.models import AuditEntry, RatingRun, RatingScheme
from tests.conftest import TEST_UNCERTAINTY_DRAWS  # a new year's method's draws in tests

VALUES = {"green_share": 0.25, "red_core_failures": 2, "improvement_weight": 0.25, "value_added": "on",
          "deprivation_indicator": "DEPRIVATION", "min_coverage": 0.5, "clip_z": 3, "missing_core_data": "failure",
          "uncertainty_draws": TEST_UNCERTAINTY_DRAWS, "uncertainty_seed": 2000,
          **{f"weight_{d}": 1 for d in engine.DOMAINS}}


def url(name, year=2000):
    return reverse(f"ratings_admin:{name}", args=[year])


def errors_of(values):
    form = SchemeForm({**VALUES, **values})
    assert not form.is_valid()
    return form.errors


@pytest.mark.parametrize("values, field, message", [
    ({"green_share": 1.5}, "green_share", "Green share must be a share more than 0 and at most 1, not 1.5."),
    ({"min_coverage": 0}, "min_coverage", "Min coverage must be a share more than 0 and at most 1, not 0."),
    ({"improvement_weight": -0.5}, "improvement_weight", "Improvement weight must be between 0 and 1, not -0.5."),
    ({"red_core_failures": 0}, "red_core_failures", "Red core failures must be a whole number, at least 1, not 0."),
    ({"clip_z": "lots"}, "clip_z", "Clip z must be a number."),
    ({"uncertainty_draws": -1}, "uncertainty_draws", "Uncertainty draws must be a whole number, 0 or more, not -1."),
    ({"weight_access": -2}, "weight_access", "The weight of access must be a number of 0 or more, not -2."),
    ({"weight_quality": ""}, "weight_quality", "Give the weight of quality."),
    ({"missing_core_data": "skip"}, "missing_core_data",
     "Select a valid choice. skip is not one of the available choices."),
])
def test_each_fields_error_says_what_is_wrong(db, values, field, message):
    assert errors_of(values)[field] == [message]


def test_all_domain_weights_zero_is_refused_as_a_whole(db):
    errors = errors_of({f"weight_{d}": 0 for d in engine.DOMAINS})
    assert errors["__all__"] == ["At least one domain must have a weight above 0."]


def test_domain_weights_are_four_number_fields_and_the_year_is_not_a_field(db):
    form = SchemeForm()
    assert "domain_weights" not in form.fields and "year" not in form.fields
    assert [name for name in form.fields if name.startswith("weight_")] == [f"weight_{d}" for d in engine.DOMAINS]


def test_saving_stores_the_method_audited_and_returns_to_the_years_page(admin_client, admin):
    page = admin_client.get(url("scheme"))
    assert page.status_code == 200 and page.context["form"].initial["weight_quality"] == 1.0
    response = admin_client.post(url("scheme"), {**VALUES, "green_share": 0.2, "weight_access": 2,
                                                 "missing_core_data": "not_green", "year": 1999})
    assert response.status_code == 302 and response.url == url("year")
    scheme = RatingScheme.objects.get()  # the year posted is ignored: the page's year is the method's
    assert (scheme.year, scheme.green_share, scheme.domain_weights["access"], scheme.missing_core_data) == (
        2000, 0.2, 2.0, "not_green")
    entry = AuditEntry.objects.get(action="scheme_changed")
    assert entry.user == admin and set(entry.details) == {"green_share", "domain_weights", "missing_core_data"}
    assert b"a missing core figure rules out green" in admin_client.get(url("year")).content


def test_an_invalid_method_is_shown_again_with_its_errors_and_nothing_saved(admin_client):
    response = admin_client.post(url("scheme"), {**VALUES, "green_share": 1.5})
    assert response.status_code == 400
    assert "Green share must be a share more than 0 and at most 1, not 1.5." in response.content.decode()
    assert not RatingScheme.objects.exists() and not AuditEntry.objects.exists()


def test_the_method_of_a_year_with_published_ratings_cannot_be_deleted(admin_client, admin):
    actions.update_scheme(year=2000, values={"green_share": 0.5}, user=admin)
    actions.recalculate(year=2000, user=admin, type_codes=["HA"], publish=True)
    with pytest.raises(actions.SchemeInUse, match="1 run of 2000-01 rated by it has been published"):
        actions.delete_scheme(year=2000, user=admin)
    response = admin_client.post(url("delete_scheme"), follow=True)
    assert "cannot be deleted" in response.content.decode()
    assert RatingScheme.objects.filter(year=2000).exists()
    scheme = RatingScheme.objects.get(year=2000)
    assert admin_client.post(f"/admin/ratings/ratingscheme/{scheme.pk}/delete/", {"post": "yes"}).status_code == 403


def test_the_method_of_a_year_with_only_drafts_may_be_deleted_audited(admin_client, admin):
    actions.update_scheme(year=2000, values={"green_share": 0.5}, user=admin)
    actions.recalculate(year=2000, user=admin, type_codes=["HA"])
    assert RatingRun.objects.get().is_draft
    response = admin_client.post(url("delete_scheme"))
    assert response.status_code == 302 and response.url == url("year")
    assert not RatingScheme.objects.exists()
    assert AuditEntry.objects.get(action="scheme_deleted").details["green_share"] == 0.5
    with pytest.raises(actions.RecalculationError, match="no method parameters to delete"):
        actions.delete_scheme(year=2000, user=admin)
