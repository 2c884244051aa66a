"""Schemathesis generates requests from the served OpenAPI schema
(/api/v1/openapi.json, read through the WSGI application) and checks every
answer: never a server error, only documented status codes and content
types, and every body valid against the schema."""

import traceback
from datetime import timedelta

import pytest
from django.core import signals
from django.db import close_old_connections
from django.utils import timezone
import schemathesis
from hypothesis import HealthCheck, given, settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance, response_schema_conformance, status_code_conformance)

from ratings import actions
from trafficlights.wsgi import application


@pytest.fixture
def wsgi_keeps_the_test_connection():
    """Served straight through the WSGI application, a request would close the
    database connection when it ends, and the test's transaction with it: as
    Django's test client does, keep it open."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(small_site, settings, wsgi_keeps_the_test_connection):
    settings.API_RATE_LIMIT = ""  # hundreds of requests from one address
    settings.ALLOWED_HOSTS = ["localhost"]  # the host schemathesis names
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Each operation's generated requests: valid ones (as a client would send) and
# invalid ones (wrong types, unknown values), which must be refused cleanly.
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)


def test_every_answer_keeps_to_the_schema(api_schema, small_site):
    # One test walking every operation (rather than schemathesis's pytest
    # plugin, whose fixture loader fails on pytest 9: it sets a node's removed
    # `_nodeid`), with Hypothesis driving each operation's requests.
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == 11
    # A scheduled correction, so that the release calendar's answer has a row to check.
    [correction] = actions.recalculate(year=small_site.year, type_codes=[small_site.type_code])
    actions.publish_run(run=correction, at=timezone.now() + timedelta(days=1), note="Late returns.")
    # Generated paths rarely name a real organisation: each operation with a
    # path is also run on the site's own (a card of a published year), so the
    # full answers are checked too.
    real = {"code": small_site.organisation.code, "year": "2000-01"}
    runs = [(operation, mode, {}) for operation in operations for mode in MODES]
    runs += [(operation, GenerationMode.POSITIVE, {p.name: real[p.name] for p in operation.path_parameters})
             for operation in operations if operation.path.startswith("/api/v1/organisations/{")]
    for operation, mode, path_parameters in runs:
        @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path_parameters or None))
        @hypothesis_settings(max_examples=25, deadline=None, derandomize=True, database=None,
                             suppress_health_check=list(HealthCheck))
        def answers_keep_to_the_schema(case):
            case.call_and_validate(checks=CHECKS)

        try:
            answers_keep_to_the_schema()
        except Unsatisfiable:
            # No invalid request exists for an operation whose parameters
            # take any text (or that has none): nothing to refuse.
            assert mode is GenerationMode.NEGATIVE, operation.label


@pytest.mark.django_db
def test_the_checks_would_catch_an_answer_that_breaks_the_schema(small_site, settings, monkeypatch,
                                                                  wsgi_keeps_the_test_connection):
    """The same checks fail on a body that breaks the schema (a band the schema does not list)."""
    from public.api import serializers

    settings.API_RATE_LIMIT = ""
    settings.ALLOWED_HOSTS = ["localhost"]
    loaded = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    monkeypatch.setattr(serializers.RatingSerializer, "to_representation",
                        lambda self, row: {"band": "purple"})
    case = loaded["/api/v1/ratings/"]["GET"].Case(query={"year": "2000-01"})
    with pytest.raises(BaseException) as failure:
        case.call_and_validate(checks=CHECKS)
    assert "Response violates schema" in "".join(traceback.format_exception(failure.value))
