"""The methodology page's sentences (no database)."""

from types import SimpleNamespace

from public.presenters import methodology
from ratings.engine import SchemeParameters

PARAMS = SchemeParameters().as_dict()


def test_methodology_sentences_come_from_the_stored_parameters():
    params = {**PARAMS, "green_share": 0.2, "red_core_failures": 3, "improvement_weight": 0.0,
              "value_added": False, "min_coverage": 0.6}
    rules = dict(methodology.parameter_sentences(params, {}))
    assert rules["Green"].startswith("The number of green places is 20% of the rated organisations")
    assert "Failing 3 or more core national targets makes" in rules["Core national targets"]
    assert rules["Improvement"] == "Improvement did not count: the final score is the level score."
    assert rules["Adjustment for deprivation"] == "No adjustment for deprivation was made this year."
    assert "at least 60%" in rules["Who is rated"]
    default = dict(methodology.parameter_sentences(PARAMS, {"DEPRIVATION": "Deprivation score"}))
    assert "75% the level score" in default["Improvement"] and "25% the" in default["Improvement"]
    assert "(using Deprivation score)" in default["Adjustment for deprivation"]
    assert default["Domains"].endswith("weighted equally.")


def test_version_2_states_reported_figures_and_how_missing_core_data_counts():
    failure = dict(methodology.parameter_sentences(PARAMS, {}))
    assert "judged on the figures as reported" in failure["Core national targets"]
    assert "counts as a failure, shown as \"no data\" (missing core data: failure)" in failure[
        "Core national targets"]
    assert "counts as average improvement (an improvement score of 0)" in failure["Improvement"]
    assert "reported every core target figure" not in failure["Green"]
    assert "worked out again 2,000 times (simulated years, seed 2000)" in failure["Band certainty"]
    not_green = dict(methodology.parameter_sentences({**PARAMS, "missing_core_data": "not_green"}, {}))
    assert "is not counted as a failure, but an organisation with one cannot be green" in not_green[
        "Core national targets"]
    assert "failed no core national target and reported every core target figure" in not_green["Green"]


def test_runs_of_version_1_keep_their_own_rules():
    old = {key: value for key, value in PARAMS.items()
           if key not in ("missing_core_data", "uncertainty_draws", "uncertainty_seed")}
    run = SimpleNamespace(parameters=old, engine_version="1.0.0",
                          organisation_type=SimpleNamespace(plural_name="health authorities", name="HA"))
    [section] = methodology.sections([run], {})
    rules = dict(section["rules"])
    assert "after the adjustment for deprivation" in rules["Core national targets"]
    assert "measured on adjusted figures" in rules["Improvement"] and "Band certainty" not in rules
    assert section["engine_versions"] == ["1.0.0"]
