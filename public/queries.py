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

from django.db.models import Case, Count, Exists, F, FloatField, JSONField, Max, Min, OuterRef, Q, Subquery, When
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from indicators.models import Indicator, Organisation, OrganisationType, Region, Result, ResultRevision
from ratings import frozen_definitions
from ratings.models import AuditEntry, BandConsequence, Rating, RatingRun

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
    """Every organisation type: one query. Given a year, each has `parameters`,
    the method's parameters frozen with its published run of the year (None without one)."""
    types = OrganisationType.objects.order_by("code")
    if year is not None:
        runs = published_run_queryset(year).filter(organisation_type=OuterRef("pk"))
        types = types.annotate(parameters=Subquery(runs.values("parameters")[:1], output_field=JSONField()))
    return list(types)


def rated_types(year: int) -> list[OrganisationType]:
    """The organisation types with published ratings in the year, by code: one query."""
    return list(OrganisationType.objects.filter(pk__in=published_run_queryset(year).values("organisation_type"))
                .order_by("code"))


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
    predecessors: list[Organisation] = field(default_factory=list)  # those it succeeded (closed or merged into it)
    rank_tied_with: int = 0  # the others of its run sharing its rank
    versions: list[RatingRun] = field(default_factory=list)  # the year's revision history: see `revisions`
    version: RatingRun | None = None  # the earlier version shown, on a previous version's page

    @property
    def withdrawn(self) -> RatingRun | None:
        return withdrawn_run(self.versions)


def report_card(code: str, year: int | None) -> ReportCardData:
    """Everything a report card shows, in 10 queries (11 for the latest card,
    which first looks for a later withdrawal); 404 when the organisation has no
    published rating for the year (or at all, when no year is given), unless
    the year's ratings of its type were withdrawn, or, for the latest card,
    those of a later year than its latest published rating (then 3 or 4
    queries, and no rating: the page says so)."""
    organisation = _organisation(code)
    history = _history(organisation)
    if year is None:
        # The latest card: when its type's ratings of a later year than the
        # latest shown were withdrawn (and rated it), say so rather than
        # silently showing the year before.
        later = [run for run in withdrawals(history[-1].run.year + 1 if history else None, later=True)
                 if run.organisation_type_id == organisation.type_id]
        if later:
            versions = revisions(organisation, later[-1].year)
            if any(run.rated for run in versions):
                return ReportCardData(organisation=organisation, rating=None, history=history, indicators=[],
                                      consequences=[], provenance={}, versions=versions)
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
    the year's current one in the history too. Eight queries."""
    rating = _card_ratings().get(run=run, organisation=organisation)
    history = [r for r in _history(organisation) if r.run.year != run.year]
    history = sorted([*history, rating], key=lambda r: r.run.year)
    return _report_card(organisation, rating, history, versions, version=run)


def draft_card(organisation: Organisation, run: RatingRun) -> ReportCardData:
    """The organisation's card from a draft run, for its own staff in a
    fact-check window: the same facts as the public card, the draft's rating
    in place of the year's in its published history; no revision history
    (nothing of it is public). 404 when the draft does not rate it."""
    rating = get_object_or_404(_card_ratings(), run=run, organisation=organisation)
    history = [r for r in _history(organisation) if r.run.year != run.year]
    history = sorted([*history, rating], key=lambda r: r.run.year)
    return _report_card(organisation, rating, history, versions=[])


def organisation_by_code(code: str) -> Organisation:
    return _organisation(code)


def _card_ratings():
    # The run without its whole peer summary (megabytes at national scale):
    # each rating carries its own standing among its peers.
    return Rating.objects.select_related("run", "run__organisation_type").defer("run__indicator_summary")


def _organisation(code: str) -> Organisation:
    return by_code(Organisation.objects.select_related("type", "region", "successor"), code)


def by_code(queryset, code: str):
    """The row of `queryset` with this code, in any letter case (`q22` finds
    `Q22`; the view redirects to the code as held), or 404. One query. Only
    ASCII is matched without regard to case: Unicode case rules would let
    'ı' find 'I'. Should two codes differ only in case, the exact one wins."""
    if not code.isascii():
        return get_object_or_404(queryset, code=code)
    found = list(queryset.filter(code__iexact=code)
                 .order_by(Case(When(code=code, then=0), default=1), "pk")[:2])
    if found and (found[0].code == code or len(found) == 1):
        return found[0]
    # None, or two held codes that differ from this one only in case: neither is meant more than the other.
    raise Http404("Nothing has this code.")


