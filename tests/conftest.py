"""Shared test fixtures.

The small world: two regions of 2000 (Northern and Yorkshire in the north,
London in the south), four organisations (two health authorities, a trust
that closed at the end of 1998-99 and its successor), one core-target
indicator for HA and TRUST, one adjusted quality indicator for HA only, and
the deprivation context indicator. Built through the import commands, as an
operator would.
"""

import os
from pathlib import Path

import pytest
from django.core.management import call_command
from hypothesis import settings as hypothesis_settings

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
