"""A new regional office's first returns: the upload form offers the year of
the data, the template names what each code is, and the preview names
organisations and indicators, shows changed values first and ends with the
button that stores them."""

import csv
import io

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicators import actions, queries
from indicators.models import Region, Result, ReturnImport
from tests.conftest import write

HEADER = "organisation_code,indicator_code,year,value\n"


def staff(name, *regions):
    user = User.objects.create_user(name, password="a-long-password-1")
    for code in regions:
        actions.grant_region_membership(member=user, region=Region.objects.get(code=code))
    return user


@pytest.fixture
def people(world):
    return {"north": staff("north", "NY"), "london": staff("london", "LN"),
            "admin": User.objects.create_superuser("admin", password="a-long-password-1")}


def held(tmp_path, text):
    call_command("import_returns", write(tmp_path, "held.csv", HEADER + text), stdout=io.StringIO())


def offered_year(client) -> int:
    response = client.get("/returns/")
    year = response.context["form"]["year"].value()
    assert f'<option value="{year}" selected>' in response.content.decode()
    return year


def test_the_upload_form_offers_the_newest_year_with_figures_for_the_users_regions(people, client, tmp_path):
    # Northern and Yorkshire's figures end in 1999-00, London's in 2000-01; 2001-02 is offered too.
    held(tmp_path, "Q01,IP18M,1998-99,1\nQ01,IP18M,1999-00,2\nQ02,IP18M,2000-01,3\n")
    assert queries.return_years() == [2001, 2000, 1999, 1998]
    client.force_login(people["north"])
    assert offered_year(client) == 1999
    client.force_login(people["london"])
    assert offered_year(client) == 2000
    client.force_login(people["admin"])
    assert offered_year(client) == 2000


def test_the_upload_form_offers_the_year_of_the_template_last_downloaded(people, client, tmp_path):
    held(tmp_path, "Q01,IP18M,1999-00,2\n")
    client.force_login(people["north"])
    assert client.get("/returns/template.csv?year=2000-01").status_code == 200
    assert offered_year(client) == 2000
    # A template of a year that cannot be uploaded for is no guide.
    assert client.get("/returns/template.csv?year=1990-91").status_code == 200
    assert offered_year(client) == 1999
    # Kept by the browser, signed: a forged year is ignored.
    client.cookies["returns_template_year"] = "2000"
    assert offered_year(client) == 1999


def test_downloading_a_template_writes_nothing_on_the_server(people, client, tmp_path):
    from django.contrib.sessions.models import Session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    held(tmp_path, "Q01,IP18M,1999-00,2\n")
    client.force_login(people["north"])
    sessions = list(Session.objects.values_list("session_key", "session_data", "expire_date"))
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/returns/template.csv?year=2000-01").status_code == 200
    writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes == [] and list(Session.objects.values_list("session_key", "session_data", "expire_date")) == sessions


def test_a_region_with_no_figures_yet_is_offered_the_newest_year(people, client, tmp_path):
    held(tmp_path, "Q02,IP18M,2000-01,3\n")
    client.force_login(people["north"])
    assert offered_year(client) == 2001


def test_the_template_names_each_organisation_and_indicator(people, client, tmp_path):
    held(tmp_path, "Q01,IP18M,2000-01,3\n")
    client.force_login(people["north"])
    template = client.get("/returns/template.csv?year=2000-01").content.decode()
    rows = list(csv.DictReader(io.StringIO(template)))
    assert list(rows[0]) == ["organisation_code", "organisation_name", "indicator_code", "indicator_name", "year",
                             "value", "numerator", "denominator"]
    q01 = next(r for r in rows if (r["organisation_code"], r["indicator_code"]) == ("Q01", "IP18M"))
    assert q01 == {"organisation_code": "Q01", "organisation_name": "Leeds Health Authority",
                   "indicator_code": "IP18M", "indicator_name": "Inpatients waiting over 18 months",
                   "year": "2000-01", "value": "3.0", "numerator": "", "denominator": ""}
    assert {(r["organisation_code"], r["organisation_name"]) for r in rows} == {
        ("Q01", "Leeds Health Authority"), ("RAB", "New Trust")}


def test_a_filled_in_template_uploads_as_it_is(people, client):
    """Needs the returns parser to accept and ignore the two name columns
    (issue 11, done on another branch): fails here until that is merged."""
    client.force_login(people["north"])
    template = client.get("/returns/template.csv?year=2000-01").content.decode()
    rows = list(csv.reader(io.StringIO(template)))
    for row in rows[1:]:
        row[5] = "7"
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    client.post("/returns/", {"year": "2000", "file": SimpleUploadedFile("filled.csv", buffer.getvalue().encode())})
    upload = ReturnImport.objects.get()
    assert upload.problems == [] and upload.status == "validated"
    client.post(f"/returns/{upload.pk}/confirm/")
    assert Result.objects.filter(value=7).count() == len(rows) - 1


