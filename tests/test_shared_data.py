"""Shared fixtures (tests/shared_data.py): built once for the consecutive tests
that use them, each test's writes rolled back, gone for the tests that do not
use them. The tests below run in file order; collection moves the second user
of the fixture next to the first, over the test between them."""

import pytest
from django.core.management import call_command

from indicators.models import Region
from tests.conftest import write
from tests.shared_data import SHARED, shared_fixture

BUILDS = []


@shared_fixture
def shared_region(folder):
    BUILDS.append(folder)
    call_command("import_regions", write(folder, "regions.csv", "code,name,area\nZZ,Shared Region,North\n"),
                 stdout=None)
    return Region.objects.get(code="ZZ")


def test_a_shared_fixture_is_built_for_its_first_test(shared_region):
    assert len(BUILDS) == 1 and SHARED.key == f"{__name__}.shared_region"
    assert Region.objects.get(code="ZZ").name == "Shared Region"
    # A write in this test, to the database and to the object in memory.
    shared_region.name = "Renamed in the first test"
    shared_region.save()
    call_command("import_regions", write(BUILDS[0], "more.csv", "code,name,area\nZY,Written Region,South\n"),
                 stdout=None)


@pytest.mark.django_db
def test_a_test_without_it_sees_none_of_its_data():
    assert SHARED.key is None
    assert not Region.objects.filter(code__in=["ZZ", "ZY"]).exists()


def test_the_next_test_shares_the_build_but_not_the_writes_of_the_first(shared_region):
    # Moved next to the first test at collection: still the one build.
    assert len(BUILDS) == 1
    assert shared_region.name == "Shared Region"  # its own copy, not the object the first test changed
    assert Region.objects.get(code="ZZ").name == "Shared Region"
    assert not Region.objects.filter(code="ZY").exists()


@pytest.fixture
def builds_before():
    return len(BUILDS)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_transactional_test_builds_its_own_committed_copy(builds_before, shared_region):
    assert SHARED.key is None and len(BUILDS) == builds_before + 1
    assert Region.objects.get(code="ZZ") == shared_region
