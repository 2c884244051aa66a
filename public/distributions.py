"""The public pages that show a distribution across every organisation of a
type (an indicator's figures; scores against deprivation), read so that the
database does the work: Python receives counts, sums, one page of a table
and a chart's sample of points, whatever the number of organisations. Only
published runs reach here (`public/queries.py` finds them)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, F, FloatField, Func, Q, Sum, Window
from django.db.models.functions import RowNumber

from indicators.models import Organisation, Result
from ratings.models import Rating, RatingRun
from ratings.standings import SCORE_FIELDS


class JSONNumber(Func):
    """The number at `path` (keys, then list positions) in a JSON column, as a
    float, and NULL where the JSON holds null or nothing. Not Django's key
    transforms: on SQLite they give a JSON null as the text 'null', which
    casts to 0.0."""

    output_field = FloatField()

    def __init__(self, column: str, *path: str | int):
        super().__init__(F(column))
        self.path = path

    def as_sqlite(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source_expressions[0])
        steps = "".join(f"[{step}]" if isinstance(step, int) else f".{json.dumps(step)}" for step in self.path)
        return f"CAST(JSON_EXTRACT({column}, %s) AS REAL)", (*params, "$" + steps)

    def as_postgresql(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source_expressions[0])
        return f"(({column} #>> %s)::double precision)", (*params, [str(step) for step in self.path])


@dataclass
class IndicatorReading:
    rows: int  # organisations with figures for the indicator
    with_value: int  # of them, with a value
    adjusted: int  # of them, whose adjusted value differs from the value
    page_number: int  # the page read: the one asked for, or the last when past either end
    page: list[tuple]  # (position, organisation code, name, band, value, adjusted), best first
    chart_points: list[tuple]  # (name, value, band) at the positions `chart_positions` picks, by value


class IndicatorFigures:
    """One indicator's figures across the organisations of a run that have
    them, worked on by the database: Python receives the counts, one page of
    the table (best first: by z-score, then name) and a chart's sample of
    points (in the order of value, then name), in one query, whatever the
    number of organisations.

    Written in SQL so that each rating's JSON is read once: the query takes
    the indicator's part out of it in a materialised step and works on plain
    numbers after that. The ORM's JSON transforms repeat the extraction at
    every mention, and each query another pass: on PostgreSQL every pass
    decompresses every rating's JSON again (measured at 10,000 organisations:
    618 ms for this page with three ORM queries, about 65 ms a pass). And on
    SQLite the ORM reads a JSON null as the text 'null', which casts to 0."""

    def __init__(self, run: RatingRun, code: str):
        self.run, self.code = run, code

    def read(self, *, page: int, per_page: int, chart_points: int) -> IndicatorReading:
        """Page `page` (from 1; past either end, the last page, as Django's
        `Paginator.get_page` does) of `per_page` rows, and at most
        `chart_points` (at least 2) points, evenly spread by value, at the
        positions `public.presenters.charting.chart_sample` gives."""
        postgres = connection.vendor == "postgresql"
        entry = "r.indicator_scores -> %(key)s" if postgres else "json_extract(r.indicator_scores, %(key)s)"

        def item(name: str) -> str:  # a number of the stored list, at its place in `standings.SCORE_FIELDS`
            position = SCORE_FIELDS.index(name)
            return (f"(entry ->> {position})::double precision" if postgres
                    else f"CAST(json_extract(entry, '$[{position}]') AS REAL)")

        sql = f"""
            WITH RECURSIVE entries AS MATERIALIZED (
                SELECT r.id, o.code, o.name, r.band, {entry} AS entry
                FROM {Rating._meta.db_table} r JOIN {Organisation._meta.db_table} o ON o.id = r.organisation_id
                WHERE r.run_id = %(run)s),
            figures AS MATERIALIZED (
                SELECT id, code, name, band, {item("value")} AS value, {item("adjusted")} AS adjusted, {item("z")} AS z
                FROM entries WHERE entry IS NOT NULL),
            counts AS MATERIALIZED (
                SELECT COUNT(*) AS n, COUNT(value) AS n_value,
                       COALESCE(SUM(CASE WHEN adjusted IS DISTINCT FROM value THEN 1 ELSE 0 END), 0) AS n_adjusted,
                       CASE WHEN COUNT(*) = 0 THEN 1 ELSE (COUNT(*) + %(per_page)s - 1) / %(per_page)s END AS last_page
                FROM figures),
            shown AS (
                SELECT CASE WHEN %(page)s < 1 OR %(page)s > last_page THEN last_page ELSE %(page)s END AS number
                FROM counts),
            steps(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM steps WHERE i + 1 < %(points)s),
            sample AS (
                SELECT DISTINCT CASE WHEN n_value <= %(points)s THEN i
                                     ELSE (2 * i * (n_value - 1) + %(points)s - 1) / (2 * (%(points)s - 1)) END AS position
                FROM steps, counts WHERE i < n_value),
            ranked AS (
                SELECT code, name, band, value, adjusted,
                       ROW_NUMBER() OVER (ORDER BY z DESC NULLS LAST, name, id) AS position FROM figures),
            by_value AS (
                SELECT name, band, value, ROW_NUMBER() OVER (ORDER BY value, name, id) - 1 AS position
                FROM figures WHERE value IS NOT NULL)
            SELECT 'counts', n, n_value, n_adjusted, number, CAST(NULL AS TEXT), CAST(NULL AS TEXT),
                   CAST(NULL AS TEXT), CAST(NULL AS DOUBLE PRECISION), CAST(NULL AS DOUBLE PRECISION)
            FROM counts, shown
            UNION ALL
            SELECT 'row', position, NULL, NULL, NULL, code, name, band, value, adjusted
            FROM ranked, shown WHERE position > (number - 1) * %(per_page)s AND position <= number * %(per_page)s
            UNION ALL
            SELECT 'point', by_value.position, NULL, NULL, NULL, NULL, name, band, value, NULL
            FROM by_value JOIN sample ON sample.position = by_value.position
        """
        params = {"key": self.code if postgres else "$." + json.dumps(self.code), "run": self.run.pk,
                  "per_page": per_page, "page": page, "points": chart_points}
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            found = cursor.fetchall()
        [(_, rows, with_value, adjusted, number, *_)] = [row for row in found if row[0] == "counts"]
        return IndicatorReading(
            rows=rows, with_value=with_value, adjusted=adjusted, page_number=number,
            page=sorted((position, code, name, band, value, adjusted)
                        for kind, position, _, _, _, code, name, band, value, adjusted in found if kind == "row"),
            chart_points=[(name, value, band) for _, _, name, band, value in
                          sorted(row[:2] + row[6:9] for row in found if row[0] == "point")])


class DeprivationScores:
    """A run's rated organisations' final scores (as published and without the
    adjustment) against the deprivation of the population each serves (the
    run's deprivation indicator, as reported for the year now). The database
    sums and samples: Python holds at most a chart's sample of points."""

    def __init__(self, run: RatingRun):
        # Joined, not a subquery per rating: the ORM would repeat a subquery at every mention.
        self.pairs = Result.objects.filter(
            year=run.year, indicator__code=run.parameters.get("deprivation_indicator"),
            organisation__ratings__run=run, organisation__ratings__score__isnull=False, value__isnull=False)

    def sums(self) -> dict:
        """For Pearson's r of deprivation (x) against the final score (y) and
        against the score without adjustment (u): n, Σx, Σy, Σxx, Σyy, Σxy,
        and the same over the organisations with a score without adjustment
        (n_u, Σx_u, Σu, Σxx_u, Σuu, Σxu): one query."""
        x, y, u = F("value"), F("organisation__ratings__score"), F("organisation__ratings__score_without_adjustment")
        has_u = Q(organisation__ratings__score_without_adjustment__isnull=False)
        return self.pairs.aggregate(
            n=Count("pk"), x=Sum(x), y=Sum(y), xx=Sum(x * x), yy=Sum(y * y), xy=Sum(x * y),
            n_u=Count("pk", filter=has_u), x_u=Sum(x, filter=has_u), u=Sum(u), xx_u=Sum(x * x, filter=has_u),
            uu=Sum(u * u), xu=Sum(x * u))

    def points(self, positions: list[int]) -> list[tuple]:
        """(deprivation, score, score without adjustment, band) at `positions`
        (counted from 0) in the order of deprivation, then score: one query."""
        if not positions:
            return []
        ordered = self.pairs.annotate(position=Window(RowNumber(), order_by=[
            F("value").asc(), F("organisation__ratings__score").asc(), F("pk").asc()]))
        return [row[1:] for row in ordered.filter(position__in=[p + 1 for p in positions]).order_by("position")
                .values_list("position", "value", "organisation__ratings__score",
                             "organisation__ratings__score_without_adjustment", "organisation__ratings__band")]
