"""The compare page: two to four organisations of one type side by side in a
year's published ratings (public.queries.Comparison), in words and figures
true of the stored records: each one's band and why, final score, rank and
place among the candidates for green, and every indicator."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from indicators.years import format_year
from ratings import bands, standings

from .. import charts
from ..queries import MAX_COMPARED
from ..formatting import format_number, listed, ordinal, plural_of
from .charting import svg
from .report_card import QUARTER_WORDS, why


@dataclass
class Compared:
    organisation: object
    rating: object
    band_word: str
    score: str
    rank: str  # "3rd of 60", or "Not ranked"
    candidate: str  # its place among the candidates for green, or why it was not one
    core_failed: str
    why: str


@dataclass
class ComparePage:
    year: str
    problems: list[str]
    compared: list[Compared]  # shown side by side only when there are two or more
    indicator_rows: list[dict]  # {"indicator", "median", "cells": [{"value", "position", "quarter", "band"}]}
    sentences: list[str]
    chart: str
    neighbours: list[dict]  # a lone organisation's neighbours in rank, each a link that adds it
    form_codes: list[str]  # the form's four fields, filled with the codes asked for

    @property
    def side_by_side(self) -> bool:
        return len(self.compared) >= 2 and not self.problems


def page(found) -> ComparePage:
    """A `queries.Comparison` as the page shows it."""
    compared, rows, sentences, chart, plural = [], [], [], "", ""
    if found.run is not None:
        plural = plural_of(found.run.organisation_type)
        names = {indicator.code: indicator.name for indicator in found.indicators}
        by_code = {indicator.code: indicator for indicator in found.indicators}
        facts = {}
        for organisation in found.organisations:
            rating = found.ratings.get(organisation.pk)
            if rating is None:
                continue
            facts[organisation.pk] = standings.rating_facts(rating, found.indicators)
            compared.append(Compared(
                organisation=organisation, rating=rating, band_word=bands.word(rating.band),
                score=format_number(rating.score),
                rank=f"{ordinal(rating.rank)} of {found.run.rated_count}" if rating.rank else "Not ranked",
                candidate=candidate_words(rating),
                core_failed="–" if rating.core_targets_failed is None else str(rating.core_targets_failed),
                why=why(facts[organisation.pk].reason, names, plural, indicators=by_code)))
        rows = _indicator_rows(found, compared, facts)
        sentences = comparison_sentences(compared, plural, found.run.rated_count)
        if len(compared) >= 2:
            chart = svg(charts.score_strip(
                chart_id="compare-scores", title=f"Final scores, {format_year(found.year)}",
                description="Each organisation's final score, marked with its band's shape; the dashed line is "
                            "the green cut-off. The same figures are in the table above.",
                rows=[charts.ScoreRow(c.organisation.name, c.rating.score, c.rating.band) for c in compared],
                cutoff=found.run.green_cutoff))
    codes = [o.code for o in found.organisations] or found.codes
    lone = found.organisations[0].code if len(found.organisations) == 1 else ""
    return ComparePage(
        year=format_year(found.year), problems=found.problems, compared=compared, indicator_rows=rows,
        sentences=sentences, chart=chart,
        neighbours=[{"code": code, "name": name, "rank": ordinal(rank), "band_word": bands.word(band), "band": band,
                     "query": urlencode([("organisation", lone), ("organisation", code)])}
                    for code, name, rank, band in found.neighbours],
        form_codes=(codes + [""] * MAX_COMPARED)[:MAX_COMPARED])


def candidate_words(rating) -> str:
    """Its place among the candidates for green (those that failed no core
    target), as the run recorded it (method version 2); for a run of version 1,
    which did not record it, that it is not known."""
    if str(rating.run.engine_version).split(".")[0] == "1":
        return "Not recorded (method version 1)"
    if rating.candidate_position is None:
        return "Not a candidate for green"
    return (f"{ordinal(rating.candidate_position)} of {rating.green_candidates} candidates "
            f"(the best {rating.green_quota} could be green)")


def comparison_sentences(compared: list[Compared], plural: str, rated_count: int) -> list[str]:
    """What sets them apart: which of them scored highest and lowest, with
    their ranks among all the type's rated organisations."""
    scored = [c for c in compared if c.rating.score is not None]
    if len(compared) < 2 or len(scored) < 2:
        return []
    top = max(c.rating.score for c in scored)
    bottom = min(c.rating.score for c in scored)
    if top == bottom:
        return [f"{listed([c.organisation.name for c in scored])} had the same final score ({format_number(top)})."]
    highest = [c for c in scored if c.rating.score == top]
    lowest = [c for c in scored if c.rating.score == bottom]
    return [f"Highest final score of these: {_named(highest)} ({format_number(top)}), "
            f"ranked {listed([ordinal(c.rating.rank) for c in highest])} of {rated_count} {plural}.",
            f"Lowest: {_named(lowest)} ({format_number(bottom)}), "
            f"ranked {listed([ordinal(c.rating.rank) for c in lowest])}."]


def _named(compared: list[Compared]) -> str:
    return listed([c.organisation.name for c in compared])


def _indicator_rows(found, compared: list[Compared], facts: dict) -> list[dict]:
    rows = []
    for index, indicator in enumerate(found.indicators):
        cells = []
        for item in compared:
            found_facts = facts[item.organisation.pk].indicators[index]
            quarter, band = QUARTER_WORDS[found_facts.standing.quarter] if found_facts.standing else ("", "")
            position = found_facts.standing
            cells.append({"organisation": item.organisation, "value": format_number(found_facts.value),
                          "position": f"{ordinal(position.position)} of {position.count}" if position else "",
                          "quarter": quarter, "band": band})
        first = facts[compared[0].organisation.pk].indicators[index] if compared else None
        rows.append({"indicator": indicator, "median": format_number(first.median if first else None),
                     "cells": cells})
    return rows
