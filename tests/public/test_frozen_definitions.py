"""A published rating never changes when a definition does: every run freezes
the indicator definitions it used, and its card, the methodology page and the
downloads read that copy. The engine reads the definitions in force in the
year being rated (spec, "Words" and step 5's note)."""

import csv
import io

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.management import call_command

from indicators.definitions import FROM_THE_START
from indicators.models import Indicator
from ratings import actions, frozen_definitions
from ratings.inputs import load_engine_inputs
from ratings.models import RatingRun
from tests.conftest import write
from tests.ratings.conftest import rated_world  # noqa: F401 (a fixture)

MMR = ("code,name,kind,domain,direction,organisation_types,core_threshold,unit,year,measure,multiplier\n"
       "MMR,Children immunised against MMR,performance,quality,higher_better,HA,{threshold},%,{year},"
       "proportion,100\n")
MMR_RETURNS = "organisation_code,indicator_code,year,value\n" + "".join(
    f"HA{i},MMR,2000-01,{value}\n" for i, value in [(1, 94), (2, 86), (3, 90), (4, 83)])
MORTCIRC_ADJUSTED_NO_MORE = ("code,name,kind,domain,direction,organisation_types,adjust_for_deprivation,unit\n"
                             "MORTCIRC,Deaths from circulatory disease,performance,efficiency,lower_better,HA,"
                             "false,per 100000\n")
PAGES = ["/organisations/HA1/2000-01/", "/organisations/HA2/2000-01/", "/methodology/2000-01/", "/indicators/",
         "/indicators/MMR/2000-01/", "/indicators/MORTCIRC/2000-01/?type=HA",
         "/downloads/2000-01/ratings.csv", "/downloads/2000-01/ratings.json", "/ratings/2000-01/ratings.csv",
         "/downloads/2000-01/results.csv", "/downloads/2000-01/results.json"]


@pytest.fixture
def mmr_world(rated_world):  # noqa: F811
    call_command("import_indicators", write(rated_world, "mmr.csv", MMR.format(threshold=84, year="")), stdout=None)
    call_command("import_returns", write(rated_world, "mmr_returns.csv", MMR_RETURNS), stdout=None)
    return rated_world


def pages(client) -> dict[str, str]:
    cache.clear()  # the page cache would hide a change
    return {url: _body(client.get(url)) for url in PAGES}


def _body(response) -> str:
    assert response.status_code == 200
    return (b"".join(response.streaming_content) if response.streaming else response.content).decode()


def test_a_changed_target_changes_no_published_page(mmr_world, client):
    actions.recalculate(year=2000, publish=True)
    published = pages(client)
    assert "at least 84" in published["/organisations/HA2/2000-01/"]
    assert "at least 84" in published["/methodology/2000-01/"]
    assert "Core target 84" in published["/indicators/MMR/2000-01/"]

    call_command("import_indicators", write(mmr_world, "tighter.csv", MMR.format(threshold=95, year="")
                                            .replace(",HA,95", ",HA;TRUST,95")), stdout=None)
    call_command("import_indicators", write(mmr_world, "flagged.csv", MORTCIRC_ADJUSTED_NO_MORE), stdout=None)
    assert Indicator.objects.get(code="MMR").core_threshold == 95
    assert pages(client) == published
    # The results file gives the definitions frozen with the run: the target of 84, MORTCIRC still adjusted.
    rows = list(csv.DictReader(io.StringIO(published["/downloads/2000-01/results.csv"])))
    assert {row["core_threshold"] for row in rows if row["indicator_code"] == "MMR"} == {"84.0"}
    assert {row["adjusted_for_deprivation"] for row in rows if row["indicator_code"] == "MORTCIRC"} == {"yes"}

    # Recalculating uses today's definition, and freezes it with the new run.
    (draft,) = [run for run in actions.recalculate(year=2000) if run.organisation_type.code == "HA"]
    assert frozen_definitions.run_definitions(draft)["MMR"].core_threshold == 95
    assert "MMR" in {failure["indicator"] for failure in draft.ratings.get(organisation__code="HA2").core_failures}


