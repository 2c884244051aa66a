"""How the card words a band change when its main reason (the largest part
of the margin's move) and the band had the others stood still pull apart.
Hand-made explanations; no database."""

import pytest

from public.presenters import band_changes
from ratings import standings
from ratings.standings import ChangeExplanation


def explanation(*, reason, own, others, still, before="green", after="yellow", method=0.0, under=None):
    return ChangeExplanation(
        compared_with=1, year_before=1999, band_before=before, band_after=after, margin_before=0.1,
        margin_after=0.1 + own + others + method, change=own + others + method, own=own, others=others,
        method=method, corrections=0.0, no_margin_reason="", band_if_others_stood_still=still,
        band_under_last_years_method=under or after, main_reason=reason, core_changes=(), margins={}, bands={})


def card(moved: ChangeExplanation) -> list[str]:
    return band_changes.section(moved, name="North HA", plural="health authorities", names={},
                                targets=lambda code, threshold: str(threshold)).sentences


def test_others_moving_the_margin_most_but_not_needed_is_not_called_the_reason():
    """Others' part is the larger, yet had they stood still the band would have
    fallen all the same: not "mainly because" of them."""
    sentences = card(explanation(reason=standings.OTHERS, own=-0.10, others=-0.15, still="yellow"))
    assert sentences[0].startswith(
        "North HA moved from green to yellow. Others' figures moved its margin over the green cut-off most "
        "(other health authorities improved faster), but the change did not depend on them. ")
    assert "mainly because" not in " ".join(sentences)
    assert sentences[1] == "Had the others stood still it would have been yellow all the same."


def test_others_moving_the_margin_most_and_needed_is_the_reason():
    sentences = card(explanation(reason=standings.OTHERS, own=-0.05, others=-0.15, still="green"))
    assert sentences[0].startswith("North HA moved from green to yellow mainly because other health authorities "
                                   "improved faster. ")
    assert sentences[1] == "Had the others stood still it would still be green."


@pytest.mark.parametrize("before, after, own, others", [("green", "yellow", -0.15, -0.05),
                                                        ("yellow", "green", 0.15, 0.05)])
def test_own_figures_the_larger_part_but_the_others_needed_too_is_said(before, after, own, others):
    sentences = card(explanation(reason=standings.OWN, own=own, others=others, still=before, before=before,
                                 after=after))
    assert " mainly because its own figures " in sentences[0]
    assert sentences[1] == f"It needed the others' figures too: had the others stood still it would still be {before}."


def test_own_figures_enough_on_their_own():
    sentences = card(explanation(reason=standings.OWN, own=-0.15, others=-0.05, still="yellow"))
    assert " mainly because its own figures got worse. " in sentences[0]
    assert sentences[1] == "Had the others stood still it would have been yellow all the same."


def test_the_method_moving_the_margin_most_but_not_needed_is_not_called_the_reason():
    sentences = card(explanation(reason=standings.METHOD, own=-0.05, others=0.0, method=-0.1, still="yellow"))
    assert sentences[0].startswith("North HA moved from green to yellow. The change of method moved its margin over "
                                   "the green cut-off most, but the change did not depend on it. ")
    assert sentences[2] == "Under 1999-00's method it would have been yellow all the same."


def test_a_band_change_the_change_of_method_was_needed_for_says_so():
    sentences = card(explanation(reason=standings.OWN, own=-0.15, others=0.0, method=-0.05, still="yellow",
                                 under="green"))
    assert sentences[2] == "It needed the change of method too: under 1999-00's method it would still be green."
    method = card(explanation(reason=standings.METHOD, own=-0.05, others=0.0, method=-0.1, still="green",
                              under="green"))
    assert " mainly because the method changed. " in method[0]
    assert method[2] == "Under 1999-00's method it would still be green."