def _history(organisation: Organisation) -> list[Rating]:
    # The history needs only each year's band and scores, and for the
    # indicators' trends each year's figures and its run's peer medians (small):
    # leaving out the rest of the JSON detail (and each run's peer summary)
    # halves the time of an uncached card.
    return list(Rating.objects.filter(organisation=organisation, run__in=published_run_queryset())
                .select_related("run").order_by("run__year")
                .only("band", "score", "rank", "green_cutoff", "indicator_scores", "run__year",
                      "run__rated_count", "run__peer_medians"))


def _report_card(organisation, rating, history, versions, version=None) -> ReportCardData:
    indicators = indicators_as_defined(rating.run)
    return ReportCardData(organisation=organisation, rating=rating, history=history, indicators=indicators,
                          consequences=list(BandConsequence.objects.all()), predecessors=predecessors(organisation),
                          rank_tied_with=rank_tied_with(rating),
                          provenance=provenance(organisation, rating.run.year), versions=versions, version=version)


def rank_tied_with(rating: Rating) -> int:
    """How many others of its run share its rank (equal scores share the better
    rank): one query, a count the database makes; none without a rank."""
    if rating.rank is None:
        return 0
    return Rating.objects.filter(run=rating.run_id, rank=rating.rank).exclude(pk=rating.pk).count()


