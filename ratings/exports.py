"""The ratings CSV: what `export_ratings` writes and the public download serves.

Rows are read as plain values a chunk at a time (a server-side cursor on
PostgreSQL), never as model instances: a rating's JSON detail and its run's
peer summary (megabytes at national scale) are not read at all, so writing a
file of any size holds a bounded number of rows."""

from __future__ import annotations

import json
from typing import Iterable, Iterator, TextIO

from django.db.models.fields.json import KeyTextTransform, KeyTransform

from indicators.choices import DOMAIN_CHOICES, DOMAINS
from indicators.models import Indicator
from indicators.spreadsheets import csv_writer
from indicators.spreadsheets.table_schema import BOOLEAN, INTEGER, NUMBER, STRING, Column, names, yes_no
from indicators.years import format_year

from . import bands, standings
from .certainty_terms import CHANGE_WORDS, change_significance
from .frozen_definitions import definitions_of
from .models import Rating, RatingRun

YEAR_PATTERN = r"^[0-9]{4}-[0-9]{2}$"
SHARE = {"minimum": 0, "maximum": 1}
LIST_SEPARATOR = "; "  # between the items of a list in one cell
_DOMAIN_WORDS = dict(DOMAIN_CHOICES)
_BANDS = ", ".join(bands.CODES[:-1]) + " or " + bands.CODES[-1]

# The ratings file's columns: its header, the data package's schema and the downloads page's documentation.
# New columns go at the end: none is renamed or removed.
FIELDS = [
    Column("year", STRING, "Financial year, for example 2000-01.", {"required": True, "pattern": YEAR_PATTERN}),
    Column("organisation_code", STRING, "The organisation's code.", {"required": True}),
    Column("organisation_name", STRING, "Its name.", {"required": True}),
    Column("organisation_type", STRING, "HA (health authority), TRUST (acute trust) or PCG (primary care group).",
           {"required": True}),
    Column("region", STRING, "NHS Executive regional office."),
    Column("band", STRING, _BANDS + ".", {"required": True, "enum": list(bands.CODES)}),
    Column("score", NUMBER, "Final score S = (1 − w) × L + w × I, w being the weight of improvement that year (the "
                            "methodology page gives it); empty for an organisation not rated."),
    Column("level_score", NUMBER, "Level score L: the mean of the domain scores, weighted by the year's domain "
                                  "weights."),
    Column("improvement_score", NUMBER, "Improvement score I, since the year before. Under method version 2, 0 "
                                        "(average improvement) when no improvement could be measured; empty for a "
                                        "version 1 rating with none."),
    Column("improvement_measured", BOOLEAN, "yes or no: whether improvement could be measured (figures for both "
                                            "years); empty for version 1 ratings, which did not record it."),
    Column("core_targets_failed", INTEGER, "How many core national targets it failed (F). A core figure not "
                                           "reported counts as failed, unless that year's method says a missing "
                                           "figure only rules out green (the methodology page says which). Empty "
                                           "for an organisation not rated.", {"minimum": 0}),
    Column("rank", INTEGER, "Rank by final score among the rated organisations of its type; 1 is best, ties share "
                            "the better rank. Empty for an organisation not rated.", {"minimum": 1}),
    Column("candidate_position", INTEGER, "Rank by final score among the candidates for green (rated, no core "
                                          "target failed and, where a missing core figure rules out green, every "
                                          "core figure reported); empty for an organisation that was not a "
                                          "candidate, and for version 1.", {"minimum": 1}),
    Column("green_quota", INTEGER, "q: the number of green places, the year's green share of the rated "
                                   "organisations of the type, rounded down; more are green only when final scores "
                                   "tie at the cut-off. Empty for version 1.", {"minimum": 0}),
    Column("green_candidates", INTEGER, "How many organisations of the type were candidates for green; empty for "
                                        "version 1.", {"minimum": 0}),
    Column("green_cutoff", NUMBER, "The green cut-off c: the final score of the q-th best candidate; empty when "
                                   "there were no green places or no candidates."),
    Column("margin", NUMBER, "Final score less the green cut-off (S − c): a candidate is green exactly when it is "
                             "at or above 0. Empty without a cut-off."),
    *(Column(f"{domain}_score", NUMBER, f"Domain level score: {_DOMAIN_WORDS[domain].lower()}.") for domain in DOMAINS),
    *(Column(f"p_{band}", NUMBER, f"Band certainty: the share of the simulated years (the year's counted figures "
                                  f"redrawn by their sampling noise, the whole method run on each) that gave "
                                  f"{bands.word(band).lower()}; empty when the run simulated none.", SHARE)
      for band in bands.CODES),
    Column("certainty", NUMBER, "The share of the simulated years that gave the band it has: 0.95 or more is "
                                "\"very likely\", 0.80 or more \"likely\", less \"uncertain\"; empty when not "
                                "rated or none was simulated.", SHARE),
    Column("rank_low", INTEGER, "The rank interval's better end: the 2.5th percentile of its rank over the "
                                "simulated years (95 in 100 fell between rank_low and rank_high).", {"minimum": 1}),
    Column("rank_high", INTEGER, "The rank interval's worse end: the 97.5th percentile of its rank over the "
                                 "simulated years.", {"minimum": 1}),
    Column("p_change_real", NUMBER, "When its band differs from the year before's published band: the share of "
                                    "simulated pairs of years in which the band moved the same way; empty "
                                    "otherwise.", SHARE),
    Column("change_significance", STRING, "\"a real change\" when p_change_real is 0.95 or more, else \"could be "
                                          "chance\"; empty when the band did not change.",
           {"enum": list(CHANGE_WORDS)}),
    # Why the band changed (the decomposition): empty unless rated in the previous year's published ratings too.
    Column("band_before", STRING, "Its band in the previous year's published ratings that this year's were "
                                  "compared with; empty unless it was rated in both.", {"enum": list(bands.CODES)}),
    Column("change_reason", STRING, "What mainly decided a change of band: others (other organisations' figures), "
                                    "own (its own figures), core targets, method (the change of parameters or "
                                    "indicator definitions) or corrections (to the previous year's figures since "
                                    "they were published); empty when the band did not change.",
           {"enum": list(standings.CHANGE_REASONS)}),
    Column("margin_change", NUMBER, "How much the margin moved since the previous year (this year's margin less "
                                    "last year's published one)."),
    *(Column(f"margin_change_{part}", NUMBER, f"The part of margin_change that {words} made (Shapley values over "
                                              f"the eight combinations of last year's and this year's own "
                                              f"figures, others' figures and method; the four parts add up to "
                                              f"margin_change). Empty when one of the combinations had no green "
                                              f"cut-off or did not rate it.")
      for part, words in (("own", "its own figures"), ("others", "the other organisations' figures"),
                          ("method", "the change of method"),
                          ("corrections", "the corrections to last year's figures since publication"))),
    Column("band_if_others_stood_still", STRING, "The band it would have had with its own figures and the method "
                                                 "of this year and every other organisation's figures of the year "
                                                 "before.", {"enum": list(bands.CODES)}),
    Column("band_under_last_years_method", STRING, "The band this year's figures would have given under the "
                                                   "previous year's method.", {"enum": list(bands.CODES)}),
    # Issue 17: what decided the band, named.
    Column("failed_core_targets", STRING, "The codes of the core national targets counted as failed (as many as "
                                          "core_targets_failed), separated by \"; \", in the order the method "
                                          "checked them; empty when none was failed or it was not rated."),
    Column("failed_core_targets_words", STRING, "The same targets in words: each indicator's name, then its "
                                                "figure and unit against the target (\"at least\" or \"at "
                                                "most\", by the indicator's direction in that year's "
                                                "definition), or \"no data\" for a figure not reported."),
    Column("core_targets_not_reported", STRING, "The codes of the core national targets it reported no figure "
                                                "for, separated by \"; \": failed when that year's method counts "
                                                "a missing figure as failed, otherwise not failed but ruling out "
                                                "green. Empty when it reported them all or was not rated."),
    Column("not_rated_reason", STRING, "Why it was not rated (too few of the indicators that apply to it "
                                       "reported); empty for a rated organisation."),
]
COLUMNS = names(FIELDS)
PRIMARY_KEY = ["year", "organisation_code"]

