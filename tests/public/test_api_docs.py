"""The API's documentation page: every endpoint and parameter of the served
schema, the rules a client needs, and example clients; the Python one run
against the live server, as a user would run it."""

import os
import subprocess
import sys

import pytest

from public.api.views import openapi_schema
from public.presenters import api_docs


def test_the_page_lists_every_endpoint_and_parameter_of_the_schema(small_site, client):
    html = client.get("/api/").content.decode()
    schema = openapi_schema()
    for path, operations in schema["paths"].items():
        assert f"GET {path}</code>" in html, path
        for parameter in operations["get"].get("parameters", []):
            assert f"<code>{parameter['name']}</code>" in html, (path, parameter["name"])
    assert "Band certainty" not in html  # nothing the API does not serve
    for words in ("Retry-After", "If-None-Match", "300/minute", "max-age=60", "page_size", "410"):
        assert words in html, words
    for example in api_docs.clients():
        assert example["code"].splitlines()[1].replace('"', "&quot;").replace("'", "&#x27;") in html


def test_the_page_says_when_there_is_no_rate_limit_of_its_own(small_site, client, settings):
    settings.API_RATE_LIMIT = ""
    assert "applies no rate limit of its own" in client.get("/api/").content.decode()


def test_the_site_links_to_it(small_site, client):
    assert 'href="/api/"' in client.get("/").content.decode()
    assert 'href="/api/"' in client.get("/downloads/").content.decode()


# serialized_rollback, as every transactional test here: its flush would otherwise recreate the content
# types, and the next test restoring the serialized reference data would meet them (a unique clash).
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_python_example_runs_against_the_live_server(tmp_path, live_server, settings):
    from tests.public.conftest import build_site

    site = build_site(tmp_path, organisations=16, indicators=4, years=2)
    settings.API_RATE_LIMIT = ""
    example = api_docs.EXAMPLES / "client.py"
    env = {**os.environ, "RATINGS_API": f"{live_server.url}/api/v1"}
    run = subprocess.run([sys.executable, str(example)], env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    rated = site.organisation
    assert "2000-01: 16 ratings" in run.stdout
    assert f"{rated.name}: " in run.stdout  # the best ranked organisation's card (rank 1 of its type)
    assert "core_result" in run.stdout and "green" in run.stdout
