"""Shared test fixtures.

The small world: two regions of 2000 (Northern and Yorkshire in the north,
London in the south), four organisations (two health authorities, a trust
that closed at the end of 1998-99 and its successor), one core-target
indicator for HA and TRUST, one adjusted quality indicator for HA only, and
the deprivation context indicator. Built through the import commands, as an
operator would.
"""

import io
import os
from pathlib import Path

import pytest
from django.core.management import call_command
from hypothesis import settings as hypothesis_settings

from tests.shared_data import SHARED, grouped, shared_fixture, shared_key

# CI replays the same examples every run, so a red build means a change broke
# something; developers' runs keep exploring new examples.
hypothesis_settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

ORGANISATIONS = """code,name,type,region,opened,closed,successor
Q01,Leeds Health Authority,HA,NY,,,
Q02,Camden Health Authority,HA,London,,,
RAA,Old Trust,TRUST,NY,,1998-99,RAB
RAB,New Trust,TRUST,NY,1999-00,,
"""

INDICATORS = """code,name,kind,domain,direction,organisation_types,weight,core_threshold,adjust_for_deprivation,unit
IP18M,Inpatients waiting over 18 months,performance,access,lower_better,HA;TRUST,1,0,false,patients
MORTCIRC,Deaths from circulatory disease,performance,quality,lower_better,HA,1,,true,per 100000
DEPRIVATION,Deprivation score,context,,higher_better,HA;TRUST;PCG,1,,false,score
"""


def write(folder: Path, name: str, text: str) -> str:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return str(path)


# The spec's 2,000 draws of band certainty cost seconds a run on the demo: a
# year's method made in a test simulates none (certainty "none") unless the
# test sets its own draws (tests of certainty use about 50).
TEST_UNCERTAINTY_DRAWS = 0


@pytest.fixture(autouse=True, scope="session")
def few_certainty_draws():
    from ratings.models import RatingScheme

    field = RatingScheme._meta.get_field("uncertainty_draws")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(field, "default", TEST_UNCERTAINTY_DRAWS)
        patch.setattr(field, "_get_default", lambda: TEST_UNCERTAINTY_DRAWS)  # Django caches the default's getter
        yield


@pytest.fixture(autouse=True)
def plain_static_files(settings):
    """Production settings hash static files at collectstatic time; tests do not collect them."""
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Production hashing is slow on purpose; tests create many users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db, tmp_path):
    call_command("import_organisations", write(tmp_path, "organisations.csv", ORGANISATIONS), stdout=None)
    call_command("import_indicators", write(tmp_path, "indicators.csv", INDICATORS), stdout=None)
    return tmp_path


# Shared fixtures (tests/shared_data.py): built once for consecutive tests.

def pytest_collection_modifyitems(items):
    items[:] = grouped(items)


@pytest.fixture
def _django_db_helper(_shared_data_opened, _django_db_helper):
    """pytest-django's own, after the shared fixture's outer transaction is open,
    so that the test's transaction is a savepoint inside it."""
    yield _django_db_helper


@pytest.fixture(scope="session")
def _shared_data_closed_at_the_end(django_db_setup):
    """At the end of the session, before the test database is dropped."""
    yield
    SHARED.close()


@pytest.fixture
def _shared_data_opened(request, _shared_data_closed_at_the_end, django_db_blocker, tmp_path_factory):
    key = shared_key(request.node)
    if key is None:
        SHARED.close()
    else:
        SHARED.open(key, blocker=django_db_blocker, folder_factory=tmp_path_factory)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    try:
        return (yield)
    finally:
        # Rolled back as soon as the next test does not use it, before anything else opens a transaction.
        if SHARED.key is not None and shared_key(nextitem) != SHARED.key:
            SHARED.close()


@shared_fixture
def loaded_demo(folder):
    """The demo data set (fixtures/demo) loaded, nothing rated."""
    call_command("load_demo", "fixtures/demo", stdout=io.StringIO())


DEMO_YEARS = (1997, 1998, 1999, 2000)


@shared_fixture
def published_demo(folder):
    """The demo loaded and every year rated and published, as `make run` does: the runs."""
    from ratings import actions

    call_command("load_demo", "fixtures/demo", stdout=io.StringIO())
    return [run for year in DEMO_YEARS for run in actions.recalculate(year=year, publish=True)]
