"""Every claim the compare page makes, held against the stored records, for
every organisation of the demo's latest year (as `make run` computes it),
compared in groups of two, three and four: each one's rank, final score and
place among the candidates for green, which of them scored highest and
lowest, and every indicator's figure and position."""

import re

import pytest

from public import queries
from public.formatting import format_number, ordinal
from public.presenters import compare
from ratings import actions
from ratings.frozen_definitions import performance_definitions
from ratings.models import Rating


@pytest.fixture
def demo(loaded_demo):
    return actions.recalculate(year=2000, publish=True)


def groups(codes: list[str]):
    """The codes in groups of two, three and four (every organisation in each sizing)."""
    for size in (2, 3, 4):
        for start in range(0, len(codes) - size + 1, size):
            yield codes[start:start + size]


def test_every_claim_of_every_comparison_is_true_of_the_records(demo):
    checked = {"comparisons": 0, "organisations": set(), "cells": 0}
    for run in demo:
        stored = {r.organisation.code: r for r in Rating.objects.filter(run=run).select_related("organisation")}
        definitions = performance_definitions(run)
        for codes in groups(sorted(stored)):
            page = compare.page(queries.comparison(codes, 2000))
            assert not page.problems and [c.organisation.code for c in page.compared] == codes
            for item in page.compared:
                rating = stored[item.organisation.code]
                assert item.score == format_number(rating.score)
                assert item.rank == (f"{ordinal(rating.rank)} of {run.rated_count}" if rating.rank else "Not ranked")
                if rating.candidate_position is None:
                    assert item.candidate == "Not a candidate for green"
                    assert rating.band != "green"
                else:
                    assert item.candidate == (f"{ordinal(rating.candidate_position)} of {rating.green_candidates} "
                                              f"candidates (the best {rating.green_quota} could be green)")
                    assert rating.core_targets_failed == 0  # a candidate failed no core target
                assert item.why.lower().startswith(rating.band.replace("_", " "))
                checked["organisations"].add(rating.organisation.code)
            scored = [stored[code] for code in codes if stored[code].score is not None]
            if len(scored) >= 2 and len({r.score for r in scored}) > 1:
                highest, lowest = page.sentences
                top = max(r.score for r in scored)
                bottom = min(r.score for r in scored)
                assert f"({format_number(top)})" in highest and f"({format_number(bottom)})" in lowest
                for rating in scored:
                    assert (rating.organisation.name in highest.split(" (")[0]) == (rating.score == top), highest
                    assert (rating.organisation.name in lowest.split(" (")[0]) == (rating.score == bottom), lowest
                ranked = highest.split("ranked ")[1].split(" of ")[0]
                ranks = [int(n) for n in re.findall(r"(\d+)(?:st|nd|rd|th)", ranked)]
                assert ranks == [r.rank for r in scored if r.score == top]
            for row, definition in zip(page.indicator_rows, definitions):
                assert row["indicator"].code == definition.code
                for cell, code in zip(row["cells"], codes):
                    rating = stored[code]
                    value = (rating.indicator_scores.get(definition.code) or [None])[0]
                    if value is None:  # a figure the adjustment alone recorded (a not-rated organisation's)
                        value = next((a["value"] for a in rating.adjustments if a["indicator"] == definition.code),
                                     None)
                    assert cell["value"] == format_number(value), (code, definition.code)
                    standing = (rating.peer_standings or {}).get(definition.code)
                    if cell["position"]:
                        assert cell["position"] == f"{ordinal(standing[0])} of {standing[1]}"
                    checked["cells"] += 1
            checked["comparisons"] += 1
    assert len(checked["organisations"]) == sum(r.ratings.count() for r in demo) and checked["cells"] > 10000, \
        {**checked, "organisations": len(checked["organisations"])}
