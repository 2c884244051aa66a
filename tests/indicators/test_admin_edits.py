"""Organisations and indicators added, changed and deleted in the admin go
through indicators' actions: refused where the importers refuse, in the same
words, and written to the one audit log."""

import html

import pytest
from django.core.exceptions import ValidationError

from indicators import actions
from indicators.models import Indicator, Organisation, OrganisationType, Region
from indicators.reference_files import validate_indicators, validate_organisations
from indicators.spreadsheets import read_table
from ratings.models import AuditEntry
from tests.indicators.conftest import organisation_form

INDICATOR_HEADER = ("code,name,kind,domain,direction,organisation_types,weight,core_threshold,"
                    "adjust_for_deprivation\n")


@pytest.fixture
def admin_client(admin_user, client):
    client.force_login(admin_user)
    return client


def audit_log():
    return [(e.user.username if e.user else None, e.action, e.details, e.description)
            for e in AuditEntry.objects.order_by("id")]


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def indicator_form(indicator, **changes):
    data = {"code": indicator.code, "name": indicator.name, "description": indicator.description,
            "unit": indicator.unit, "kind": indicator.kind, "domain": indicator.domain,
            "direction": indicator.direction, "weight": indicator.weight,
            "organisation_types": [t.pk for t in indicator.organisation_types.all()],
            "core_threshold": "" if indicator.core_threshold is None else indicator.core_threshold,
            "source": indicator.source,
            **({"adjust_for_deprivation": "on"} if indicator.adjust_for_deprivation else {})}
    return {**data, **changes}


def test_a_renamed_organisation_is_audited_with_what_changed(admin_client):
    q01 = Organisation.objects.get(code="Q01")
    response = admin_client.post(f"/admin/indicators/organisation/{q01.pk}/change/",
                                 organisation_form(q01, name="Leeds West Health Authority", closed=2001))
    assert response.status_code == 302
    assert audit_log() == [("admin", "organisation_changed",
                            {"code": "Q01", "changes": {"name": ["Leeds Health Authority", "Leeds West Health Authority"],
                                                        "closed": [None, 2001]}},
                            "Changed the organisation Q01: name 'Leeds Health Authority' → "
                            "'Leeds West Health Authority'; closed None → 2001.")]


