"""The one bridge from the engine back into the database, the twin of
`inputs`: a recalculation's result stored as one run per organisation type,
its ratings written in bulk (COPY on PostgreSQL, executemany on SQLite).
Runs inside the caller's transaction; the tables' constraints check every
row as usual."""

from __future__ import annotations

import csv
import io
import itertools

import orjson
from django.db import connection

from indicators.models import Indicator, IndicatorDefinition, OrganisationType

from . import engine, frozen_definitions, peers, rating_rows
from .models import Rating, RatingRun
from .parameters import SchemeParameters


def definitions_in_force(year: int) -> list[tuple[IndicatorDefinition, set[str]]]:
    """The year's definitions with the type codes each applies to, for `store_runs`
    to freeze: read in the transaction that reads the engine's inputs, so what
    is frozen is what was used."""
    return [(definition, {t.code for t in definition.organisation_types.all()}) for definition in
            IndicatorDefinition.objects.in_force(year).select_related("indicator")
            .prefetch_related("organisation_types")]


def store_runs(*, year: int, params: SchemeParameters, result: engine.EngineResult, user,
               definitions: list[tuple[IndicatorDefinition, set[str]]],
               compared_with: dict[str, RatingRun] | None = None) -> list[RatingRun]:
    """A run for each organisation type in `result` (the engine's, with the
    counterfactual bands of `counterfactuals.rate_with_counterfactuals` and,
    when worked out, the explanations of `change_explanations`), with its peer
    summary, its ratings and the indicator `definitions` it used
    (`definitions_in_force`), frozen; `compared_with`: the previous year's
    published run of each type the explanations were worked out against."""
    codes = dict(Indicator.objects.values_list("id", "code"))
    type_ids = dict(OrganisationType.objects.values_list("code", "id"))
    ratings = result.ratings
    if ratings.empty:
        return []
    runs = []
    for type_code, of_type in ratings.groupby("type", sort=True):
        rated = of_type[of_type["band"] != engine.NOT_RATED]
        cutoff = rated["green_cutoff"].dropna()
        summary = peers.summarise(result.indicator_scores, of_type["organisation"], codes)
        run = RatingRun.objects.create(
            year=year, organisation_type_id=type_ids[type_code], parameters=params.as_dict(),
            definitions=frozen_definitions.freeze(definitions, type_code=type_code),
            engine_version=engine.ENGINE_VERSION, created_by=user, rated_count=len(rated),
            green_quota=engine.green_quota(len(rated), params),
            green_cutoff=float(cutoff.iloc[0]) if len(cutoff) else None,
            peer_medians={code: peer["median"] for code, peer in summary.items()},
            compared_with=(compared_with or {}).get(type_code))
        run.indicator_summary = summary
        _write_indicator_summary(run)
        write_rating_rows(run_id=run.pk, rows=rating_rows.rating_rows(result, of_type, codes, summary))
        runs.append(run)
    return runs


def _write_indicator_summary(run: RatingRun) -> None:
    # Every peer's z-score of every indicator: the run's largest value, encoded
    # by orjson as the ratings are (Django's json.dumps took several times longer).
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {RatingRun._meta.db_table} SET indicator_summary = %s WHERE id = %s",
                       [orjson.dumps(run.indicator_summary).decode(), run.pk])


def write_rating_rows(*, run_id: int, rows) -> None:
    """Insert a run's ratings in bulk (rows in `rating_rows.COLUMNS` order, JSON
    as text): COPY on PostgreSQL, executemany on SQLite."""
    table, columns = Rating._meta.db_table, ["run_id", *rating_rows.COLUMNS]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.copy_expert(
                f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv, FORCE_NOT_NULL "
                f"(not_rated_reason, change_reason))", _CsvStream((run_id, *row) for row in rows))
        else:
            cursor.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})",
                ((run_id, *row) for row in rows))


class _CsvStream(io.TextIOBase):
    """Rows as CSV text, produced as COPY reads it: the whole run never exists as one string."""

    def __init__(self, rows, chunk_rows: int = 2000):
        self._rows, self._chunk_rows, self._pending = iter(rows), chunk_rows, ""

    def readable(self):
        return True

    def read(self, size=-1):
        while size < 0 or len(self._pending) < size:
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\n")
            chunk = list(itertools.islice(self._rows, self._chunk_rows))
            if not chunk:
                break
            writer.writerows(chunk)
            self._pending += buffer.getvalue()
        if size < 0:
            size = len(self._pending)
        text, self._pending = self._pending[:size], self._pending[size:]
        return text

    readline = read
