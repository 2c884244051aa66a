"""A what-if's share of each organisation's move among the changed
parameters (`band_changes.parameter_shares`): Shapley values over every
subset of up to four changes, else each alone and the combined effect.
Hand-made outcomes; no database."""

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ratings import band_changes
from ratings.band_changes import COMBINED, compare, parameter_shares

from .test_band_changes import ORGANISATIONS, outcome

BEFORE = {"green_share": 0.25, "clip_z": 3.0, "improvement_weight": 0.25, "min_coverage": 0.5,
          "red_core_failures": 2}
AFTER = {"green_share": 0.5, "clip_z": 2.0, "improvement_weight": 0.5, "min_coverage": 0.75,
         "red_core_failures": 3}


def tried_with(changed, green_with):
    """Outcomes of organisation 1 under every proper subset of `changed`: green exactly for the subsets in
    `green_with` (sets of names), else yellow."""
    return {frozenset(subset): {1: outcome("green" if frozenset(subset) in green_with else "yellow")}
            for size in range(1, len(changed)) for subset in itertools.combinations(changed, size)}


def shares_of(changed, green_with):
    return parameter_shares(1, outcome("yellow"), outcome("green"), list(changed), tried_with(changed, green_with))


def test_a_change_that_alone_decides_takes_the_whole_move():
    changed = ["green_share", "clip_z", "improvement_weight"]
    green = {frozenset(s) for s in (["green_share"], ["green_share", "clip_z"], ["green_share", "improvement_weight"])}
    assert shares_of(changed, green) == {"green_share": 1.0, "clip_z": 0.0, "improvement_weight": 0.0}


def test_two_changes_needed_together_share_it_equally():
    changed = ["green_share", "clip_z", "improvement_weight"]
    green = {frozenset(["green_share", "clip_z"]), frozenset(["green_share", "clip_z", "improvement_weight"])}
    assert shares_of(changed, green) == pytest.approx({"green_share": 0.5, "clip_z": 0.5,
                                                       "improvement_weight": 0.0})


def test_either_of_two_changes_alone_is_enough_they_share_it():
    changed = ["green_share", "clip_z"]
    green = {frozenset(["green_share"]), frozenset(["clip_z"])}
    assert shares_of(changed, green) == pytest.approx({"green_share": 0.5, "clip_z": 0.5})


@given(st.integers(1, 4), st.data())
def test_shapley_shares_add_up_to_the_whole_move(count, data):
    changed = list(BEFORE)[:count]
    subsets = [frozenset(s) for size in range(1, count) for s in itertools.combinations(changed, size)]
    green = {s for s in subsets if data.draw(st.booleans())}
    shares = shares_of(changed, green)
    assert set(shares) == set(changed)
    assert sum(shares.values()) == pytest.approx(1.0)
    # A change that never alters whether a set of changes gives the new band gets no share.
    for name in changed:
        pivotal = any((s | {name} in green or s | {name} == frozenset(changed)) != (s in green)
                      for s in [frozenset()] + subsets if name not in s)
        if not pivotal:
            assert shares[name] == pytest.approx(0.0)


def test_more_than_four_changes_are_tried_one_at_a_time_with_a_combined_effect():
    changed = list(BEFORE)
    alone = {frozenset([name]): {1: outcome("green" if name == "clip_z" else "yellow")} for name in changed}
    shares = parameter_shares(1, outcome("yellow"), outcome("green"), changed, alone)
    assert shares == {**dict.fromkeys(changed, 0.0), "clip_z": 1.0, COMBINED: 0.0}
    nobody = {key: {1: outcome("yellow")} for key in alone}
    assert parameter_shares(1, outcome("yellow"), outcome("green"), changed, nobody)[COMBINED] == 1.0


def test_the_what_if_names_each_moved_organisations_shares():
    changed = ["green_share", "clip_z"]
    before, after = {1: outcome("yellow"), 2: outcome("green")}, {1: outcome("green"), 2: outcome("green")}
    two = {key: value for key, value in BEFORE.items() if key in changed}
    comparison = compare(before, after, ORGANISATIONS, before_label="as set", after_label="what if",
                         before_parameters=two, after_parameters={k: AFTER[k] for k in changed},
                         tried={frozenset(["green_share"]): {1: outcome("green"), 2: outcome("green")},
                                frozenset(["clip_z"]): {1: outcome("yellow"), 2: outcome("green")}})
    [change] = comparison.changes
    assert change.parameter_shares == {"green_share": 1.0, "clip_z": 0.0}
    assert change.reasons[0] == ("Moved by green_share 100%: each change's share of the move to green (Shapley "
                                 "values over every order of making the 2 changes).")
    five = compare(before, after, ORGANISATIONS, before_label="as set", after_label="what if",
                   before_parameters=BEFORE, after_parameters=AFTER,
                   tried={frozenset([name]): {1: outcome("yellow"), 2: outcome("green")} for name in BEFORE})
    assert five.changes[0].reasons[0] == (
        "No one changed parameter alone gives this band (each of the 5 changes tried alone, the rest as set; "
        "shares of the move: combined effect 100%).")


def test_a_what_if_tries_every_subset_of_up_to_four_changes_else_each_alone():
    from ratings import admin_comparisons
    from ratings.engine import SchemeParameters

    base = SchemeParameters()
    for count, tried in ((1, 0), (2, 2), (3, 6), (4, 14), (5, 5)):
        changes = {name: AFTER[name] for name in list(AFTER)[:count]}
        other = SchemeParameters.from_dict({**base.as_dict(), **changes})
        assert len(admin_comparisons.tried_subsets(base, other)) == tried
    assert band_changes.SHAPLEY_MOST == 4


def test_what_ifs_kept_with_each_change_alone_are_read_as_before():
    """What-ifs kept before every subset was tried have each change alone as "alone:<name>"."""
    from ratings import admin_comparisons

    one, two = {1: outcome("green")}, {1: outcome("yellow")}
    tried = admin_comparisons.tried_outcomes({"before": {}, "after": {}, "alone:green_share": one,
                                              "with:green_share+clip_z": two})
    assert tried == {frozenset(["green_share"]): one, frozenset(["green_share", "clip_z"]): two}