ORDER = ("organisation__type__code", "rank", "organisation__name")
CHUNK_ROWS = 2000  # rows fetched from the database at a time
CHUNK_CHARACTERS = csv_writer.CHUNK_CHARACTERS  # text handed to the server at a time


def rating_rows(runs: Iterable[RatingRun]) -> Iterator[list]:
    return rows_of(Rating.objects.filter(run__in=[run.pk for run in runs]).order_by(*ORDER))


def rows_of(ratings) -> Iterator[list]:
    """CSV rows (COLUMNS) of a queryset of ratings, in its order. Besides the
    ratings, reads their runs' frozen definitions and parameters (a few runs)
    and the indicators' names and units (tens), once each."""
    runs = {pk: (definitions_of(definitions), missing_core_data or "failure")
            for pk, definitions, missing_core_data in RatingRun.objects.filter(
                pk__in=ratings.order_by().values("run"))
            .values_list("pk", "definitions", KeyTextTransform("missing_core_data", "parameters"))}
    indicators = {code: (name, unit) for code, name, unit in Indicator.objects.values_list("code", "name", "unit")}
    values = ratings.values_list(
        "run__year", "organisation__code", "organisation__name", "organisation__type__code",
        "organisation__region__name", "band", "score", "level_score", "improvement_score", "improvement_measured",
        "core_targets_failed", "rank", "candidate_position", "green_quota", "green_candidates", "green_cutoff",
        "gap_to_green", KeyTransform("level", "domain_scores"), "p_green", "p_yellow", "p_red", "p_not_rated",
        "certainty", "rank_low", "rank_high", "p_change_real",
        # Only the decomposition's figures, extracted by the database: never its per-combination detail.
        KeyTextTransform("band_before", "decomposition"), "change_reason",
        *(KeyTransform(key, "decomposition") for key in ("change", "own", "others", "method", "corrections")),
        KeyTextTransform("band_if_others_stood_still", "decomposition"),
        KeyTextTransform("band_under_last_years_method", "decomposition"),
        "run_id", "core_failures", "not_rated_reason")
    shown_years = {}
    for year, *fields in values.iterator(chunk_size=CHUNK_ROWS):
        shown = shown_years.get(year) or shown_years.setdefault(year, format_year(year))
        (code, name, type_code, region, band, score, level_score, improvement, measured, failed, rank, candidate,
         quota, candidates, cutoff, margin, level, p_green, p_yellow, p_red, p_not_rated, certainty, rank_low,
         rank_high, p_real, band_before, reason, change, own, others, method, corrections, still, last_method,
         run, core_failures, not_rated_reason) = fields
        level = level or {}
        yield [shown, code, name, type_code, region, band, round_figure(score), round_figure(level_score),
               round_figure(improvement), yes_no(measured), failed, rank, candidate, quota, candidates, round_figure(cutoff),
               round_figure(margin)] + [round_figure(level.get(domain)) for domain in DOMAINS] + [
            round_figure(p_green), round_figure(p_yellow), round_figure(p_red), round_figure(p_not_rated), round_figure(certainty), rank_low,
            rank_high, round_figure(p_real), _significance(p_real),
            band_before, reason or None, round_figure(change), round_figure(own), round_figure(others), round_figure(method),
            round_figure(corrections), still, last_method,
            *_core_target_cells(band, core_failures, *runs[run], indicators), not_rated_reason or None]


