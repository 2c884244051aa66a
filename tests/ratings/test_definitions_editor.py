"""Admins edit a year's indicator definitions from the workflow's year page:
validated with the importer's rules and words, through
`indicators.actions.define_for_year`, audited."""

import re

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from indicators.definitions import FROM_THE_START
from indicators.models import Indicator, IndicatorDefinition, OrganisationType
from ratings import actions
from ratings.models import AuditEntry


@pytest.fixture
def admin_client(client, rated_world):
    client.force_login(User.objects.create_superuser("admin", password="a-long-password-1"))
    return client


def form(**changes):
    data = {"kind": "performance", "domain": "access", "direction": "lower_better", "weight": "1",
            "adjust_for_deprivation": "", "core_threshold": "0", "measure": "other", "multiplier": "",
            "organisation_types": [t.pk for t in OrganisationType.objects.filter(code__in=["HA", "TRUST"])]}
    return {**data, **changes}


def definitions(code):
    return list(IndicatorDefinition.objects.filter(indicator__code=code)
                .values_list("from_year", "core_threshold", "weight"))


def test_the_year_page_lists_the_years_definitions_with_a_link_to_change_each(admin_client):
    html = admin_client.get(reverse("ratings_admin:year", args=[2000])).content.decode()
    assert "Inpatients waiting over 18 months (IP18M)" in html and "from the start" in html
    assert reverse("ratings_admin:definition", args=[2000, "IP18M"]) in html
    # Each "Change for 2000-01" link says which indicator it changes to a screen reader (one per row, alike).
    names = re.findall(r'<a href="/admin/workflow/2000-01/definitions/([^/]+)/" aria-label="([^"]+)">Change for 2000-01</a>',
                       html)
    assert len(names) == IndicatorDefinition.objects.in_force(2000).count()
    assert ("IP18M", "Change for 2000-01: Inpatients waiting over 18 months (IP18M)") in names
    assert len({label for _, label in names}) == len(names)


def test_saving_defines_the_indicator_from_the_year_on_and_is_audited(admin_client):
    address = reverse("ratings_admin:definition", args=[2000, "IP18M"])
    assert 'value="0.0"' in admin_client.get(address).content.decode()  # the definition in force
    response = admin_client.post(address, form(core_threshold="5", weight="2"))
    assert response.status_code == 302 and response.url == reverse("ratings_admin:year", args=[2000])
    assert definitions("IP18M") == [(FROM_THE_START, 0, 1), (2000, 5, 2)]
    entry = AuditEntry.objects.get(action="definition_changed")
    assert entry.description == ("Defined the indicator IP18M from 2000-01: weight 1.0 → 2.0; "
                                 "core_threshold 0.0 → 5.0.")
    assert entry.details["from_year"] == 2000 and entry.user.username == "admin"
    # Saving the year again changes the definition from that year; earlier years keep theirs.
    admin_client.post(address, form(core_threshold="6", weight="2"))
    assert definitions("IP18M") == [(FROM_THE_START, 0, 1), (2000, 6, 2)]
    assert Indicator.objects.get(code="IP18M").core_threshold == 6  # mirrored for the admin's list
    # The next recalculation rates with it.
    (run,) = actions.recalculate(year=2000, type_codes=["HA"])
    assert run.definitions["IP18M"]["core_threshold"] == 6


def test_saving_what_is_in_force_writes_nothing(admin_client):
    admin_client.post(reverse("ratings_admin:definition", args=[2000, "IP18M"]), form())
    assert definitions("IP18M") == [(FROM_THE_START, 0, 1)]
    assert not AuditEntry.objects.filter(action="definition_changed").exists()


def test_bad_definitions_are_refused_in_the_importers_words(admin_client):
    address = reverse("ratings_admin:definition", args=[2000, "IP18M"])
    response = admin_client.post(address, form(measure="rate", weight="-1"))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["weight"] == ["The weight must be more than 0."]
    assert errors["multiplier"] == ["A rate needs a multiplier (e.g. 100 for a percentage, 100000 for per "
                                    "100,000)."]
    response = admin_client.post(address, form(kind="context", domain=""))
    assert response.context["form"].errors["core_threshold"] == [
        "A context indicator is never scored: it has no core target and is not adjusted."]
    assert definitions("IP18M") == [(FROM_THE_START, 0, 1)]


def test_an_indicator_not_defined_in_the_year_has_no_page(admin_client):
    assert admin_client.get(reverse("ratings_admin:definition", args=[2000, "NOSUCH"])).status_code == 404


# The year page's stale notice ---------------------------------------------------

def test_a_published_year_says_when_figures_or_definitions_changed_since_and_what_to_do(admin_client, rated_world):
    from django.core.management import call_command

    from tests.conftest import write
    address = reverse("ratings_admin:year", args=[2000])
    actions.recalculate(year=2000, type_codes=["HA"], publish=True)
    assert 'id="stale"' not in admin_client.get(address).content.decode()

    call_command("import_returns", write(rated_world, "fix.csv", "organisation_code,indicator_code,year,value\n"
                                         "HA4,MORTCIRC,2000-01,50\nHA1,MORTCIRC,1999-00,90\n"), stdout=None)
    admin_client.post(reverse("ratings_admin:definition", args=[2000, "IP18M"]), form(core_threshold="5"))
    html = admin_client.get(address).content.decode()
    assert 'id="stale"' in html
    assert "2 figures of 2000-01 or the year before received or corrected since" in html
    assert "the definition of IP18M changed since" in html
    assert "recalculate 2000-01 as a draft" in html

    # Republished, it is up to date again.
    actions.recalculate(year=2000, type_codes=["HA"], publish=True, note="Corrected figures.")
    assert 'id="stale"' not in admin_client.get(address).content.decode()