@pytest.fixture
def north_upload(people, tmp_path):
    """Northern and Yorkshire's upload: one value changed (Q01 IP18M 3 -> 4), one new, one unchanged."""
    held(tmp_path, "Q01,IP18M,2000-01,3\nQ01,DEPRIVATION,2000-01,20\n")
    return actions.validate_upload(user=people["north"], year=2000, filename="north.csv", allowed_regions={"NY"},
                                   content=(HEADER + "RAB,IP18M,2000-01,5\nQ01,IP18M,2000-01,4\n"
                                            "Q01,DEPRIVATION,2000-01,20\n").encode())


def test_the_preview_names_organisations_and_indicators_changed_values_first(people, north_upload, client):
    client.force_login(people["north"])
    page = client.get(f"/returns/{north_upload.pk}/").content.decode()
    changed, new, by_organisation = (page.index(f'<caption class="nhsuk-table__caption">{caption}</caption>')
                                     for caption in ("Changed values", "New values", "By organisation"))
    assert changed < new < by_organisation
    assert ("<td class=\"nhsuk-table__cell\">Leeds Health Authority (Q01)</td><td class=\"nhsuk-table__cell\">"
            "Inpatients waiting over 18 months (IP18M)</td>") in page[changed:new]
    assert "New Trust (RAB)" in page[new:by_organisation]
    # Counts by organisation, by name.
    assert page.index("Leeds Health Authority (Q01)", by_organisation) < page.index("New Trust (RAB)",
                                                                                    by_organisation)


def test_the_confirm_button_comes_after_everything_to_read_with_a_summary_above_it(people, north_upload, client):
    client.force_login(people["north"])
    page = client.get(f"/returns/{north_upload.pk}/").content.decode()
    assert page.count("Confirm and store these figures") == 1
    summary = page.index("<p>Store 1 new value and 1 changed value for 2000-01 (1 unchanged).</p>")
    button = page.index("Confirm and store these figures")
    last_table = page.rindex("</table>")
    assert last_table < summary < button
    assert "<button" not in page[summary:button].replace("<button class=\"nhsuk-button\" type=\"submit\">", "", 1)
    assert "then confirm at the end of this page" in page[:page.index("Changed values")]
    client.post(f"/returns/{north_upload.pk}/confirm/")
    assert Result.objects.get(organisation__code="Q01", indicator__code="IP18M").value == 4
    after = client.get(f"/returns/{north_upload.pk}/").content.decode()
    assert "Confirm and store" not in after and "then confirm" not in after


def test_a_code_no_longer_held_is_shown_as_its_code(people, north_upload, client):
    north_upload.preview["changes"].append(["GONE", "OLDIND", 2000, 1.0, 2.0])
    north_upload.save(update_fields=["preview"])
    client.force_login(people["north"])
    page = client.get(f"/returns/{north_upload.pk}/").content.decode()
    assert '<td class="nhsuk-table__cell">GONE</td><td class="nhsuk-table__cell">OLDIND</td>' in page


MORE_ORGANISATIONS = "code,name,type,region\n" + "".join(f"X{n:02},Extra Authority {n},HA,NY\n" for n in range(30))


def test_the_preview_page_makes_the_same_queries_however_many_organisations_and_indicators(people, client,
                                                                                         tmp_path):
    call_command("import_organisations", write(tmp_path, "more.csv", MORE_ORGANISATIONS), stdout=io.StringIO())
    held(tmp_path, "".join(f"X{n:02},IP18M,2000-01,1\n" for n in range(30)))
    one = actions.validate_upload(user=people["north"], year=2000, filename="one.csv", allowed_regions={"NY"},
                                  content=(HEADER + "Q01,IP18M,2000-01,4\n").encode())
    many = actions.validate_upload(
        user=people["north"], year=2000, filename="many.csv", allowed_regions={"NY"},
        content=(HEADER + "".join(f"X{n:02},{ind},2000-01,{n + 2}\n" for n in range(30)
                                  for ind in ("IP18M", "MORTCIRC", "DEPRIVATION"))).encode())
    assert (many.changed_values, many.new_values) == (30, 60)
    client.force_login(people["north"])
    counts = []
    for upload in (one, many):
        with CaptureQueriesContext(connection) as queries_made:
            page = client.get(f"/returns/{upload.pk}/").content.decode()
        counts.append(len(queries_made))
    assert "Extra Authority 29 (X29)" in page and "Deaths from circulatory disease (MORTCIRC)" in page
    assert counts[0] == counts[1]


def test_names_are_read_in_two_queries(people, django_assert_num_queries):
    with django_assert_num_queries(2):
        organisations, indicators = queries.names_of(organisation_codes={"Q01", "RAB", "NOPE"},
                                                     indicator_codes={"IP18M", "MORTCIRC"})
    assert organisations == {"Q01": "Leeds Health Authority", "RAB": "New Trust"}
    assert indicators == {"IP18M": "Inpatients waiting over 18 months",
                          "MORTCIRC": "Deaths from circulatory disease"}


def test_names_of_very_many_codes_are_read_whole(people, django_assert_num_queries):
    codes = {f"C{n}" for n in range(queries.FEW_CODES + 1)} | {"Q01"}
    with django_assert_num_queries(2):
        organisations, _ = queries.names_of(organisation_codes=codes, indicator_codes={"IP18M"})
    assert organisations["Q01"] == "Leeds Health Authority" and len(organisations) == 4