def _core_target_cells(band: str, stored_failures, definitions: dict, missing_core_data: str,
                       indicators: dict) -> list:
    """failed_core_targets, failed_core_targets_words and core_targets_not_reported. A not-rated
    organisation's core targets were not counted (its stored shortfalls decided nothing)."""
    if band == bands.NOT_RATED:
        return [None, None, None]
    failures = standings.core_failures_of(stored_failures)
    counted = [f for f in failures if f.reason != standings.NO_DATA or missing_core_data == "failure"]
    missing = [f.indicator for f in failures if f.reason == standings.NO_DATA]
    return [LIST_SEPARATOR.join(f.indicator for f in counted) or None,
            LIST_SEPARATOR.join(_failure_words(f, definitions, indicators) for f in counted) or None,
            LIST_SEPARATOR.join(missing) or None]


def _failure_words(failure: standings.CoreFailure, definitions: dict, indicators: dict) -> str:
    """'Financial balance (-0.1 £ million against a target of at least 0)', as the report card
    words it; the direction is the one frozen with the run, the name and unit the indicator's."""
    name, unit = indicators.get(failure.indicator, (failure.indicator, ""))
    if failure.reason == standings.NO_DATA or failure.value is None:
        return f"{name} (no data)"
    figure = figure_text(failure.value) + (f" {unit}" if unit else "")
    definition = definitions.get(failure.indicator)
    if definition is None or failure.threshold is None:
        return f"{name} ({figure} against a target of {figure_text(failure.threshold)})"
    at = "at least" if definition.direction == Indicator.Direction.HIGHER_BETTER else "at most"
    return f"{name} ({figure} against a target of {at} {figure_text(failure.threshold)})"


def figure_text(value: float | None) -> str:
    """A figure as the words columns write it: at most six decimal places, no trailing zeros."""
    if value is None:
        return "none"
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _significance(p_real: float | None) -> str | None:
    if p_real is None:
        return None
    return change_significance(p_real)


def write_csv(rows: Iterable[list], handle: TextIO, columns: list[str] = COLUMNS) -> int:
    return csv_writer.write_csv(rows, handle, columns)


def csv_chunks(rows: Iterable[list], columns: list[str] = COLUMNS) -> Iterator[str]:
    """The text `write_csv` writes, in pieces of about CHUNK_CHARACTERS, for a streamed response."""
    return csv_writer.csv_chunks(rows, columns, CHUNK_CHARACTERS)


def json_chunks(header: dict, columns: list[str], rows: Iterable[list]) -> Iterator[str]:
    """`json.dumps({**header, "columns": columns, "rows": [{column: value}]}, ensure_ascii=False)`,
    byte for byte, written a piece at a time."""
    opening = json.dumps({**header, "columns": columns}, ensure_ascii=False)
    pieces = [opening[:-1] + ', "rows": [']
    size, separator = 0, ""
    for row in rows:
        piece = separator + json.dumps(dict(zip(columns, row)), ensure_ascii=False)
        pieces.append(piece)
        size += len(piece)
        separator = ", "
        if size >= CHUNK_CHARACTERS:
            yield "".join(pieces)
            pieces, size = [], 0
    pieces.append("]}")
    yield "".join(pieces)


def round_figure(value):
    # Six decimal places: enough to order and reproduce, without float noise.
    return None if value is None else round(value, 6)
