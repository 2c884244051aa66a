"""The public site: anonymous, read-only, published runs only. Each view loads
(or 404s), shapes with a presenter or table, and responds."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from indicators.models import Indicator, Region
from indicators.queries import is_synthetic_data_present
from indicators.years import format_year
from ratings import exports

from . import browse_table, datapackage, downloads as public_downloads, presenters, queries
from .api.views import openapi_schema
from .browse_table import page_read, paginate, pagination, ratings_table, requested_page
from .cache import public_page
from .filters import RatingFilter
from .formatting import plural_of


def _render(request, template, context, status=200):
    context = {"synthetic": is_synthetic_data_present(), **context}
    return render(request, template, context, status=status)


def _years_or_404(year: int) -> list[int]:
    years = queries.published_years()
    if year not in years:
        raise Http404("No ratings have been published for this year.")
    return years


def _withdrawals(year: int | None, years: list[int]) -> list[str]:
    """What a page of `year` says first: every withdrawal of that year not yet
    replaced, and on the latest published year's pages (and with none
    published) of every later year too, so that a yearless URL's latest year
    never hides a withdrawal after it. One query."""
    latest = year is None or not years or year == years[0]
    return presenters.revisions.withdrawal_notices(queries.withdrawals(year, later=latest))


def _latest(request, view: str, **kwargs):
    """A yearless URL: a redirect to the same page of the latest published
    year (the query string kept), or, when none is published, a page that
    says so (and lists any withdrawal), never a silent fallback."""
    years = queries.published_years()
    if not years:
        return _render(request, "public/not_published.html", {"withdrawals": _withdrawals(None, years)}, status=404)
    url = reverse(f"public:{view}", kwargs={**kwargs, "year": years[0]})
    return redirect(url + ("?" + request.GET.urlencode() if request.GET else ""))


@public_page
def home(request):
    years = queries.published_years()
    year = years[0] if years else None
    counts = queries.band_counts(year) if year else {}
    page = presenters.pages.home(counts, queries.organisation_types(year))
    return _render(request, "public/home.html", {"year": year, "years": years, "page": page,
                                                 "withdrawals": _withdrawals(year, years)})


@public_page
def search(request):
    text = request.GET.get("q", "")[:100]
    organisations = queries.search_organisations(text)
    latest = queries.latest_bands(organisations)
    return _render(request, "public/search.html", {
        "query": text, "results": [(o, latest.get(o.pk)) for o in organisations]})


@require_safe
def latest_ratings(request):
    return _latest(request, "browse")


@require_safe
def latest_regions(request):
    return _latest(request, "regions")


@require_safe
def latest_region(request, code):
    region = queries.by_code(Region.objects.all(), code)
    return _latest(request, "region", code=region.code)


@require_safe
def latest_fairness(request):
    return _latest(request, "fairness")


@require_safe
def latest_methodology(request):
    return _latest(request, "methodology")


@require_safe
def latest_indicator(request, code):
    indicator = queries.by_code(Indicator.objects.all(), code)
    return _latest(request, "indicator", code=indicator.code)


def _canonical(request, code: str, held: str, view: str, **kwargs):
    """A redirect to the URL with the code as held (`/organisations/q22/` to
    `/organisations/Q22/`), or None when the URL already has it."""
    if code == held:
        return None
    url = reverse(f"public:{view}", kwargs={"code": held, **kwargs})
    return redirect(url + ("?" + request.GET.urlencode() if request.GET else ""), permanent=True)


def _filtered_ratings(request, year):
    """The browse filters, one type at a time: the type asked for, or the first
    type rated in the year when none (or one not rated then) is asked for; the
    table only ever holds that type. One query (the year's types)."""
    types = queries.rated_types(year)
    query = request.GET.copy()
    codes = [organisation_type.code for organisation_type in types]
    shown = query.get("type") if query.get("type") in codes else (codes[0] if codes else None)
    if not query.get("type") and shown:
        query["type"] = shown
    filters = RatingFilter(query, queryset=queries.published_ratings(year), types=types)
    shown_type = next((t for t in types if t.code == shown), None)
    ratings = filters.qs.filter(organisation__type__code=shown)  # even when the form is invalid
    return filters, ratings, query, types, shown_type


@public_page
def browse(request, year):
    years = queries.published_years()
    if year not in years:
        withdrawn = queries.withdrawals(year)
        if not withdrawn:
            raise Http404("No ratings have been published for this year.")
        return _render(request, "public/withdrawn.html", {
            "page": presenters.pages.withdrawn_year(year, withdrawn), "years": years}, status=410)
    filters, ratings, query, types, shown_type = _filtered_ratings(request, year)
    table = ratings_table(ratings, query, year)
    type_links = [{"type": t, "plural": plural_of(t), "current": t == shown_type,
                   "url": "?" + _changed(query, type=t.code).urlencode()} for t in types]
    query = _changed(query, page=None, sort=None)
    return _render(request, "public/browse.html", {
        "year": year, "years": years, "filter": filters, "table": table, "type_links": type_links,
        "shown_type": shown_type, "shown_plural": plural_of(shown_type) if shown_type else "",
        "withdrawals": _withdrawals(year, years),
        "csv_url": reverse("public:browse_csv", args=[format_year(year)]) + ("?" + query.urlencode() if query else "")})


@public_page
def browse_csv(request, year):
    _years_or_404(year)
    _, ratings, *_ = _filtered_ratings(request, year)
    ordered = ratings.order_by("organisation__type__code", "rank", "organisation__name")
    return _csv_response(f"ratings-{format_year(year)}.csv", exports.COLUMNS, exports.rows_of(ordered))


@public_page
def report_card(request, code, year=None):
    data = queries.report_card(code, year)
    if moved := _canonical(request, code, data.organisation.code,
                           "report_card" if year else "latest_report_card", **({"year": year} if year else {})):
        return moved
    if data.rating is None:  # the year's ratings were withdrawn: say so, rather than a bare 404
        return _render(request, "public/withdrawn.html", {
            "page": presenters.pages.withdrawn_card(data), "organisation": data.organisation}, status=410)
    card = presenters.report_card.card(data)
    return _render(request, "public/report_card.html", {"card": card, "organisation": data.organisation})


@public_page
def report_card_version(request, code, year, run_id):
    organisation, versions, run = queries.previous_version(code, year, run_id)
    if moved := _canonical(request, code, organisation.code, "report_card_version", year=year, run_id=run_id):
        return moved
    if run.current:
        return redirect("public:report_card", code=organisation.code, year=year)
    data = queries.version_card(organisation, versions, run)
    card = presenters.report_card.card(data)
    return _render(request, "public/report_card.html", {"card": card, "organisation": organisation})


@public_page
def compare(request, year):
    years = _years_or_404(year)
    found = queries.comparison(request.GET.getlist("organisation"), year)
    return _render(request, "public/compare.html", {
        "year": year, "years": years, "page": presenters.compare.page(found)})


@require_safe
def latest_compare(request):
    years = queries.published_years()
    if not years:
        raise Http404("No ratings have been published yet.")
    url = reverse("public:compare", args=[format_year(years[0])])
    return redirect(url + ("?" + request.GET.urlencode() if request.GET else ""))


@public_page
def indicator_list(request):
    years = queries.published_years()
    year = years[0] if years else None
    indicators = queries.indicators_of_year(year) if year else []
    return _render(request, "public/indicator_list.html", {"indicators": indicators, "year": year})


@public_page
def indicator(request, code, year):
    years = _years_or_404(year)
    indicator, types, runs, run, figures = queries.indicator_page(code, year, request.GET.get("type"))
    if moved := _canonical(request, code, indicator.code, "indicator", year=year):
        return moved
    reading = figures.read(page=requested_page(request.GET), per_page=browse_table.PER_PAGE,
                           chart_points=presenters.charting.MAX_CHART_POINTS,
                           beyond_shown=presenters.funnel.BEYOND_SHOWN) if figures else None
    paginator, shown = page_read(reading.page, reading.page_number, reading.rows) if reading else (None, None)
    page = presenters.pages.indicator_page(indicator, run, reading)
    return _render(request, "public/indicator.html", {
        "indicator": indicator, "year": year, "years": years, "types": types, "runs": runs, "run": run, "page": page,
        "withdrawals": _withdrawals(year, years),
        "shown": shown, "pagination": pagination(paginator, shown, request.GET) if shown else {}})


@public_page
def region(request, code, year):
    years = _years_or_404(year)
    region, counts, ratings = queries.region_page(code, year)
    if moved := _canonical(request, code, region.code, "region", year=year):
        return moved
    national = queries.band_counts(year)
    page = presenters.pages.region_page(region, counts, national, queries.organisation_types())
    paginator, organisations = paginate(ratings, request.GET)
    return _render(request, "public/region.html", {
        "region": region, "year": year, "years": years, "page": page, "organisations": organisations,
        "withdrawals": _withdrawals(year, years),
        "pagination": pagination(paginator, organisations, request.GET)})


@public_page
def regions(request, year):
    years = _years_or_404(year)
    page = presenters.pages.regions_index(queries.regions(), queries.band_counts(year, by=("organisation__region__code",)))
    return _render(request, "public/regions.html", {"year": year, "years": years, "page": page,
                                                    "withdrawals": _withdrawals(year, years)})


def changes(request, year):
    """What changed since last year: every organisation of a type whose band changed, by main reason."""
    years = _years_or_404(year)
    reason = request.GET.get("reason", "")
    reason = reason if reason in presenters.band_changes.REASON_LABELS else ""
    data = queries.band_changes(year, request.GET.get("type", "")[:20], reason)
    # The counts by reason give the page count: the page is one read, whatever it holds.
    count = data.counts.get(reason, 0) if reason else sum(data.counts.values())
    number = Paginator(range(count), browse_table.PER_PAGE).get_page(request.GET.get("page")).number
    start = (number - 1) * browse_table.PER_PAGE
    paginator, rows = page_read(list(data.rows[start:start + browse_table.PER_PAGE]), number, count)
    return _render(request, "public/changes.html", {
        "year": year, "years": years, "page": presenters.band_changes.changes_page(year, data, reason, rows),
        "pagination": pagination(paginator, rows, request.GET), "rows": rows})


@public_page
def fairness(request, year):
    years = _years_or_404(year)
    sections = presenters.fairness.sections(queries.fairness(year, chart_points=presenters.charting.MAX_CHART_POINTS),
                                            queries.organisation_types(), queries.regions())
    return _render(request, "public/fairness.html", {"year": year, "years": years, "sections": sections,
                                                     "withdrawals": _withdrawals(year, years)})


@public_page
def methodology(request, year):
    years = _years_or_404(year)
    runs = list(queries.published_run_queryset(year).select_related("organisation_type")
                .order_by("organisation_type__code"))
    names = dict(Indicator.objects.values_list("code", "name"))
    return _render(request, "public/methodology.html", {
        "year": year, "years": years, "sections": presenters.methodology.sections(runs, names),
        "withdrawals": _withdrawals(year, years),
        "indicator_rows": presenters.methodology.indicator_rows(runs, names),
        "funnel": presenters.methodology.funnel_explanation(runs),
        "feeds": [(run.organisation_type.code, run.organisation_type.plural_name or run.organisation_type.name)
                  for run in runs]})


@public_page
def downloads(request):
    return _render(request, "public/downloads.html", {
        "years": queries.published_years(), "datasets": public_downloads.DATASETS,
        "documentation": datapackage.documentation()})


@public_page
def downloads_datapackage(request):
    return JsonResponse(datapackage.descriptor(queries.published_years()),
                        json_dumps_params={"ensure_ascii": False, "indent": 1})


@public_page
def releases(request):
    return _render(request, "public/releases.html", {
        "announcements": presenters.releases.announcements(queries.announced_releases()),
        "releases": presenters.releases.past_releases(queries.publication_history())})


@public_page
def download(request, year, dataset, extension):
    _years_or_404(year)
    if dataset not in public_downloads.DATASETS or extension not in ("csv", "json"):
        raise Http404("There is no such download.")
    columns, rows = public_downloads.DATASETS[dataset].rows(year)
    filename = f"{dataset}-{format_year(year)}.{extension}"
    if extension == "csv":
        return _csv_response(filename, columns, rows)
    return _streamed(filename, "application/json",
                     exports.json_chunks({"year": format_year(year)}, columns, rows))


def _changed(query, **changes):
    """A copy of the query string with `changes` (None removes one; the page always goes)."""
    query = query.copy()
    query.pop("page", None)
    for name, value in changes.items():
        if value is None:
            query.pop(name, None)
        else:
            query[name] = value
    return query


def _csv_response(filename, columns, rows):
    return _streamed(filename, "text/csv; charset=utf-8", exports.csv_chunks(rows, columns))


def _streamed(filename, content_type, chunks):
    # Streamed, so never held whole (nor put in the page cache): memory stays
    # bounded whatever the number of organisations.
    response = StreamingHttpResponse((chunk.encode() for chunk in chunks), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@public_page
def api_docs(request):
    return _render(request, "public/api_docs.html", {
        "endpoints": presenters.api_docs.endpoints(openapi_schema()), "clients": presenters.api_docs.clients(),
        "api": request.build_absolute_uri("/api/v1"), "years": queries.published_years(),
        "rate_limit": settings.API_RATE_LIMIT, "client_cache_seconds": settings.API_CLIENT_CACHE_SECONDS})


@require_safe
def robots_txt(request):
    return HttpResponse("User-agent: *\nDisallow: /admin/\nDisallow: /search/\n", content_type="text/plain")


def page_not_found(request, exception=None):
    if request.path.startswith(API_PREFIX):  # an address no API endpoint matched: answered in the API's shape
        return JsonResponse({"detail": "Not found."}, status=404)
    return render(request, "404.html", status=404)


def server_error(request):
    # No database reads here: the error may be the database.
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": "Server error."}, status=500)
    return render(request, "500.html", status=500)


API_PREFIX = "/api/"
