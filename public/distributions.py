"""The public pages that show a distribution across every organisation of a
type (an indicator's figures; scores against deprivation), read so that the
database does the work: Python receives counts, sums, one page of a table
and a chart's sample of points, whatever the number of organisations. Only
published runs reach here (`public/queries.py` finds them)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import F, FloatField, Func

from indicators.models import Indicator, Organisation, Result
from ratings import funnels
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
        return f"CAST(JSON_EXTRACT({column}, %s) AS REAL)", (*params, sqlite_json_path(*self.path))

    def as_postgresql(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source_expressions[0])
        return f"(({column} #>> %s)::double precision)", (*params, [str(step) for step in self.path])


def sqlite_json_path(*steps: str | int) -> str:
    """SQLite's JSON path to keys (always quoted, so a code of digits is a key) and list positions."""
    return "$" + "".join(f"[{step}]" if isinstance(step, int) else f".{json.dumps(step)}" for step in steps)


def sample_of(count: str, table: str) -> str:
    """Common table expressions `steps` and `sample`: the positions (from 0)
    of the points a chart draws out of `count` (a column of the one-row
    `table`), as `public.presenters.charting.chart_sample` picks them: every
    one up to %(points)s, else %(points)s evenly spread, in whole-number
    arithmetic so that both give the same. Needs WITH RECURSIVE."""
    return f"""steps(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM steps WHERE i + 1 < %(points)s),
            {sample_positions(count, table, "sample")}"""


def sample_positions(count: str, table: str, name: str) -> str:
    """The common table expression `name`: like `sample_of`'s `sample`, for
    another count, from the same `steps` (so after `sample_of`)."""
    return f"""{name} AS (
                SELECT DISTINCT CASE WHEN {count} <= %(points)s THEN i
                                     ELSE (2 * i * ({count} - 1) + %(points)s - 1) / (2 * (%(points)s - 1)) END
                       AS position
                FROM steps, {table} WHERE i < {count})"""


def _fetch(sql: str, params: dict) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@dataclass
class IndicatorReading:
    rows: int  # organisations with figures for the indicator
    with_value: int  # of them, with a value
    adjusted: int  # of them, whose adjusted value differs from the value
    page_number: int  # the page read: the one asked for, or the last when past either end
    # (position, others tied at it, organisation code, name, band, value, adjusted, denominator, funnel
    # classification), best first (by z-score, then name); the position as `ratings.peers.standing` gives it
    # (ties share the better one), None without a z
    page: list[tuple]
    chart_points: list[tuple]  # (name, value, band) at the positions `chart_positions` picks, by value
    # The funnel (none of it for an indicator without counts): how many organisations it holds, how
    # many are worse and better than expected, its smallest and largest denominator, a chart's sample
    # of (name, value, denominator, classification) by denominator, and up to `beyond_shown` of those
    # worse and of those better than expected, each furthest first:
    # (classification, position, code, name, band, value, numerator, denominator).
    funnel_count: int = 0
    worse: int = 0
    better: int = 0
    denominators: tuple[float | None, float | None] = (None, None)
    funnel_points: list[tuple] = field(default_factory=list)
    beyond: list[tuple] = field(default_factory=list)


