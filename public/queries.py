"""Every read the public site makes. Each goes through
`RatingRun.objects.published()`, so a draft, withdrawn or scheduled run can
never reach a public page, and each makes a fixed number of queries however
many organisations, indicators or years there are. The one exception is a
year's revision history (corrections, withdrawals, earlier versions), which
reads `RatingRun.objects.ever_public()`: what the public has seen, never a
draft or a run before its time."""

from __future__ import annotations

import json

from collections import Counter
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import (Case, Count, Exists, F, FloatField, Func, Max, Min, OuterRef, Q, Subquery, Sum,
                              When, Window)
from django.db.models.functions import RowNumber
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from indicators.models import Indicator, Organisation, OrganisationType, Region, Result, ResultRevision
from ratings.models import BandConsequence, Rating, RatingRun
from ratings.standings import SCORE_FIELDS


def published_run_queryset(year: int | None = None):
    # Without each run's peer summary: megabytes at national scale, read only
    # where a page needs it (a report card's run).
    runs = RatingRun.objects.published().defer("indicator_summary")
    return runs if year is None else runs.filter(year=year)


def published_years() -> list[int]:
    """Years with at least one published run, newest first: one query."""
    return sorted(set(published_run_queryset().values_list("year", flat=True)), reverse=True)


def published_ratings(year: int):
    """The public ratings of a year: read them as plain values (`values_list`),
    never whole, since each holds its JSON detail."""
    return Rating.objects.filter(run__in=published_run_queryset(year))


def band_counts(year: int, by: tuple[str, ...] = ("organisation__type__code",), band: str = "band",
                **filters) -> Counter:
    """{(group..., band): count} over a year's published ratings (those matching `filters`): one query."""
    rows = (Rating.objects.filter(run__in=published_run_queryset(year), **filters).values(*by, band)
            .annotate(count=Count("id")).order_by())
    return Counter({tuple(row[name] for name in (*by, band)): row["count"] for row in rows})


def organisation_types(year: int | None = None) -> list[OrganisationType]:
    """Every organisation type: one query. Given a year, each has `green_share`,
    the share of green places in its published run of the year (None without one)."""
    types = OrganisationType.objects.order_by("code")
    if year is not None:
        runs = published_run_queryset(year).filter(organisation_type=OuterRef("pk"))
        types = types.annotate(green_share=Subquery(runs.annotate(
            green_share=JSONNumber("parameters", "green_share")).values("green_share")[:1]))
    return list(types)


def regions() -> list[Region]:
    return list(Region.objects.order_by("name"))


@dataclass
class ReportCardData:
    organisation: Organisation
    rating: Rating | None  # None when the year's ratings were withdrawn (see `withdrawn`)
    history: list[Rating]  # every published rating of the organisation, oldest first
    indicators: list[Indicator]  # the performance indicators applicable to its type
    consequences: list[BandConsequence]
    provenance: dict
    versions: list[RatingRun] = field(default_factory=list)  # the year's revision history: see `revisions`
    version: RatingRun | None = None  # the earlier version shown, on a previous version's page

    @property
    def withdrawn(self) -> RatingRun | None:
        return withdrawn_run(self.versions)


def report_card(code: str, year: int | None) -> ReportCardData:
    """Everything a report card shows, in 8 queries; 404 when the organisation
    has no published rating for the year (or at all, when no year is given),
    unless the year's ratings of its type were withdrawn (then 3 queries, and
    no rating: the page says so)."""
    organisation = _organisation(code)
    history = _history(organisation)
    shown = next((r for r in reversed(history) if year is None or r.run.year == year), None)
    if shown is None:
        versions = revisions(organisation, year) if year is not None else []
        if withdrawn_run(versions) and any(run.rated for run in versions):
            return ReportCardData(organisation=organisation, rating=None, history=history, indicators=[],
                                  consequences=[], provenance={}, versions=versions)
        raise Http404("No published rating for this organisation and year.")
    rating = _card_ratings().get(pk=shown.pk)
    return _report_card(organisation, rating, history, revisions(organisation, rating.run.year))


