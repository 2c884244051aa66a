"""Indicator definitions by year: the pure rule "in force in year Y", its SQL
twin, the migration that defined every indicator from the start, and
`import_indicators`' year, measure and multiplier columns."""

import io
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from indicators.definitions import FROM_THE_START, format_from_year, in_force
from indicators.models import Indicator, IndicatorDefinition, OrganisationType
from tests.conftest import write

HEADER = "code,name,kind,domain,direction,organisation_types,core_threshold,year,measure,multiplier\n"


def dated(indicator, from_year):
    return SimpleNamespace(indicator_id=indicator, from_year=from_year)


def test_in_force_takes_the_latest_definition_not_after_the_year():
    start, tightened = dated(1, FROM_THE_START), dated(1, 1999)
    later_indicator = dated(2, 2001)
    definitions = [tightened, start, later_indicator]
    assert in_force(definitions, 1998) == {1: start}
    assert in_force(definitions, 1999) == {1: tightened}
    assert in_force(definitions, 2000) == {1: tightened}
    assert in_force(definitions, 2001) == {1: tightened, 2: later_indicator}


def test_from_the_start_is_said_in_words():
    assert (format_from_year(FROM_THE_START), format_from_year(1999)) == ("from the start", "from 1999-00")


years = st.integers(min_value=1995, max_value=2004)


@given(st.lists(st.tuples(st.integers(1, 4), years), unique=True, max_size=12), years)
def test_in_force_keeps_one_definition_per_indicator_none_later_than_the_year(pairs, year):
    chosen = in_force([dated(i, y) for i, y in pairs], year)
    for indicator, definition in chosen.items():
        assert definition.from_year <= year
        assert all(y <= definition.from_year or y > year for i, y in pairs if i == indicator)
    assert set(chosen) == {i for i, y in pairs if y <= year}


class InForceInSql(TestCase):
    """`IndicatorDefinition.objects.in_force` agrees with `definitions.in_force`."""

    @settings(max_examples=25, deadline=None)
    @given(st.lists(st.tuples(st.integers(0, 2), years), unique=True, max_size=9), years)
    def test_sql_twin_agrees(self, pairs, year):
        indicators = [Indicator.objects.create(code=f"I{n}", name=f"i{n}", kind="performance", domain="quality")
                      for n in range(3)]
        for n, from_year in pairs:
            IndicatorDefinition.objects.create(indicator=indicators[n], from_year=from_year, kind="performance",
                                               domain="quality")
        everything = list(IndicatorDefinition.objects.all())
        assert ({d.pk for d in IndicatorDefinition.objects.in_force(year)}
                == {d.pk for d in in_force(everything, year).values()})


def test_migration_defines_every_indicator_from_the_start_with_its_own_fields(db):
    migration = __import__("indicators.migrations.0005_indicator_definitions", fromlist=["define_from_the_start"])
    indicator = Indicator.objects.create(code="MMR", name="MMR", kind="performance", domain="quality",
                                         direction="higher_better", weight=2, core_threshold=84,
                                         adjust_for_deprivation=True)
    indicator.organisation_types.set(OrganisationType.objects.filter(code__in=["HA", "PCG"]))
    migration.define_from_the_start(apps, None)
    definition = IndicatorDefinition.objects.get(indicator=indicator)
    assert (definition.from_year, definition.kind, definition.domain, definition.direction, definition.weight,
            definition.core_threshold, definition.adjust_for_deprivation, definition.measure,
            definition.multiplier) == (FROM_THE_START, "performance", "quality", "higher_better", 2, 84, True,
                                       "other", None)
    assert sorted(definition.organisation_types.values_list("code", flat=True)) == ["HA", "PCG"]


