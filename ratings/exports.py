"""The ratings CSV: what `export_ratings` writes and the public download serves.

Rows are read as plain values a chunk at a time (a server-side cursor on
PostgreSQL), never as model instances: a rating's JSON detail and its run's
peer summary (megabytes at national scale) are not read at all, so writing a
file of any size holds a bounded number of rows."""

from __future__ import annotations

import json
from typing import Iterable, Iterator, TextIO

from django.db.models.fields.json import KeyTextTransform, KeyTransform

from indicators.spreadsheets import csv_writer
from indicators.years import format_year

from .certainty_terms import REAL_CHANGE
from .parameters import DOMAINS
from .models import Rating, RatingRun

# The decomposition's (issue 16), from `Rating.decomposition`: empty unless rated in the previous year's run too.
CHANGE_COLUMNS = ["band_before", "change_reason", "margin_change", "margin_change_own", "margin_change_others",
                  "margin_change_method", "margin_change_corrections", "band_if_others_stood_still",
                  "band_under_last_years_method"]
COLUMNS = (["year", "organisation_code", "organisation_name", "organisation_type", "region", "band", "score",
            "level_score", "improvement_score", "improvement_measured", "core_targets_failed", "rank",
            "candidate_position", "green_quota", "green_candidates", "green_cutoff", "margin"]
           + [f"{domain}_score" for domain in DOMAINS]
           + ["p_green", "p_yellow", "p_red", "p_not_rated", "certainty", "rank_low", "rank_high", "p_change_real",
              "change_significance"]
           + CHANGE_COLUMNS)

ORDER = ("organisation__type__code", "rank", "organisation__name")
CHUNK_ROWS = 2000  # rows fetched from the database at a time
CHUNK_CHARACTERS = csv_writer.CHUNK_CHARACTERS  # text handed to the server at a time


def rating_rows(runs: Iterable[RatingRun]) -> Iterator[list]:
    return rows_of(Rating.objects.filter(run__in=[run.pk for run in runs]).order_by(*ORDER))


def rows_of(ratings) -> Iterator[list]:
    """CSV rows (COLUMNS) of a queryset of ratings, in its order."""
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
        KeyTextTransform("band_under_last_years_method", "decomposition"))
    shown_years = {}
    for year, *fields in values.iterator(chunk_size=CHUNK_ROWS):
        shown = shown_years.get(year) or shown_years.setdefault(year, format_year(year))
        (code, name, type_code, region, band, score, level_score, improvement, measured, failed, rank, candidate,
         quota, candidates, cutoff, margin, level, p_green, p_yellow, p_red, p_not_rated, certainty, rank_low,
         rank_high, p_real, band_before, reason, change, own, others, method, corrections, still, last_method) = fields
        level = level or {}
        yield [shown, code, name, type_code, region, band, _round(score), _round(level_score),
               _round(improvement), _yes_no(measured), failed, rank, candidate, quota, candidates, _round(cutoff),
               _round(margin)] + [_round(level.get(domain)) for domain in DOMAINS] + [
            _round(p_green), _round(p_yellow), _round(p_red), _round(p_not_rated), _round(certainty), rank_low,
            rank_high, _round(p_real), _significance(p_real),
            band_before, reason or None, _round(change), _round(own), _round(others), _round(method),
            _round(corrections), still, last_method]


def _significance(p_real: float | None) -> str | None:
    if p_real is None:
        return None
    return "a real change" if p_real >= REAL_CHANGE else "could be chance"


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


def _yes_no(value) -> str | None:
    # Empty for ratings of method version 1, which did not record it.
    return None if value is None else ("yes" if value else "no")


def _round(value):
    # Six decimal places: enough to order and reproduce, without float noise.
    return None if value is None else round(value, 6)
