"""The rated world: the shared small world plus four health authorities with
figures that make the value-added adjustment change a band."""

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import override_settings

from ratings import actions
from tests.conftest import write
from tests.shared_data import shared_fixture

# Four health authorities. Unadjusted, A has the lowest mortality and is the one
# green (q = floor(0.25 * 4) = 1). Fitted over all four, mortality rises 1 per
# point of deprivation (slope exactly 1), so adjusted A = 110 ties with B = 110
# and both are green. Everyone meets the core target.
ORGANISATIONS = """code,name,type,region
HA1,A Health Authority,HA,SE
HA2,B Health Authority,HA,NW
HA3,C Health Authority,HA,TR
HA4,=HYPERLINK("http://x") Health Authority,HA,WM
"""
RETURNS = "organisation_code,indicator_code,year,value\n" + "".join(
    f"HA{i},MORTCIRC,2000-01,{m}\nHA{i},DEPRIVATION,2000-01,{d}\nHA{i},IP18M,2000-01,0\n"
    for i, m, d in [(1, 100, 10), (2, 120, 30), (3, 130, 20), (4, 140, 20)])


@pytest.fixture
def rated_world(world):
    call_command("import_organisations", write(world, "ha.csv", ORGANISATIONS), stdout=None)
    call_command("import_returns", write(world, "returns.csv", RETURNS), stdout=None)
    return world




@pytest.fixture
def admin(rated_world):
    """A superuser: the only kind of user the ratings workflow lets in."""
    return User.objects.create_superuser("admin", password="a-long-password-1")


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


# Band certainty's small demo (health authorities, two years), for the certainty, races and stale-chunk tests.
CERTAINTY_DRAWS = 60


@shared_fixture
def certainty_demo(folder):
    """Built once for the tests that use it (tests/shared_data.py)."""
    with override_settings(CERTAINTY_CHUNK_DRAWS=25):
        call_command("generate_demo", "--output", str(folder), "--organisations", "120", "--types", "HA",
                     "--indicators", "8", "--years", "2", stdout=io.StringIO())
        call_command("load_demo", str(folder), stdout=io.StringIO(), stderr=io.StringIO())
        for year in (1999, 2000):
            actions.update_scheme(year=year, values={"uncertainty_draws": CERTAINTY_DRAWS})
        # The year before published, so that a band change has a baseline to be judged against.
        [before] = actions.recalculate(year=1999, publish=True)
    return before


@pytest.fixture
def small_demo(certainty_demo, settings):
    settings.CERTAINTY_CHUNK_DRAWS = 25
    return certainty_demo