class IndicatorFigures:
    """One indicator's figures across the organisations of a run that have
    them, worked on by the database: Python receives the counts, one page of
    the table (best first: by z-score, then name), a chart's sample of points
    (in the order of value, then name), and for the funnel plot another
    sample (by denominator) and the organisations furthest beyond its limits
    (at most `beyond_shown` a side), in one query, whatever the number of
    organisations. Positions follow the card's rule (`ratings.peers.Standing`):
    tied z-scores (stored to 4 places, so equal or clearly apart) share the better position.

    Written in SQL so that each rating's JSON is read once: the query takes
    the indicator's part out of it in a materialised step and works on plain
    numbers after that. The ORM's JSON transforms repeat the extraction at
    every mention, and each query another pass: on PostgreSQL every pass
    decompresses every rating's JSON again (measured at 10,000 organisations:
    618 ms for this page with three ORM queries, about 65 ms a pass). And on
    SQLite the ORM reads a JSON null as the text 'null', which casts to 0."""

    def __init__(self, run: RatingRun, code: str):
        self.run, self.code = run, code

    def read(self, *, page: int, per_page: int, chart_points: int, beyond_shown: int = 0) -> IndicatorReading:
        """Page `page` (from 1; past either end, the last page, as Django's
        `Paginator.get_page` does) of `per_page` rows, and at most
        `chart_points` (at least 2) points, evenly spread by value, at the
        positions `public.presenters.charting.chart_sample` gives; as many
        for the funnel plot, spread by denominator."""
        postgres = connection.vendor == "postgresql"
        entry = "r.indicator_scores -> %(key)s" if postgres else "json_extract(r.indicator_scores, %(key)s)"

        def item(name: str) -> str:  # a number of the stored list, at its place in `standings.SCORE_FIELDS`
            position = SCORE_FIELDS.index(name)
            return (f"(entry ->> {position})::double precision" if postgres
                    else f"CAST(json_extract(entry, '$[{position}]') AS REAL)")

        # Furthest beyond first: ((O/N - p0)² / (variance/N + τ²)), the square of the
        # organisation's distance from p0 in the limits' own units (no square root in SQLite).
        stored = (self.run.funnels or {}).get(self.code)
        funnel = funnels.Funnel.from_dict(stored) if stored else None
        variance = funnels.unit_variance(funnel.measure, funnel.p0) if funnel else 0.0
        sql = f"""
            WITH RECURSIVE entries AS MATERIALIZED (
                SELECT r.id, o.code, o.name, r.band, {entry} AS entry
                FROM {Rating._meta.db_table} r JOIN {Organisation._meta.db_table} o ON o.id = r.organisation_id
                WHERE r.run_id = %(run)s),
            figures AS MATERIALIZED (
                SELECT id, code, name, band, {item("value")} AS value, {item("adjusted")} AS adjusted, {item("z")} AS z,
                       {item("numerator")} AS numerator, {item("denominator")} AS denominator,
                       CAST({item("funnel")} AS INTEGER) AS funnel
                FROM entries WHERE entry IS NOT NULL),
            counts AS MATERIALIZED (
                SELECT COUNT(*) AS n, COUNT(value) AS n_value,
                       COALESCE(SUM(CASE WHEN adjusted IS DISTINCT FROM value THEN 1 ELSE 0 END), 0) AS n_adjusted,
                       CASE WHEN COUNT(*) = 0 THEN 1 ELSE (COUNT(*) + %(per_page)s - 1) / %(per_page)s END AS last_page,
                       COUNT(CASE WHEN value IS NOT NULL THEN funnel END) AS n_funnel,
                       COALESCE(SUM(CASE WHEN funnel < 0 THEN 1 ELSE 0 END), 0) AS n_worse,
                       COALESCE(SUM(CASE WHEN funnel > 0 THEN 1 ELSE 0 END), 0) AS n_better,
                       MIN(CASE WHEN funnel IS NOT NULL THEN denominator END) AS min_n,
                       MAX(CASE WHEN funnel IS NOT NULL THEN denominator END) AS max_n
                FROM figures),
            shown AS (
                SELECT CASE WHEN %(page)s < 1 OR %(page)s > last_page THEN last_page ELSE %(page)s END AS number
                FROM counts),
            {sample_of("n_value", "counts")},
            {sample_positions("n_funnel", "counts", "funnel_sample")},
            ranked AS (
                SELECT code, name, band, value, adjusted, denominator, funnel,
                       ROW_NUMBER() OVER (ORDER BY z DESC NULLS LAST, name, id) AS position,
                       CASE WHEN z IS NOT NULL THEN RANK() OVER (ORDER BY z DESC NULLS LAST) END AS standing,
                       CASE WHEN z IS NOT NULL THEN COUNT(*) OVER (PARTITION BY z) - 1 END AS tied_with
                FROM figures),
            by_value AS (
                SELECT name, band, value, ROW_NUMBER() OVER (ORDER BY value, name, id) - 1 AS position
                FROM figures WHERE value IS NOT NULL),
            by_denominator AS (
                SELECT name, value, denominator, funnel,
                       ROW_NUMBER() OVER (ORDER BY denominator, value, name, id) - 1 AS position
                FROM figures WHERE value IS NOT NULL AND funnel IS NOT NULL),
            beyond AS (
                SELECT code, name, band, value, numerator, denominator, funnel,
                       ROW_NUMBER() OVER (PARTITION BY CASE WHEN funnel < 0 THEN -1 ELSE 1 END
                                          ORDER BY distance DESC, name, id) AS position
                FROM (SELECT *, (numerator / denominator - %(p0)s) * (numerator / denominator - %(p0)s)
                                / (%(variance)s / denominator + %(tau2)s) AS distance
                      FROM figures WHERE funnel <> 0) AS beyond_figures)
            SELECT 'counts', n, n_value, n_adjusted, number, n_funnel, n_worse, n_better,
                   CAST(NULL AS TEXT), CAST(NULL AS TEXT), CAST(NULL AS TEXT), CAST(min_n AS DOUBLE PRECISION),
                   CAST(max_n AS DOUBLE PRECISION), CAST(NULL AS DOUBLE PRECISION)
            FROM counts, shown
            UNION ALL
            SELECT 'row', position, funnel, standing, tied_with, NULL, NULL, NULL, code, name, band, value, adjusted,
                   denominator
            FROM ranked, shown WHERE position > (number - 1) * %(per_page)s AND position <= number * %(per_page)s
            UNION ALL
            SELECT 'point', by_value.position, NULL, NULL, NULL, NULL, NULL, NULL, NULL, name, band, value, NULL, NULL
            FROM by_value JOIN sample ON sample.position = by_value.position
            UNION ALL
            SELECT 'funnel', by_denominator.position, funnel, NULL, NULL, NULL, NULL, NULL, NULL, name, NULL, value,
                   NULL, denominator
            FROM by_denominator JOIN funnel_sample ON funnel_sample.position = by_denominator.position
            UNION ALL
            SELECT 'beyond', position, funnel, NULL, NULL, NULL, NULL, NULL, code, name, band, value, numerator,
                   denominator
            FROM beyond WHERE position <= %(beyond)s
        """
        params = {"key": self.code if postgres else sqlite_json_path(self.code), "run": self.run.pk,
                  "per_page": per_page, "page": page, "points": chart_points, "beyond": beyond_shown,
                  "p0": funnel.p0 if funnel else 0.0, "variance": variance,
                  # Never 0 where an organisation is beyond the limits (then there is a spread); 1 without a funnel.
                  "tau2": funnel.tau2 if funnel else 1.0}
        found = _fetch(sql, params)
        [(_, rows, with_value, adjusted, number, in_funnel, worse, better, _, _, _, smallest, largest, _)] = [
            row for row in found if row[0] == "counts"]
        of = lambda kind: [row for row in found if row[0] == kind]  # noqa: E731
        return IndicatorReading(
            rows=rows, with_value=with_value, adjusted=adjusted, page_number=number,
            page=[row[1:] for row in sorted(
                (position, standing, tied_with, code, name, band, value, adjusted, denominator, funnel)
                for _, position, funnel, standing, tied_with, *_, code, name, band, value, adjusted, denominator
                in of("row"))],
            chart_points=[(name, value, band) for _, name, band, value in
                          sorted((row[1], row[9], row[10], row[11]) for row in of("point"))],
            funnel_count=in_funnel, worse=worse, better=better, denominators=(smallest, largest),
            funnel_points=[(name, value, denominator, funnel) for _, name, value, denominator, funnel in
                           sorted((row[1], row[9], row[11], row[13], row[2]) for row in of("funnel"))],
            beyond=sorted((funnel, position, code, name, band, value, numerator, denominator)
                          for _, position, funnel, *_, code, name, band, value, numerator, denominator
                          in of("beyond")))


