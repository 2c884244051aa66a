"""The API's reads. Each goes through `RatingRun.objects.published()` (via
`public.queries.published_run_queryset`), or `ever_public()` for the
history of publications, as every public page does; list reads are plain
values or a fixed number of queries per page, however many organisations."""

from __future__ import annotations

from django.db.models import Case, Exists, F, OuterRef, Q, Subquery, Value, When
from django.utils import timezone

from indicators.models import Indicator, Organisation, Result
from ratings import frozen_definitions
from ratings.models import Rating, RatingRun

from ..queries import announced_releases, published_run_queryset

# A rating row of the list, as plain values: {name in the API: the lookup}.
RATING_VALUES = {
    "organisation_code": "organisation__code", "organisation_name": "organisation__name",
    "type": "organisation__type__code", "region": "organisation__region__code", "year": "run__year",
    "rated_count": "run__rated_count",
}
RATING_FIELDS = ("band", "score", "level_score", "improvement_score", "improvement_measured", "rank",
                 "core_targets_failed", "candidate_position", "green_quota", "green_candidates", "green_cutoff",
                 "gap_to_green", "coverage", "not_rated_reason", "band_without_adjustment",
                 "band_without_improvement", "score_without_adjustment", "certainty", "p_green", "p_yellow", "p_red",
                 "p_not_rated", "rank_low", "rank_high", "p_change_real", "change_reason", "run_id")


def published_run_ids() -> list[int]:
    """The runs published now: one small query, whose ids then filter the
    large tables (a subquery there cost SQLite twice the time of the page's read)."""
    return list(published_run_queryset().values_list("pk", flat=True))


def rating_keys():
    """Every published rating, unread: filtered, sorted and paged by its keys
    alone (on PostgreSQL from the covering index `rating_run_rank_keys`), then
    `ratings_by_id` reads the page. A rating's row is about 7 kB (its JSON is
    kept uncompressed in the row for the indicator page), so sorting whole rows
    read every row of every run: 127 ms for a page of all years by name at
    10,000 organisations, 45 ms now (bench/api.py)."""
    return Rating.objects.filter(run__in=published_run_ids())


def ratings_by_id(ids: list[int]) -> list[dict]:
    """The ratings of these ids, in this order, as plain values (never the JSON detail): one query."""
    rows = {row["id"]: row for row in Rating.objects.filter(pk__in=ids).order_by().values(
        "id", *RATING_FIELDS, **{name: F(lookup) for name, lookup in RATING_VALUES.items()})}
    return [rows[pk] for pk in ids]


def organisations():
    """Every organisation (reference data, as the public search shows), by
    code: filter, then page `organisation_values` and read the page with `organisation_rows`."""
    return Organisation.objects.order_by("code")


ORGANISATION_VALUES = ("pk", "code", "name", "opened", "closed", "type__code", "type__name", "region__code",
                       "region__name", "successor__code")


def organisation_values(queryset):
    """Organisations as plain values (`ORGANISATION_VALUES`), for `organisation_rows`."""
    return queryset.values_list(*ORGANISATION_VALUES)


def organisation_rows(values) -> list[dict]:
    """Each organisation of `organisation_values`, in order, with its type,
    region, successor's code and predecessors' codes: one more query. Plain
    values, not model instances: a page of 1,000 instances with their related
    objects made the garbage collector take a full pass every few requests
    (p90 150 ms against a median of 57 ms at 10,000 organisations, bench/api.py)."""
    rows = {}
    for pk, code, name, opened, closed, type_code, type_name, region_code, region_name, successor in values:
        rows[pk] = {"code": code, "name": name, "opened": opened, "closed": closed,
                    "type": {"code": type_code, "name": type_name},
                    "region": {"code": region_code, "name": region_name},
                    "successor": successor and {"code": successor}, "predecessors": [], "pk": pk}
    for successor_id, code in (Organisation.objects.filter(successor__in=list(rows)).order_by("code")
                               .values_list("successor_id", "code")):
        rows[successor_id]["predecessors"].append(code)
    return list(rows.values())


