"""What the admin compare says about every band that moved between two
demo years, held against the stored records of both: the figures it quotes,
the failures it counts, and that it never names a cause that did not change."""

import re

import pytest

from ratings import actions, admin_comparisons, standings
from ratings.models import Rating


def number(value) -> str:
    return "none" if value is None else f"{value:.2f}"


@pytest.fixture
def years(loaded_demo):
    before = actions.recalculate(year=1999)
    after = actions.recalculate(year=2000)
    return before, after


def test_every_reason_for_every_moved_band_is_true_of_both_years_records(years):
    before, after = years
    comparison = admin_comparisons.runs_comparison(before=before, after=after, before_label="1999-00",
                                                   after_label="2000-01")
    stored = {side: {r.organisation_id: r for r in Rating.objects.filter(run__in=runs).select_related("run")}
              for side, runs in (("before", before), ("after", after))}
    moved = [change for change in comparison.changes if change.before and change.after]
    assert len(moved) > 50
    for change in moved:
        old, new = stored["before"][change.organisation.id], stored["after"][change.organisation.id]
        assert (change.before.band, change.after.band) == (old.band, new.band) and old.band != new.band
        for reason in change.reasons:
            if reason.startswith("Final score"):
                assert reason.startswith(f"Final score {number(old.score)} → {number(new.score)}, green cut-off "
                                         f"{number(old.green_cutoff)} → {number(new.green_cutoff)}"), reason
            if reason.startswith("Now fails"):
                counted = {side: [f for f in standings.core_failures(rating)
                                  if f.reason != standings.NO_DATA
                                  or rating.run.parameters.get("missing_core_data", "failure") == "failure"]
                           for side, rating in (("old", old), ("new", new))}
                assert re.match(rf"Now fails {len(counted['new'])} core national targets?\b.*; it failed "
                                rf"{len(counted['old'])} before\.", reason), reason
            if reason.startswith("Mostly its level score"):
                assert f"({number(old.level_score)} → {number(new.level_score)})" in reason
                assert abs(new.score - old.score) > 1e-9
            if reason.startswith("Its own final score did not change"):
                assert abs(new.score - old.score) <= 1e-9
            if "decided it: without it" in reason and reason.startswith("The value-added"):
                assert new.band_without_adjustment != new.band
            if reason.startswith("Credit for improvement decided it"):
                assert new.band_without_improvement != new.band
        if {old.band, new.band} == {"green", "yellow"} and not (old.core_targets_failed or new.core_targets_failed):
            assert change.main_reason in ("score", "adjustment", "improvement"), change
