"""The card's sentences held against the stored records of every rating of a
demo year, under both treatments of a missing core figure: what `why` and
the improvement sentence say must be true of what the rating recorded."""

import re

import pytest

from indicators.models import Indicator
from public.formatting import ordinal
from public.presenters import report_card
from ratings import actions, standings
from ratings.models import Rating


@pytest.fixture
def demo_ratings(loaded_demo):
    actions.update_scheme(year=1999, values={"missing_core_data": "not_green"})
    runs = actions.recalculate(year=2000) + actions.recalculate(year=1999)
    names = dict(Indicator.objects.values_list("code", "name"))
    return list(Rating.objects.filter(run__in=runs).select_related("run", "organisation__type")), names


def test_every_card_sentence_is_true_of_the_stored_records(demo_ratings):
    ratings, names = demo_ratings
    seen = set()
    for rating in ratings:
        run = rating.run
        reason = standings.band_reason(rating, run.parameters, run.rated_count)
        text = report_card.why(reason, names, "organisations")
        seen.add((rating.band, reason.rule))
        assert rating.band == "not_rated" or ("top " not in text and "%" not in text), text
        if rating.band == "green":
            assert rating.core_targets_failed == 0 and rating.candidate_position <= rating.green_quota
            assert (f"among the best {rating.green_quota} of the {rating.green_candidates} candidates "
                    f"({ordinal(rating.candidate_position)} of them)") in text
        if rating.band == "red":
            counted = reason.counted_failures
            assert len(counted) == rating.core_targets_failed >= run.parameters["red_core_failures"]
            for failure in counted:
                assert names[failure.indicator] in text
            if all(f.reason == standings.NO_DATA for f in counted):
                assert text.startswith("Red: did not report ")
            else:
                assert re.match(rf"Red: failed {len(counted)} core national targets?: ", text), text
        if reason.rule is standings.Rule.MISSING_CORE_DATA:
            assert run.parameters["missing_core_data"] == "not_green" and rating.candidate_position is None
            assert rating.core_targets_failed == 0 and reason.missing
        if rating.band != "not_rated":
            sentence = report_card.improvement_sentence(rating, run.parameters)
            assert ("counted as average improvement" in sentence) == (rating.improvement_measured is False)
            if rating.improvement_measured is False:
                assert rating.improvement_score == 0
    # The demo reaches the rules this checks.
    assert {("green", standings.Rule.AMONG_BEST_CANDIDATES), ("red", standings.Rule.FAILED_CORE_TARGETS),
            ("yellow", standings.Rule.MISSING_CORE_DATA), ("yellow", standings.Rule.BELOW_CUT_OFF)} <= seen