def previous_version(code: str, year: int, run_id: int) -> tuple[Organisation, list[RatingRun], RatingRun]:
    """The organisation, the year's revision history and the run asked for:
    404 unless the public has seen the run, it was not withdrawn and it rates
    the organisation. Two queries. The run may be the current one (check
    `run.current`)."""
    organisation = _organisation(code)
    versions = revisions(organisation, year)
    run = next((run for run in versions if run.pk == run_id), None)
    if run is None or not run.rated or run.status == RatingRun.Status.WITHDRAWN:
        raise Http404("No such earlier version of these ratings.")
    return organisation, versions, run


def version_card(organisation: Organisation, versions: list[RatingRun], run: RatingRun) -> ReportCardData:
    """A report card as an earlier version showed it: its rating, in place of
    the year's current one in the history too. Six queries."""
    rating = _card_ratings().get(run=run, organisation=organisation)
    history = [r for r in _history(organisation) if r.run.year != run.year]
    history = sorted([*history, rating], key=lambda r: r.run.year)
    return _report_card(organisation, rating, history, versions, version=run)


def _card_ratings():
    # The run without its whole peer summary (megabytes at national scale):
    # each rating carries its own standing among its peers.
    return Rating.objects.select_related("run", "run__organisation_type").defer("run__indicator_summary")


def _organisation(code: str) -> Organisation:
    return get_object_or_404(Organisation.objects.select_related("type", "region", "successor"), code=code)


def _history(organisation: Organisation) -> list[Rating]:
    # The history needs only each year's band and scores: leaving out the JSON
    # detail (and each run's peer summary) halves the time of an uncached card.
    return list(Rating.objects.filter(organisation=organisation, run__in=published_run_queryset())
                .select_related("run").order_by("run__year")
                .only("band", "score", "rank", "green_cutoff", "run__year", "run__rated_count"))


def _report_card(organisation, rating, history, versions, version=None) -> ReportCardData:
    indicators = list(Indicator.objects.filter(organisation_types=organisation.type_id,
                                               kind=Indicator.Kind.PERFORMANCE).order_by("domain", "code"))
    return ReportCardData(organisation=organisation, rating=rating, history=history, indicators=indicators,
                          consequences=list(BandConsequence.objects.all()),
                          provenance=provenance(organisation, rating.run.year), versions=versions, version=version)


def revisions(organisation: Organisation, year: int) -> list[RatingRun]:
    """The runs of the year for the organisation's type that the public has
    seen, oldest first, each marked `current` (the one published now) and
    `rated` (it rates the organisation): one query. One run and no withdrawal
    means the ratings were never revised."""
    at = timezone.now()  # one moment for both rules
    return list(RatingRun.objects.ever_public(at).filter(year=year, organisation_type=organisation.type_id)
                .annotate(current=Exists(RatingRun.objects.published(at).filter(pk=OuterRef("pk"))),
                          rated=Exists(Rating.objects.filter(run=OuterRef("pk"), organisation=organisation)))
                .order_by("published_at", "pk")
                .only("year", "status", "published_at", "withdrawn_at", "withdrawal_reason", "revision_note"))


def withdrawn_run(versions: list[RatingRun]) -> RatingRun | None:
    """The withdrawn run, when the ratings of a revision history were withdrawn
    and nothing has replaced them yet."""
    if any(run.current for run in versions):
        return None
    withdrawn = [run for run in versions if run.status == RatingRun.Status.WITHDRAWN]
    return max(withdrawn, key=lambda run: run.withdrawn_at, default=None)


def withdrawals(year: int) -> list[RatingRun]:
    """For each organisation type whose public ratings of the year were
    withdrawn and not yet replaced, the withdrawn run: one query."""
    at = timezone.now()
    replaced = RatingRun.objects.published(at).filter(year=year).values("organisation_type")
    runs = (RatingRun.objects.ever_public(at).filter(year=year, status=RatingRun.Status.WITHDRAWN)
            .exclude(organisation_type__in=replaced).select_related("organisation_type")
            .order_by("organisation_type__code", "withdrawn_at"))
    return list({run.organisation_type_id: run for run in runs}.values())


