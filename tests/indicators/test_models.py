"""What the database itself refuses, whatever code writes to it."""

import pytest
from django.db import IntegrityError, transaction

from indicators.models import Indicator, Organisation, OrganisationType, Region, Result, ReturnImport
from indicators.years import is_open_in


@pytest.fixture
def trust(db):
    return Organisation.objects.create(code="RAE", name="Bradford", type=OrganisationType.objects.get(code="TRUST"),
                                       region=Region.objects.get(code="NY"))


def refused(**fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        Result.objects.create(**fields)


def test_result_constraints(trust):
    indicator = Indicator.objects.create(code="X", name="X", kind="performance", domain="quality")
    batch = ReturnImport.objects.create(filename="f.csv", channel="command")
    base = dict(organisation=trust, indicator=indicator, year=2000, value=1, source_import=batch)
    Result.objects.create(**base)
    refused(**base)  # one per organisation, indicator and year
    refused(**{**base, "year": 2001, "denominator": -1})
    refused(**{**base, "year": 2001, "numerator": 5, "denominator": 4})
    refused(**{**base, "year": 1800})


@pytest.mark.parametrize("fields", [
    {"kind": "performance", "domain": ""},
    {"kind": "context", "domain": "quality"},
    {"kind": "context", "domain": "", "core_threshold": 1},
    {"kind": "performance", "domain": "quality", "weight": 0},
    {"kind": "bogus", "domain": "quality"},
])
def test_indicator_constraints(db, fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        Indicator.objects.create(code="X", name="X", **fields)


def test_organisation_constraints(trust):
    trust.opened, trust.closed = 2000, 1999
    with pytest.raises(IntegrityError), transaction.atomic():
        trust.save()
    trust.refresh_from_db()
    trust.successor = trust
    with pytest.raises(IntegrityError), transaction.atomic():
        trust.save()


def test_the_open_in_year_query_agrees_with_the_rule(world):
    """`Organisation.objects.open_in` is `years.is_open_in` in SQL (the small world
    holds a trust that closed in 1998-99 and its successor, opened in 1999-00)."""
    organisations = list(Organisation.objects.all())
    for year in range(1996, 2003):
        expected = {o.code for o in organisations if is_open_in(year, opened=o.opened, closed=o.closed)}
        assert set(Organisation.objects.open_in(year).values_list("code", flat=True)) == expected, year
    open_in = {year: set(Organisation.objects.open_in(year).values_list("code", flat=True)) for year in (1998, 1999)}
    assert open_in == {1998: {"Q01", "Q02", "RAA"}, 1999: {"Q01", "Q02", "RAB"}}