def test_an_organisation_added_and_deleted_in_the_admin_is_audited(admin_client):
    q01 = Organisation.objects.get(code="Q01")
    response = admin_client.post("/admin/indicators/organisation/add/", organisation_form(
        q01, code="Q99", name="New Health Authority", region=Region.objects.get(code="LN").pk))
    assert response.status_code == 302
    q99 = Organisation.objects.get(code="Q99")
    response = admin_client.post(f"/admin/indicators/organisation/{q99.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and not Organisation.objects.filter(code="Q99").exists()
    assert [(action, details, description) for _, action, details, description in audit_log()] == [
        ("organisation_added", {"code": "Q99"}, "Added the organisation New Health Authority (Q99)."),
        ("organisation_deleted", {"code": "Q99"}, "Deleted the organisation New Health Authority (Q99)."),
    ]


def test_an_unchanged_save_writes_no_audit_entry(admin_client):
    q01 = Organisation.objects.get(code="Q01")
    assert admin_client.post(f"/admin/indicators/organisation/{q01.pk}/change/",
                             organisation_form(q01)).status_code == 302
    assert audit_log() == []


def organisation_file_problems(row: str) -> list[str]:
    """What import_organisations says of one row, after the held organisations."""
    content = f"code,name,type,region,opened,closed,successor\n{row}\n".encode()
    existing = {code: (type_code, region_code) for code, type_code, region_code in
                Organisation.objects.values_list("code", "type__code", "region__code")}
    _, problems = validate_organisations(read_table(content, "organisations.csv"), type_codes={"HA", "TRUST", "PCG"},
                                         region_codes={"ny": "NY", "ln": "LN"}, existing=existing)
    return [problem.message for problem in problems]


@pytest.mark.parametrize("file_row, changes", [
    ("Q01,Leeds Health Authority,HA,NY,2001,2000,", {"opened": 2001, "closed": 2000}),
    ("Q01,Leeds Health Authority,HA,NY,,,Q01", {"successor": "self"}),
    ("Q0١,Leeds Health Authority,HA,NY,,,", {"code": "Q0١"}),
])
def test_the_admin_refuses_an_organisation_in_the_importers_words(admin_client, file_row, changes):
    q01 = Organisation.objects.get(code="Q01")
    if changes.get("successor") == "self":
        changes["successor"] = q01.pk
    [message] = organisation_file_problems(file_row)
    response = admin_client.post(f"/admin/indicators/organisation/{q01.pk}/change/", organisation_form(q01, **changes))
    assert response.status_code == 200 and message in page_text(response)
    assert Organisation.objects.get(pk=q01.pk).name == "Leeds Health Authority" and audit_log() == []


def indicator_file_problems(row: str) -> list[str]:
    content = (INDICATOR_HEADER + row + "\n").encode()
    _, problems = validate_indicators(read_table(content, "indicators.csv"), type_codes={"HA", "TRUST", "PCG"})
    return [problem.message for problem in problems]


# Each row import_indicators refuses, and the same indicator's fields in the admin's form.
REFUSED_INDICATORS = [
    ("X1,Context with a domain,context,quality,higher_better,HA,1,,false",
     {"kind": "context", "domain": "quality"}),
    ("X1,Performance with no domain,performance,,higher_better,HA,1,,false",
     {"kind": "performance", "domain": ""}),
    ("X1,Weightless,performance,access,higher_better,HA,0,,false", {"weight": 0}),
    ("X1,Negative weight,performance,access,higher_better,HA,-2,,false", {"weight": -2}),
    ("X1,Scored context,context,,higher_better,HA,1,5,false",
     {"kind": "context", "domain": "", "core_threshold": 5}),
    ("X1,Adjusted context,context,,higher_better,HA,1,,true",
     {"kind": "context", "domain": "", "adjust_for_deprivation": "on"}),
    ("X１,Not ASCII,performance,access,higher_better,HA,1,,false", {"code": "X１"}),
]


@pytest.mark.parametrize("file_row, changes", REFUSED_INDICATORS)
def test_the_admin_refuses_an_indicator_in_the_importers_words(admin_client, file_row, changes):
    ip18m = Indicator.objects.get(code="IP18M")
    messages = indicator_file_problems(file_row)
    assert messages
    form = indicator_form(ip18m, **changes)
    for response in (admin_client.post(f"/admin/indicators/indicator/{ip18m.pk}/change/", form),
                     admin_client.post("/admin/indicators/indicator/add/", {**form, "code": changes.get("code", "X1")})):
        assert response.status_code == 200
        assert all(message in page_text(response) for message in messages), (messages, file_row)
        # Only the importer's words: not also Django's for the constraint behind the same rule.
        assert "Constraint" not in page_text(response)
    ip18m.refresh_from_db()
    assert (ip18m.kind, ip18m.domain, ip18m.weight) == ("performance", "access", 1.0)
    assert not Indicator.objects.filter(code__in=["X1", "X１"]).exists() and audit_log() == []


def test_an_indicator_changed_in_the_admin_is_saved_with_its_types_and_audited(admin_client):
    ip18m = Indicator.objects.get(code="IP18M")
    pcg = OrganisationType.objects.get(code="PCG")
    response = admin_client.post(f"/admin/indicators/indicator/{ip18m.pk}/change/", indicator_form(
        ip18m, weight=2, organisation_types=[t.pk for t in ip18m.organisation_types.all()] + [pcg.pk]))
    assert response.status_code == 302
    ip18m.refresh_from_db()
    assert ip18m.weight == 2 and {t.code for t in ip18m.organisation_types.all()} == {"HA", "TRUST", "PCG"}
    assert audit_log() == [("admin", "indicator_changed",
                            {"code": "IP18M", "changes": {"weight": [1.0, 2.0],
                                                          "organisation_types": [["HA", "TRUST"],
                                                                                 ["HA", "PCG", "TRUST"]]}},
                            "Changed the indicator IP18M: weight 1.0 → 2.0; organisation_types ['HA', 'TRUST'] → "
                            "['HA', 'PCG', 'TRUST'].")]


def test_an_indicator_added_and_deleted_in_the_admin_is_audited(admin_client):
    ip18m = Indicator.objects.get(code="IP18M")
    response = admin_client.post("/admin/indicators/indicator/add/", indicator_form(ip18m, code="NEW", name="New"))
    assert response.status_code == 302
    new = Indicator.objects.get(code="NEW")
    assert {t.code for t in new.organisation_types.all()} == {"HA", "TRUST"}
    response = admin_client.post("/admin/indicators/indicator/", {
        "action": "delete_selected", "_selected_action": [new.pk], "post": "yes"})
    assert response.status_code == 302 and not Indicator.objects.filter(code="NEW").exists()
    assert [action for _, action, _, _ in audit_log()] == ["indicator_added", "indicator_deleted"]


def test_the_actions_refuse_without_the_form(world):
    """Whatever calls them: a type or region change, and the indicator rules."""
    q01 = Organisation.objects.get(code="Q01")
    q01.region = Region.objects.get(code="LN")
    with pytest.raises(ValidationError) as error:
        actions.save_organisation(organisation=q01, user=None)
    assert error.value.message_dict == {"region": ["Q01 is held in region NY; it cannot move to another region."]}
    ip18m = Indicator.objects.get(code="IP18M")
    ip18m.weight = 0
    with pytest.raises(ValidationError) as error:
        actions.save_indicator(indicator=ip18m, organisation_types=ip18m.organisation_types.all(), user=None)
    assert error.value.message_dict == {"weight": ["The weight must be more than 0."]}
    assert Organisation.objects.get(code="Q01").region.code == "NY" and Indicator.objects.get(code="IP18M").weight == 1
    assert audit_log() == []