def predecessors(organisation: Organisation) -> list[Organisation]:
    """The organisations it succeeded (each names it as its successor), by name: one query."""
    return list(organisation.predecessors.order_by("name", "pk").only("code", "name", "closed", "successor"))


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
    `rated` (it rates the organisation), with the organisation's `own_band`
    and `own_score` in it: one query. One run and no withdrawal
    means the ratings were never revised."""
    at = timezone.now()  # one moment for both rules
    own = Rating.objects.filter(run=OuterRef("pk"), organisation=organisation)
    return list(RatingRun.objects.ever_public(at).filter(year=year, organisation_type=organisation.type_id)
                .annotate(current=Exists(RatingRun.objects.published(at).filter(pk=OuterRef("pk"))),
                          rated=Exists(own), own_band=Subquery(own.values("band")[:1]),
                          own_score=Subquery(own.values("score")[:1]))
                .order_by("published_at", "pk")
                .only("year", "status", "published_at", "withdrawn_at", "withdrawal_reason", "revision_note"))


def withdrawn_run(versions: list[RatingRun]) -> RatingRun | None:
    """The withdrawn run, when the ratings of a revision history were withdrawn
    and nothing has replaced them yet."""
    if any(run.current for run in versions):
        return None
    withdrawn = [run for run in versions if run.is_withdrawn]
    return max(withdrawn, key=lambda run: run.withdrawn_at, default=None)


def withdrawals(year: int | None, *, later: bool = False) -> list[RatingRun]:
    """For each organisation type whose public ratings of the year (and, with
    `later`, of any later year; of every year when `year` is None) were
    withdrawn and not yet replaced, the withdrawn run, by year then type: one
    query. A page of a year says these, so that a withdrawal is never hidden
    by showing an earlier year in its place."""
    at = timezone.now()
    runs = RatingRun.objects.ever_public(at).filter(status=RatingRun.Status.WITHDRAWN)
    if year is not None:
        runs = runs.filter(year__gte=year) if later else runs.filter(year=year)
    replaced = RatingRun.objects.published(at).filter(year=OuterRef("year"), organisation_type=OuterRef("organisation_type"))
    runs = (runs.exclude(Exists(replaced)).select_related("organisation_type")
            .order_by("year", "organisation_type__code", "withdrawn_at"))
    return list({(run.year, run.organisation_type_id): run for run in runs}.values())


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
    indicator = by_code(Indicator.objects.prefetch_related("organisation_types"), code)
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
    region = by_code(Region.objects.all(), code)
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


# The most organisations a comparison shows: its reads are bounded by it.
MAX_COMPARED = 4


@dataclass
class Comparison:
    """What the compare page shows: the organisations asked for (in the order
    asked), their ratings of the year (by organisation id), the run of their type
    and its performance indicators as it defined them; or, when the request
    cannot be answered, `problems` in words (and nothing read that was not needed)."""

    year: int
    codes: list[str]
    organisations: list[Organisation] = field(default_factory=list)
    ratings: dict = field(default_factory=dict)
    run: RatingRun | None = None
    indicators: list[Indicator] = field(default_factory=list)
    neighbours: list[tuple] = field(default_factory=list)  # (code, name, rank, band) ranked near a lone organisation
    problems: list[str] = field(default_factory=list)


def requested_codes(values: list[str]) -> list[str]:
    """Organisation codes as asked for: trimmed, upper-cased, blanks and repeats dropped, in order."""
    return list(dict.fromkeys(value.strip().upper()[:20] for value in values if value.strip()))


def comparison(values: list[str], year: int) -> Comparison:
    """Two to four organisations of one type side by side in a year's published
    ratings: at most four queries, whatever the number of organisations (none
    for more than MAX_COMPARED codes, which is refused)."""
    found = Comparison(year=year, codes=requested_codes(values))
    if len(found.codes) > MAX_COMPARED:
        found.problems.append(f"Choose at most {MAX_COMPARED} organisations to compare: you chose "
                              f"{len(found.codes)}.")
        return found
    if not found.codes:
        return found
    matches = Q()
    for code in found.codes:
        matches |= Q(code__iexact=code)
    held = {o.code.upper(): o for o in Organisation.objects.filter(matches).select_related("type", "region")}
    found.problems += [f"There is no organisation with the code {code}." for code in found.codes if code not in held]
    found.organisations = [held[code] for code in found.codes if code in held]
    types = {o.type for o in found.organisations}
    if len(types) > 1:
        found.problems.append(
            "Only organisations of one type can be compared: "
            + "; ".join(f"{o.name} ({o.code}): {o.type.name.lower()}" for o in found.organisations) + ".")
        return found
    if not found.organisations:
        return found
    ratings = (Rating.objects.filter(run__in=published_run_queryset(year), organisation__in=found.organisations)
               .select_related("run", "run__organisation_type").defer("run__indicator_summary"))
    found.ratings = {rating.organisation_id: rating for rating in ratings}
    found.problems += [f"{o.name} ({o.code}) has no published rating for this year." for o in found.organisations
                       if o.pk not in found.ratings]
    if not found.ratings:
        return found
    found.run = next(iter(found.ratings.values())).run
    found.indicators = indicators_as_defined(found.run)
    if len(found.organisations) == 1 and found.ratings[found.organisations[0].pk].rank is not None:
        rank = found.ratings[found.organisations[0].pk].rank
        found.neighbours = list(
            Rating.objects.filter(run=found.run, rank__range=(rank - 2, rank + 2))
            .exclude(organisation=found.organisations[0]).order_by("rank", "organisation__name")
            .values_list("organisation__code", "organisation__name", "rank", "band")[:MAX_COMPARED])
    return found


def publication_history(*, year: int | None = None, type_code: str | None = None,
                        organisation: Organisation | None = None, latest: int | None = None) -> list[RatingRun]:
    """Runs the public has seen (`ever_public`: never a draft, nor a scheduled
    run before its time), oldest first within each year and type, each with
    its type, marked `current`, and, given an organisation, only those that
    rate it, with its `band` in each. One query; `latest` keeps that many of
    the most recently published."""
    at = timezone.now()
    runs = (RatingRun.objects.ever_public(at).select_related("organisation_type")
            .annotate(current=Exists(RatingRun.objects.published(at).filter(pk=OuterRef("pk"))))
            .only("year", "status", "published_at", "withdrawn_at", "withdrawal_reason", "revision_note",
                  "organisation_type__code", "organisation_type__name", "organisation_type__plural_name"))
    if year is not None:
        runs = runs.filter(year=year)
    if type_code is not None:
        runs = runs.filter(organisation_type__code=type_code)
    if organisation is not None:
        rated = Rating.objects.filter(run=OuterRef("pk"), organisation=organisation)
        runs = runs.filter(Exists(rated)).annotate(band=Subquery(rated.values("band")[:1]))
    if latest is not None:
        runs = runs.order_by("-published_at", "-pk")[:latest]
    return sorted(runs, key=lambda run: (run.year, run.organisation_type.code, run.published_at, run.pk))


def announced_releases(at=None) -> list[dict]:
    """The publications announced ahead (the release calendar): for each run
    scheduled for a time still to come, its year, its organisation type, that
    time, whether it replaces ratings already public (`revises`) and when it
    was announced (`announced_at`, the latest scheduling in the audit log;
    None for a run scheduled without one), soonest first. Plain values, so
    nothing of a run's content (bands, counts, figures, note) is even read:
    one query."""
    at = at or timezone.now()
    seen = RatingRun.objects.ever_public(at).filter(year=OuterRef("year"), organisation_type=OuterRef("organisation_type"))
    scheduling = AuditEntry.objects.filter(run=OuterRef("pk"), action=AuditEntry.Action.SCHEDULED).order_by("-at")
    return list(RatingRun.objects.publication_candidates().filter(published_at__gt=at)
                .annotate(revises=Exists(seen), announced_at=Subquery(scheduling.values("at")[:1]))
                .order_by("published_at", "year", "organisation_type__code")
                .values("year", "published_at", "revises", "announced_at", type_code=F("organisation_type__code"),
                        type_name=F("organisation_type__name"), type_plural=F("organisation_type__plural_name")))


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