def test_the_methodology_page_lists_every_indicator_of_the_year_from_the_run(mmr_world, client):
    actions.recalculate(year=2000, publish=True)
    html = pages(client)["/methodology/2000-01/"]
    for words in ("Children immunised against MMR (MMR)", "Service quality", "Higher is better", "at least 84",
                  "Deaths from circulatory disease (MORTCIRC)", "Lower is better", "Inpatients waiting over 18 months",
                  "at most 0", "Deprivation score (DEPRIVATION)", "Context: not scored"):
        assert words in html, words


def test_each_run_freezes_the_definitions_in_force_that_apply_to_its_type(mmr_world):
    call_command("import_indicators", write(mmr_world, "later.csv", MMR.format(threshold=95, year="2001-02")),
                 stdout=None)
    runs = {run.organisation_type.code: run for run in actions.recalculate(year=2000)}
    health_authorities = frozen_definitions.run_definitions(runs["HA"])
    assert sorted(health_authorities) == ["DEPRIVATION", "IP18M", "MMR", "MORTCIRC"]
    assert (health_authorities["MMR"].core_threshold, health_authorities["MMR"].from_year,
            health_authorities["MMR"].measure, health_authorities["MMR"].multiplier) == (84, FROM_THE_START,
                                                                                        "proportion", 100)
    assert sorted(frozen_definitions.run_definitions(runs["TRUST"])) == ["DEPRIVATION", "IP18M"]


def test_the_engine_reads_the_definitions_in_force_in_the_year(mmr_world):
    call_command("import_indicators", write(mmr_world, "later.csv", MMR.format(threshold=95, year="2001-02")
                                            .replace(",HA,95", ",HA;TRUST,95")), stdout=None)
    mmr = Indicator.objects.get(code="MMR").pk

    def definition(year):
        inputs = load_engine_inputs(year=year, type_codes=["HA", "TRUST"], deprivation_code="DEPRIVATION")
        threshold = inputs.indicators.set_index("indicator").loc[mmr, "core_threshold"]
        types = sorted(inputs.applicability.loc[inputs.applicability["indicator"] == mmr, "type"])
        return threshold, types, sorted(inputs.results.loc[inputs.results["indicator"] == mmr, "year"].unique())

    assert definition(2000) == (84, ["HA"], [2000])
    # 2001's definition judges both 2001's and 2000's figures.
    assert definition(2001) == (95, ["HA", "TRUST"], [2000])


def test_runs_stored_before_freezing_are_given_todays_definitions_by_the_migration(mmr_world):
    (run,) = [r for r in actions.recalculate(year=2000) if r.organisation_type.code == "HA"]
    frozen = run.definitions
    RatingRun.objects.filter(pk=run.pk).update(definitions={})
    migration = __import__("ratings.migrations.0014_frozen_definitions", fromlist=["freeze_todays_definitions"])
    migration.freeze_todays_definitions(apps, None)
    run.refresh_from_db()
    assert run.definitions == frozen


def test_the_migration_puts_back_what_the_admin_changed_since_a_run(mmr_world):
    from django.contrib.auth.models import User

    from indicators.actions import save_indicator
    (run,) = [r for r in actions.recalculate(year=2000) if r.organisation_type.code == "HA"]
    frozen = run.definitions
    mmr = Indicator.objects.get(code="MMR")
    mmr.core_threshold, mmr.weight = 95, 2
    save_indicator(indicator=mmr, organisation_types=mmr.organisation_types.all(),
                   user=User.objects.create_superuser("admin", password="a-long-password-1"))
    mmr.core_threshold = 99
    save_indicator(indicator=mmr, organisation_types=mmr.organisation_types.all(), user=None)
    RatingRun.objects.filter(pk=run.pk).update(definitions={})
    migration = __import__("ratings.migrations.0014_frozen_definitions", fromlist=["freeze_todays_definitions"])
    migration.freeze_todays_definitions(apps, None)
    run.refresh_from_db()
    assert run.definitions == frozen and run.definitions["MMR"]["core_threshold"] == 84