def run(path):
    out = io.StringIO()
    call_command("import_indicators", path, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_todays_files_define_indicators_from_the_start(world):
    ip18m = Indicator.objects.get(code="IP18M")
    (definition,) = ip18m.definitions.all()
    assert (definition.from_year, definition.core_threshold, definition.measure) == (FROM_THE_START, 0, "other")
    assert sorted(definition.organisation_types.values_list("code", flat=True)) == ["HA", "TRUST"]


def test_a_code_on_several_rows_defines_it_from_each_year(world):
    out = run(write(world, "defs.csv", HEADER
                    + "MMR,Immunisation,performance,quality,higher_better,HA,84,,proportion,100\n"
                    + "MMR,Immunisation,performance,quality,higher_better,HA;PCG,95,1999-00,proportion,100\n"))
    assert out == "Indicators: 2 created, 0 updated, 0 unchanged.\n"
    mmr = Indicator.objects.get(code="MMR")
    assert list(mmr.definitions.values_list("from_year", "core_threshold", "measure", "multiplier")) == [
        (FROM_THE_START, 84, "proportion", 100), (1999, 95, "proportion", 100)]
    # The indicator's own fields mirror its latest definition, for the admin's list.
    assert mmr.core_threshold == 95
    assert sorted(mmr.organisation_types.values_list("code", flat=True)) == ["HA", "PCG"]
    # Importing the from-the-start row again changes it alone.
    out = run(write(world, "again.csv", HEADER + "MMR,Immunisation,performance,quality,higher_better,HA,80,,"
                                                 "proportion,100\n"))
    assert out == "Indicators: 0 created, 1 updated, 0 unchanged.\n"
    assert list(mmr.definitions.values_list("core_threshold", flat=True)) == [80, 95]


def test_bad_definitions_name_file_row_and_column_and_store_nothing(world):
    before = list(IndicatorDefinition.objects.values_list("pk", "core_threshold"))
    err = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("import_indicators", write(world, "bad.csv", HEADER
                  + "NEW,New,performance,quality,higher_better,HA,,,proportion,\n"
                  + "NEW,New,performance,quality,higher_better,HA,,1999-00,ratio,100\n"
                  + "NEW,New,performance,quality,higher_better,HA,,2000-01,other,100\n"
                  + "NEW,Renamed,performance,quality,higher_better,HA,,2001-02,rate,0\n"
                  + "NEW,New,performance,quality,higher_better,HA,,1999,rate,10\n"
                  + "NEW,New,performance,quality,higher_better,HA,,1999-00,rate,10\n"
                  + "NEW,New,performance,quality,higher_better,HA,,99-00,rate,10\n"), stdout=io.StringIO(), stderr=err)
    assert str(error.value) == "bad.csv: 7 problems (listed above). Nothing was stored."
    assert err.getvalue().splitlines() == [
        "bad.csv: Line 2, column multiplier: A proportion needs a multiplier (e.g. 100 for a percentage, 100000 "
        "for per 100,000).",
        "bad.csv: Line 3, column measure: 'ratio' is not a measure: use proportion, rate, other.",
        "bad.csv: Line 4, column multiplier: Only a proportion or a rate has a multiplier: leave it blank, or give the "
        "measure.",
        "bad.csv: Line 5, column multiplier: The multiplier must be more than 0.",
        "bad.csv: Line 5, column name: Line 2 gives NEW the name 'New': every row of one indicator gives the same name.",
        "bad.csv: Line 7, column year: Duplicate row: line 6 already defines 'NEW' from 1999-00.",
        "bad.csv: Line 8, column year: '99-00' is not a financial year: write it as 2000-01 (or 2000)",
    ]
    assert not Indicator.objects.filter(code="NEW").exists()
    assert list(IndicatorDefinition.objects.values_list("pk", "core_threshold")) == before


def test_the_admins_indicator_page_edits_the_latest_definition(world):
    from django.contrib.auth.models import User

    from indicators.actions import save_indicator
    admin = User.objects.create_superuser("admin", password="a-long-password-1")
    types = list(OrganisationType.objects.filter(code="HA"))
    added = save_indicator(indicator=Indicator(code="NEW", name="New", kind="performance", domain="access"),
                           organisation_types=types, user=admin)
    assert list(added.definitions.values_list("from_year", "domain")) == [(FROM_THE_START, "access")]
    IndicatorDefinition.objects.create(indicator=added, from_year=1999, kind="performance", domain="access")
    added.core_threshold = 50
    save_indicator(indicator=added, organisation_types=types, user=admin)
    assert list(added.definitions.values_list("from_year", "core_threshold")) == [(FROM_THE_START, None),
                                                                                   (1999, 50)]


def test_a_return_is_checked_against_its_years_definition(world):
    """IP18M applies to HA and TRUST from the start, to HA alone from 1999-00."""
    from indicators.actions import define_for_year
    from indicators.queries import returns_reference, template_rows
    from indicators.returns import validate_return
    from indicators.spreadsheets import read_table
    ip18m = Indicator.objects.get(code="IP18M")
    values = {name: getattr(ip18m.definitions.get(), name) for name in (
        "kind", "domain", "direction", "weight", "adjust_for_deprivation", "core_threshold", "measure", "multiplier")}
    define_for_year(indicator=ip18m, year=1999, values=values,
                    organisation_types=OrganisationType.objects.filter(code="HA"), user=None)
    text = "organisation_code,indicator_code,year,value\nRAA,IP18M,1998-99,3\nRAB,IP18M,1999-00,3\n"
    result = validate_return(read_table(text.encode(), "r.csv"), returns_reference())
    assert [(p.line, p.column, p.message) for p in result.problems] == [
        (3, "indicator_code", "The indicator IP18M does not apply to Acute trust (TRUST) organisations such as "
                              "RAB in 1999-00.")]
    assert [row[:3] for row in template_rows(year=1998, region_codes={"NY"}) if row[2] == "IP18M"] == [
        ["Q01", "Leeds Health Authority", "IP18M"], ["RAA", "Old Trust", "IP18M"]]
    assert [row[:3] for row in template_rows(year=1999, region_codes={"NY"}) if row[2] == "IP18M"] == [
        ["Q01", "Leeds Health Authority", "IP18M"]]