def organisation_history(organisation_id: int) -> list[dict]:
    """The organisation's published ratings, oldest first: one query."""
    return list(Rating.objects.filter(organisation=organisation_id, run__in=published_run_queryset())
                .order_by("run__year").values("band", "score", "rank", year=F("run__year")))


def years() -> list[dict]:
    """Each year with published ratings, newest first, with its types and latest publication time: one query."""
    found: dict[int, dict] = {}
    for year, type_code, published_at in (published_run_queryset().order_by("organisation_type__code")
                                          .values_list("year", "organisation_type__code", "published_at")):
        entry = found.setdefault(year, {"year": year, "types": [], "published_at": published_at})
        entry["types"].append(type_code)
        entry["published_at"] = max(entry["published_at"], published_at)
    return [found[year] for year in sorted(found, reverse=True)]


def runs():
    """The published runs, with their frozen parameters (not their definitions or peer summaries)."""
    return (published_run_queryset().select_related("organisation_type").defer("definitions", "peer_medians")
            .order_by("-year", "organisation_type__code", "pk"))


def publications():
    """Every run the public has seen, oldest first, each marked `current`
    (published now) and with the run it corrected (`corrects`: the one before
    it of its year and type the public saw): one query a page."""
    at = timezone.now()
    seen = RatingRun.objects.ever_public(at)
    earlier = (seen.filter(year=OuterRef("year"), organisation_type=OuterRef("organisation_type"))
               .filter(Q(published_at__lt=OuterRef("published_at"))
                       | Q(published_at=OuterRef("published_at"), pk__lt=OuterRef("pk")))
               .order_by("-published_at", "-pk").values("pk")[:1])
    return (seen.select_related("organisation_type")
            .annotate(current=Exists(RatingRun.objects.published(at).filter(pk=OuterRef("pk"))),
                      corrects=Subquery(earlier))
            .annotate(public_status=Case(When(status=RatingRun.Status.WITHDRAWN, then=Value("withdrawn")),
                                         When(current=True, then=Value("current")), default=Value("superseded")))
            .only("year", "organisation_type__code", "organisation_type__name", "status", "published_at",
                  "withdrawn_at", "withdrawal_reason", "revision_note", "engine_version")
            .order_by("year", "organisation_type__code", "published_at", "pk"))


def announcements() -> list[dict]:
    """The release calendar's announced publications (year, type, time; nothing of their content)."""
    return announced_releases()


def indicator_definitions(year: int | None = None) -> dict[int, list[dict]]:
    """{indicator id: its definitions as the published runs froze them, one per
    year (the types of the year's runs that used it merged), newest first}:
    one query over the published runs (years × types, whatever the organisations)."""
    by_indicator: dict[int, dict[int, dict]] = {}
    runs = published_run_queryset(year).only("year", "definitions").order_by("-year", "organisation_type__code")
    for run in runs:
        for definition in frozen_definitions.run_definitions(run).values():
            entry = by_indicator.setdefault(definition.indicator, {}).get(run.year)
            if entry is None:
                entry = {**frozen_definitions.as_dict(definition), "year": run.year, "organisation_types": []}
                by_indicator[definition.indicator][run.year] = entry
            entry["organisation_types"] = sorted({*entry["organisation_types"], *definition.organisation_types})
    return {pk: [years[y] for y in sorted(years, reverse=True)] for pk, years in by_indicator.items()}


def indicators():
    return Indicator.objects.order_by("code")


def results():
    """The figures of every year and organisation type with published ratings
    (what the results downloads hold), as plain values."""
    published = published_run_queryset().filter(year=OuterRef("year"),
                                                 organisation_type=OuterRef("organisation__type"))
    return (Result.objects.filter(Exists(published))
            .values("id", "year", "value", "numerator", "denominator", organisation_code=F("organisation__code"),
                    indicator_code=F("indicator__code")))