def provenance(organisation: Organisation, year: int) -> dict:
    """When the organisation's figures for the year were received and last corrected: two queries."""
    current = Result.objects.filter(organisation=organisation, year=year).aggregate(
        values=Count("id"), first=Min("source_import__created_at"), last=Max("source_import__created_at"))
    revisions = ResultRevision.objects.filter(result__organisation=organisation, result__year=year).aggregate(
        corrections=Count("id"), first=Min("source_import__created_at"), last=Max("superseded_by__created_at"))
    received = min(filter(None, [current["first"], revisions["first"]]), default=None)
    return {"values": current["values"], "received": received, "corrections": revisions["corrections"],
            "last_corrected": revisions["last"]}


def indicator_page(code: str, year: int, type_code: str | None):
    """An indicator, the published run for its type and year (with the
    indicator's median among its peers as `median`: from the run's small
    `peer_medians`, or its whole peer summary for runs stored before those
    were kept), and the figures of the run's rated organisations for the
    indicator as an `IndicatorFigures` (None without a run): three queries.
    The figures are read by the database a page at a time."""
    indicator = get_object_or_404(Indicator.objects.prefetch_related("organisation_types"), code=code)
    types = sorted(indicator.organisation_types.all(), key=lambda t: t.code)
    runs = {run.organisation_type.code: run for run in
            published_run_queryset(year).filter(organisation_type__in=[t.pk for t in types]).select_related("organisation_type")
            .annotate(median=Case(
                When(peer_medians__isnull=True, then=JSONNumber("indicator_summary", code, "median")),
                default=JSONNumber("peer_medians", code), output_field=FloatField()))}
    type_code = type_code if type_code in runs else next((t.code for t in types if t.code in runs), None)
    run = runs.get(type_code)
    return indicator, types, runs, run, None if run is None else IndicatorFigures(run, code)


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


REGION_FIELDS = ("organisation__code", "organisation__name", "organisation__type__name", "band", "rank",
                 "run__rated_count")


def region_page(code: str, year: int):
    """A region, its band counts by type, and its organisations' ratings as
    plain rows (REGION_FIELDS), to be read a page at a time."""
    region = get_object_or_404(Region, code=code)
    counts = band_counts(year, organisation__region=region)
    ratings = (published_ratings(year).filter(organisation__region=region)
               .order_by("organisation__type__code", "rank", "organisation__name", "pk").values_list(*REGION_FIELDS))
    return region, counts, ratings


def fairness(year: int, sample) -> dict:
    """Band counts by region (and its area) and type, published and without the
    adjustment: two queries; the year's runs: one; and per type, its scores
    against deprivation: {"sums": `DeprivationScores.sums`, "points": the
    points at the positions `sample(count)` picks}, two queries a type."""
    by = ("organisation__type__code", "organisation__region__code")
    published = band_counts(year, by)
    unadjusted = band_counts(year, by, band="band_without_adjustment")
    runs = list(published_run_queryset(year).select_related("organisation_type"))
    deprivation = {}
    for run in runs:
        scores = DeprivationScores(run)
        sums = scores.sums()
        deprivation[run.organisation_type.code] = {"sums": sums, "points": scores.points(sample(sums["n"]))}
    return {"published": published, "unadjusted": unadjusted, "runs": runs, "deprivation": deprivation}


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


def search_organisations(text: str, limit: int = 50) -> list[Organisation]:
    text = text.strip()
    if not text:
        return []
    return list(Organisation.objects.filter(Q(name__icontains=text) | Q(code__iexact=text))
                .select_related("type", "region").order_by("name")[:limit])


def latest_bands(organisations: list[Organisation]) -> dict[int, tuple[int, str]]:
    """Each organisation's latest published (year, band): one query."""
    latest = {}
    for organisation_id, year, band in (
            Rating.objects.filter(organisation__in=[o.pk for o in organisations], run__in=published_run_queryset())
            .order_by("run__year").values_list("organisation_id", "run__year", "band")):
        latest[organisation_id] = (year, band)
    return latest
