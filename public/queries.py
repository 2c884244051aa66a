"""Every read the public site makes. Each goes through
`RatingRun.objects.published()`, so a draft, withdrawn or scheduled run can
never reach a public page, and each makes a fixed number of queries however
many organisations, indicators or years there are. The one exception is a
year's revision history (corrections, withdrawals, earlier versions), which
reads `RatingRun.objects.ever_public()`: what the public has seen, never a
draft or a run before its time."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Case, Count, Exists, FloatField, Max, Min, OuterRef, Q, Subquery, When
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from indicators.models import Indicator, Organisation, OrganisationType, Region, Result, ResultRevision
from ratings import frozen_definitions
from ratings.models import BandConsequence, Rating, RatingRun

from .distributions import DeprivationScores, IndicatorFigures, JSONNumber


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
    if run is None or not run.rated or run.is_withdrawn:
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
    indicators = indicators_as_defined(rating.run)
    return ReportCardData(organisation=organisation, rating=rating, history=history, indicators=indicators,
                          consequences=list(BandConsequence.objects.all()),
                          provenance=provenance(organisation, rating.run.year), versions=versions, version=version)


def indicators_of_year(year: int) -> list[Indicator]:
    """Every indicator as the year's published runs defined it (their frozen
    definitions: what the ratings used, never a later definition), each with
    `types`, the organisation type codes it applied to, ordered by kind, domain
    and name: two queries."""
    frozen = {}
    for run in published_run_queryset(year).only("definitions"):
        for definition in frozen_definitions.run_definitions(run).values():
            frozen.setdefault(definition.indicator, definition)
    held = Indicator.objects.in_bulk(list(frozen))
    indicators = []
    for pk, definition in frozen.items():
        if pk in held:
            indicator = _as_defined(held[pk], definition)
            indicator.types = definition.organisation_types
            indicators.append(indicator)
    return sorted(indicators, key=lambda i: (i.kind, i.domain, i.name))


def indicators_as_defined(run: RatingRun) -> list[Indicator]:
    """The run's performance indicators as it defined them (its frozen
    definitions, never today's): each indicator's identity (name, unit) as held,
    its domain, direction, weight, target and adjustment flag as frozen, on an
    instance that is never saved. One query."""
    frozen = frozen_definitions.performance_definitions(run)
    held = Indicator.objects.in_bulk([definition.indicator for definition in frozen])
    indicators = []
    for definition in frozen:
        indicator = held.get(definition.indicator)
        if indicator is None:
            continue  # deleted since: results are protected, so it held no figures
        indicators.append(_as_defined(indicator, definition))
    return indicators


def _as_defined(indicator: Indicator, definition: frozen_definitions.FrozenDefinition) -> Indicator:
    """The indicator (never saved after this) with a run's frozen definition in place of today's."""
    for name in DEFINED_FIELDS:
        setattr(indicator, name, getattr(definition, name))
    return indicator


# The fields an indicator's frozen definition gives, and `Indicator` mirrors.
DEFINED_FIELDS = ("kind", "domain", "direction", "weight", "adjust_for_deprivation", "core_threshold")


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
    withdrawn = [run for run in versions if run.is_withdrawn]
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
    # The runs that rated with it, as they defined it (not as it is defined today).
    runs = {run.organisation_type.code: run for run in
            published_run_queryset(year).filter(definitions__has_key=code).select_related("organisation_type")
            .annotate(median=Case(
                When(peer_medians__isnull=True, then=JSONNumber("indicator_summary", code, "median")),
                default=JSONNumber("peer_medians", code), output_field=FloatField()))}
    types = sorted([run.organisation_type for run in runs.values()] or indicator.organisation_types.all(),
                   key=lambda t: t.code)
    type_code = type_code if type_code in runs else next((t.code for t in types if t.code in runs), None)
    run = runs.get(type_code)
    if run is not None:
        _as_defined(indicator, frozen_definitions.run_definitions(run)[code])
    return indicator, types, runs, run, None if run is None else IndicatorFigures(run, code)


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


def fairness(year: int, chart_points: int) -> dict:
    """Band counts by region (and its area) and type, published and without the
    adjustment: one query; the year's runs: one; and per type, its scores
    against deprivation (a `DeprivationReading`, with at most `chart_points`
    points): one query a type."""
    published, unadjusted = Counter(), Counter()
    for row in (Rating.objects.filter(run__in=published_run_queryset(year))
                .values_list("organisation__type__code", "organisation__region__code", "band",
                             "band_without_adjustment").annotate(count=Count("id")).order_by()):
        type_code, region_code, band, band_without, count = row
        published[(type_code, region_code, band)] += count
        unadjusted[(type_code, region_code, band_without)] += count
    runs = list(published_run_queryset(year).select_related("organisation_type"))
    deprivation = {run.organisation_type.code: DeprivationScores(run).read(chart_points=chart_points) for run in runs}
    return {"published": published, "unadjusted": unadjusted, "runs": runs, "deprivation": deprivation}


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


@dataclass
class BandChanges:
    """A year's "What changed since last year" for one type: its published run
    (explained against `run.compared_with`), the other types that have one,
    the count of changed bands by main reason, and the changed ratings (one
    reason, or all) as plain rows (`CHANGE_COLUMNS`) to read a page at a time."""

    run: RatingRun | None
    runs: list[RatingRun]
    counts: dict[str, int]
    rows: object  # a values_list queryset


def band_changes(year: int, type_code: str | None, reason: str | None) -> BandChanges:
    """Two queries, and the page of rows (a count and a slice): the runs of the
    year compared with the year before's, the counts by reason of the chosen
    type's (the first with a comparison when none is asked for)."""
    from django.db.models.fields.json import KeyTextTransform

    # Compared with a run the public can still see (not withdrawn nor replaced since).
    runs = list(published_run_queryset(year).filter(compared_with__in=RatingRun.objects.published())
                .select_related("organisation_type", "compared_with")
                .only("year", "organisation_type__code", "organisation_type__name",
                      "organisation_type__plural_name", "compared_with__year")
                .order_by("organisation_type__code"))
    run = next((r for r in runs if r.organisation_type.code == type_code), None if type_code else
               (runs[0] if runs else None))
    if run is None:
        return BandChanges(run=None, runs=runs, counts={}, rows=Rating.objects.none())
    changed = Rating.objects.filter(run=run).exclude(change_reason="")
    counts = dict(changed.values_list("change_reason").annotate(count=Count("id")).order_by())
    if reason:
        changed = changed.filter(change_reason=reason)
    rows = changed.order_by("organisation__name", "organisation__code").values_list(
        "organisation__code", "organisation__name", KeyTextTransform("band_before", "decomposition"), "band",
        "change_reason", JSONNumber("decomposition", "own"), JSONNumber("decomposition", "others"),
        JSONNumber("decomposition", "method"), JSONNumber("decomposition", "corrections"),
        KeyTextTransform("band_if_others_stood_still", "decomposition"))
    return BandChanges(run=run, runs=runs, counts=counts, rows=rows)
