"""The methodology page's sentences (no database)."""

from public.presenters import methodology
from ratings.engine import SchemeParameters

PARAMS = SchemeParameters().as_dict()


def test_methodology_sentences_come_from_the_stored_parameters():
    params = {**PARAMS, "green_share": 0.2, "red_core_failures": 3, "improvement_weight": 0.0,
              "value_added": False, "min_coverage": 0.6}
    rules = dict(methodology.parameter_sentences(params, {}))
    assert "At most 20% of the rated organisations" in rules["Green"]
    assert rules["Core national targets"].startswith("Failing 3 or more core national targets makes")
    assert rules["Improvement"] == "Improvement did not count: the final score is the level score."
    assert rules["Adjustment for deprivation"] == "No adjustment for deprivation was made this year."
    assert "at least 60%" in rules["Who is rated"]
    default = dict(methodology.parameter_sentences(PARAMS, {"DEPRIVATION": "Deprivation score"}))
    assert "75% the level score" in default["Improvement"] and "25% the" in default["Improvement"]
    assert "(using Deprivation score)" in default["Adjustment for deprivation"]
    assert default["Domains"].endswith("weighted equally.")
