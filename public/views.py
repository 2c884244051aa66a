"""The public site: anonymous, read-only, published runs only. Each view loads
(or 404s), shapes with a presenter or table, and responds."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from indicators.models import Indicator
from indicators.queries import is_synthetic_data_present
from indicators.years import format_year
from ratings import exports

from . import browse_table, downloads as public_downloads, presenters, queries
from .browse_table import page_read, paginate, pagination, ratings_table, requested_page
from .cache import public_page
from .filters import RatingFilter


def _render(request, template, context, status=200):
    context = {"synthetic": is_synthetic_data_present(), **context}
    return render(request, template, context, status=status)


def _years_or_404(year: int) -> list[int]:
    years = queries.published_years()
    if year not in years:
        raise Http404("No ratings have been published for this year.")
    return years


@public_page
def home(request):
    years = queries.published_years()
    year = years[0] if years else None
    counts = queries.band_counts(year) if year else {}
    page = presenters.pages.home(counts, queries.organisation_types(year))
    return _render(request, "public/home.html", {"year": year, "years": years, "page": page})


@public_page
def search(request):
    text = request.GET.get("q", "")[:100]
    organisations = queries.search_organisations(text)
    latest = queries.latest_bands(organisations)
    return _render(request, "public/search.html", {
        "query": text, "results": [(o, latest.get(o.pk)) for o in organisations]})


@require_safe
def latest_ratings(request):
    years = queries.published_years()
    if not years:
        raise Http404("No ratings have been published yet.")
    return redirect("public:browse", year=years[0])


def _filtered_ratings(request, year):
    return RatingFilter(request.GET, queryset=queries.published_ratings(year))


@public_page
def browse(request, year):
    years = queries.published_years()
    withdrawn = queries.withdrawals(year)
    if year not in years:
        if not withdrawn:
            raise Http404("No ratings have been published for this year.")
        return _render(request, "public/withdrawn.html", {
            "page": presenters.pages.withdrawn_year(year, withdrawn), "years": years}, status=410)
    filters = _filtered_ratings(request, year)
    table = ratings_table(filters.qs, request.GET, year)
    query = request.GET.copy()
    for name in ("page", "sort"):
        query.pop(name, None)
    return _render(request, "public/browse.html", {
        "year": year, "years": years, "filter": filters, "table": table,
        "withdrawals": [presenters.revisions.withdrawal_notice(run, run.organisation_type) for run in withdrawn],
        "csv_url": reverse("public:browse_csv", args=[format_year(year)]) + ("?" + query.urlencode() if query else "")})


@public_page
def browse_csv(request, year):
    _years_or_404(year)
    filters = _filtered_ratings(request, year)
    ordered = filters.qs.order_by("organisation__type__code", "rank", "organisation__name")
    return _csv_response(f"ratings-{format_year(year)}.csv", exports.COLUMNS, exports.rows_of(ordered))


@public_page
def report_card(request, code, year=None):
    data = queries.report_card(code, year)
    if data.rating is None:  # the year's ratings were withdrawn: say so, rather than a bare 404
        return _render(request, "public/withdrawn.html", {
            "page": presenters.pages.withdrawn_card(data), "organisation": data.organisation}, status=410)
    card = presenters.report_card.card(data)
    return _render(request, "public/report_card.html", {"card": card, "organisation": data.organisation})


@public_page
def report_card_version(request, code, year, run_id):
    organisation, versions, run = queries.previous_version(code, year, run_id)
    if run.current:
        return redirect("public:report_card", code=organisation.code, year=year)
    data = queries.version_card(organisation, versions, run)
    card = presenters.report_card.card(data)
    return _render(request, "public/report_card.html", {"card": card, "organisation": organisation})


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
    reading = figures.read(page=requested_page(request.GET), per_page=browse_table.PER_PAGE,
                           chart_points=presenters.charting.MAX_CHART_POINTS) if figures else None
    paginator, shown = page_read(reading.page, reading.page_number, reading.rows) if reading else (None, None)
    page = presenters.pages.indicator_page(indicator, run, reading)
    return _render(request, "public/indicator.html", {
        "indicator": indicator, "year": year, "years": years, "types": types, "runs": runs, "run": run, "page": page,
        "shown": shown, "pagination": pagination(paginator, shown, request.GET) if shown else {}})


@public_page
def region(request, code, year):
    years = _years_or_404(year)
    region, counts, ratings = queries.region_page(code, year)
    national = queries.band_counts(year)
    page = presenters.pages.region_page(region, counts, national, queries.organisation_types())
    paginator, organisations = paginate(ratings, request.GET)
    return _render(request, "public/region.html", {
        "region": region, "year": year, "years": years, "page": page, "organisations": organisations,
        "pagination": pagination(paginator, organisations, request.GET)})


@public_page
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
    return _render(request, "public/fairness.html", {"year": year, "years": years, "sections": sections})


@public_page
def methodology(request, year):
    years = _years_or_404(year)
    runs = list(queries.published_run_queryset(year).select_related("organisation_type")
                .order_by("organisation_type__code"))
    names = dict(Indicator.objects.values_list("code", "name"))
    return _render(request, "public/methodology.html", {
        "year": year, "years": years, "sections": presenters.methodology.sections(runs, names),
        "indicator_rows": presenters.methodology.indicator_rows(runs, names)})


@public_page
def downloads(request):
    return _render(request, "public/downloads.html", {
        "years": queries.published_years(), "datasets": public_downloads.DATASETS})


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


def _csv_response(filename, columns, rows):
    return _streamed(filename, "text/csv; charset=utf-8", exports.csv_chunks(rows, columns))


def _streamed(filename, content_type, chunks):
    # Streamed, so never held whole (nor put in the page cache): memory stays
    # bounded whatever the number of organisations.
    response = StreamingHttpResponse((chunk.encode() for chunk in chunks), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_safe
def robots_txt(request):
    return HttpResponse("User-agent: *\nDisallow: /admin/\nDisallow: /search/\n", content_type="text/plain")


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # No database reads here: the error may be the database.
    return render(request, "500.html", status=500)
