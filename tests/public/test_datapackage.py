"""The downloads' data package (/downloads/datapackage.json): one description
of each file's columns gives the files their headers, the descriptor its
schemas and the downloads page its documentation, so none can disagree; the
descriptor is a valid Frictionless Data Package, and every published file of
the site passes validation against it (types, constraints, primary keys)."""

import csv
import io
import json

import frictionless
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from indicators.years import format_year
from public import datapackage, downloads
from ratings import exports


def descriptor_of(client) -> dict:
    response = client.get("/downloads/datapackage.json")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    return json.loads(response.content)


def test_every_files_header_is_its_schema_for_every_year_csv_and_json(small_site, client):
    package = descriptor_of(client)
    resources = {resource["name"]: resource for resource in package["resources"]}
    assert sorted(resources) == sorted(f"{name}-{format_year(year)}" for year in small_site.years
                                       for name in downloads.DATASETS)
    for year in small_site.years:
        for name in downloads.DATASETS:
            resource = resources[f"{name}-{format_year(year)}"]
            schema_names = [field["name"] for field in resource["schema"]["fields"]]
            # The path is relative to the descriptor's URL, and is the file.
            csv_body = client.get(f"/downloads/{resource['path']}").getvalue().decode()
            assert next(csv.reader(io.StringIO(csv_body))) == schema_names, name
            json_body = json.loads(client.get(f"/downloads/{resource['path'][:-4]}.json").getvalue())
            assert json_body["columns"] == schema_names, name
            assert all(list(row) == schema_names for row in json_body["rows"]), name
            assert set(resource["schema"]["primaryKey"]) <= set(schema_names)
    # The ratings export command and the browse page's CSV share the ratings file's header.
    assert exports.COLUMNS == [field.name for field in downloads.DATASETS["ratings"].fields]
    browse = client.get(f"/ratings/{format_year(small_site.year)}/ratings.csv").getvalue().decode()
    assert next(csv.reader(io.StringIO(browse))) == exports.COLUMNS


def test_the_descriptor_is_a_valid_data_package(small_site, client):
    package = descriptor_of(client)
    report = frictionless.Package.validate_descriptor(package)
    assert report.valid, report.flatten(["type", "note"])
    for resource in package["resources"]:
        assert resource["profile"] == "tabular-data-resource" and resource["path"].endswith(".csv")
        for field in resource["schema"]["fields"]:
            assert field["description"] and field["type"] in ("string", "number", "integer", "boolean")


def write_site(client, package: dict, folder) -> None:
    (folder / "datapackage.json").write_text(json.dumps(package))
    for resource in package["resources"]:
        path = folder / resource["path"]
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(client.get(f"/downloads/{resource['path']}").getvalue())


def test_every_published_file_passes_validation_against_the_descriptor(small_site, client, tmp_path):
    package = descriptor_of(client)
    write_site(client, package, tmp_path)
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:20]
    assert report.stats["tasks"] == len(package["resources"]) == 2 * len(small_site.years)


def test_validation_catches_a_file_that_breaks_its_schema(small_site, client, tmp_path):
    # The check has teeth: a rank of 0 and a band not in the list are reported, by row and column.
    package = descriptor_of(client)
    write_site(client, package, tmp_path)
    path = tmp_path / format_year(small_site.year) / "ratings.csv"
    rows = list(csv.reader(path.open()))
    header = rows[0]
    rated = next(row for row in rows[1:] if row[header.index("rank")])
    rated[header.index("rank")], rated[header.index("band")] = "0", "amber"
    with path.open("w", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    errors = {(error[1], error[2]) for error in report.flatten(["rowNumber", "fieldName", "type"])}
    assert errors == {("rank", "constraint-error"), ("band", "constraint-error")}


def test_the_downloads_page_documents_every_field_of_the_descriptor(small_site, client):
    html = client.get("/downloads/").content.decode()
    assert 'href="/downloads/datapackage.json"' in html
    for name, dataset in downloads.DATASETS.items():
        for field in dataset.schema["fields"]:
            assert f"<code>{field['name']}</code>" in html, field["name"]
            assert escape(field["description"]) in html, field["name"]
            words = datapackage.constraint_words(field)
            if words:
                assert escape(words) in html, field["name"]
    assert "One of green, yellow, red or not_rated." in html and "From 0 to 1." in html


@pytest.mark.parametrize("field, words", [
    ({"constraints": {"required": True, "enum": ["a", "b"]}}, "Always given. One of a or b."),
    ({"constraints": {"minimum": 1}}, "At least 1."), ({"constraints": {"maximum": 1}}, "At most 1."),
    ({"constraints": {"minimum": 0, "maximum": 1}}, "From 0 to 1."), ({}, ""),
])
def test_constraints_in_words(field, words):
    assert datapackage.constraint_words(field) == words


def test_the_descriptor_check_has_teeth():
    # A type the spec does not have, and a resource name it does not allow, are refused.
    bad = datapackage.descriptor([2000])
    bad["resources"][0]["schema"]["fields"][0]["type"] = "text"
    bad["resources"][1]["name"] = "Results 2000"
    report = frictionless.Package.validate_descriptor(bad)
    assert not report.valid and {error[0] for error in report.flatten(["type"])} >= {"field-error"}


def test_the_descriptor_lists_no_resource_before_anything_is_published(db, client):
    package = descriptor_of(client)
    assert package["resources"] == [] and package["profile"] == "tabular-data-package"


def descriptor_queries(client, settings) -> int:
    settings.PUBLIC_CACHE_SECONDS = 0
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/downloads/datapackage.json").status_code == 200
    return len(queries)


# One test a size, each asking for its site by name, so that the shared sites (tests/shared_data.py) are built
# once and rolled back around it (a site asked for inside the test is not known to be shared).
def test_the_descriptor_is_one_query_on_a_small_site(small_site, client, settings):
    assert descriptor_queries(client, settings) == 1  # the published years


def test_the_descriptor_is_one_query_on_a_large_site_too(large_site, client, settings):
    assert descriptor_queries(client, settings) == 1