@dataclass
class DeprivationReading:
    sums: dict  # n, x, y, xx, yy, xy, n_u, x_u, u, xx_u, uu, xu: see `DeprivationScores.read`
    points: list[tuple]  # (deprivation, score, score without adjustment, band), by deprivation then score


class DeprivationScores:
    """A run's rated organisations' final scores (as published and without the
    adjustment) against the deprivation of the population each serves (the
    run's deprivation indicator, as reported for the year now). The database
    sums and samples, in one query: Python holds at most a chart's sample of
    points. Each rating is joined to its deprivation figure once (the ORM
    would repeat a subquery at every mention, and another pass per query)."""

    def __init__(self, run: RatingRun):
        self.run = run

    def read(self, *, chart_points: int) -> DeprivationReading:
        """For Pearson's r of deprivation (x) against the final score (y) and
        against the score without adjustment (u): n, Σx, Σy, Σxx, Σyy, Σxy,
        and the same over the organisations with a score without adjustment
        (n_u, Σx_u, Σu, Σxx_u, Σuu, Σxu); and at most `chart_points` points,
        evenly spread by deprivation (`sample_of`)."""
        sql = f"""
            WITH RECURSIVE pairs AS MATERIALIZED (
                SELECT d.value AS x, r.score AS y, r.score_without_adjustment AS u, r.band, r.id
                FROM {Rating._meta.db_table} r
                JOIN {Result._meta.db_table} d ON d.organisation_id = r.organisation_id AND d.year = %(year)s
                JOIN {Indicator._meta.db_table} i ON i.id = d.indicator_id AND i.code = %(code)s
                WHERE r.run_id = %(run)s AND r.score IS NOT NULL AND d.value IS NOT NULL),
            sums AS MATERIALIZED (
                SELECT COUNT(*) AS n, SUM(x) AS x, SUM(y) AS y, SUM(x * x) AS xx, SUM(y * y) AS yy, SUM(x * y) AS xy,
                       COUNT(u) AS n_u, SUM(CASE WHEN u IS NOT NULL THEN x END) AS x_u, SUM(u) AS u,
                       SUM(CASE WHEN u IS NOT NULL THEN x * x END) AS xx_u, SUM(u * u) AS uu, SUM(x * u) AS xu
                FROM pairs),
            {sample_of("n", "sums")},
            ordered AS (SELECT x, y, u, band, ROW_NUMBER() OVER (ORDER BY x, y, id) - 1 AS position FROM pairs)
            SELECT 'sums', n, n_u, x, y, xx, yy, xy, x_u, u, xx_u, uu, xu, CAST(NULL AS TEXT) FROM sums
            UNION ALL
            SELECT 'point', ordered.position, NULL, x, y, u, NULL, NULL, NULL, NULL, NULL, NULL, NULL, band
            FROM ordered JOIN sample ON sample.position = ordered.position
        """
        found = _fetch(sql, {"year": self.run.year, "code": self.run.parameters.get("deprivation_indicator"),
                             "run": self.run.pk, "points": chart_points})
        [(_, n, n_u, x, y, xx, yy, xy, x_u, u, xx_u, uu, xu, _)] = [row for row in found if row[0] == "sums"]
        return DeprivationReading(
            sums={"n": n, "x": x, "y": y, "xx": xx, "yy": yy, "xy": xy,
                  "n_u": n_u, "x_u": x_u, "u": u, "xx_u": xx_u, "uu": uu, "xu": xu},
            points=[(x, y, u, band) for _, _, x, y, u, band in
                    sorted((row[0], row[1], row[3], row[4], row[5], row[13]) for row in found if row[0] == "point")])
