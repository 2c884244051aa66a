"""Regional office returns: upload, check, preview, confirm, history.
Signed-in staff see and change only their own regions' returns; admins all."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from . import access, actions, previews, queries
from .forms import UploadForm
from .spreadsheets.csv_writer import csv_text
from .uploads import problems_to_show
from .years import format_year, parse_year

SHOWN_PROBLEMS = 1000
SHOWN_CHANGES = 500
SHOWN_NEW = 500
TEMPLATE_YEAR = "returns_template_year"
TEMPLATE_YEAR_SECONDS = 30 * 24 * 3600


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def returns_home(request):
    regions = access.require_uploader(request.user)
    years = queries.return_years()
    form = UploadForm(request.POST or None, request.FILES or None, years=years,
                      initial_year=_year_of_the_data(request, years, regions))
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        # Read no more than the limit (and one byte to know it was passed).
        content = upload.read(settings.RETURNS_MAX_UPLOAD_BYTES + 1)
        checked = actions.validate_upload(user=request.user, year=form.cleaned_data["year"], filename=upload.name,
                                          content=content, size=upload.size, allowed_regions=regions)
        return redirect("returns:detail", pk=checked.pk)
    uploads = access.visible_uploads(request.user).select_related("created_by").prefetch_related("regions")
    return render(request, "returns/home.html", {
        "form": form, "uploads": uploads.order_by("-created_at")[:100], "years": years,
        "regions": queries.region_names(regions), "is_admin": regions is None,
        "max_megabytes": settings.RETURNS_MAX_UPLOAD_BYTES // (1024 * 1024)})


@login_required
@require_safe
def return_template(request):
    regions = access.require_uploader(request.user)
    try:
        year = parse_year(request.GET.get("year", ""))
    except ValueError as error:
        return HttpResponse(str(error), status=400, content_type="text/plain; charset=utf-8")
    response = _csv_response(f"return-template-{format_year(year)}.csv", queries.TEMPLATE_COLUMNS,
                             queries.template_rows(year=year, region_codes=regions))
    # The year the upload form then offers first: kept by the browser in a
    # signed cookie, so that a GET writes nothing on the server (not even a session).
    response.set_signed_cookie(TEMPLATE_YEAR, str(year), salt=TEMPLATE_YEAR, max_age=TEMPLATE_YEAR_SECONDS,
                               secure=settings.SESSION_COOKIE_SECURE, httponly=True, samesite="Lax")
    return response


@login_required
@require_safe
def return_detail(request, pk):
    upload = access.upload_or_404(request.user, pk)
    changes = upload.preview.get("changes", [])
    problems = problems_to_show(upload.problems)
    return render(request, "returns/detail.html", {
        "upload": upload, "problems": problems[:SHOWN_PROBLEMS], "preview": _named_preview(upload),
        "more_changes": max(0, len(changes) - SHOWN_CHANGES),
        "more_problems": max(0, len(problems) - SHOWN_PROBLEMS),
        "more_new": max(0, upload.new_values - min(SHOWN_NEW, len(upload.preview.get("new", [])))),
        "is_admin": access.is_admin(request.user)})


@login_required
@require_POST
def return_confirm(request, pk):
    upload = access.upload_or_404(request.user, pk)
    access.require_uploader(request.user)
    try:
        applied = actions.confirm_upload(upload=upload, user=request.user)
    except actions.UploadError as error:
        messages.error(request, str(error))
    else:
        if applied.status == applied.Status.APPLIED:
            messages.success(request, f"{applied.filename}: applied. {applied.new_values} new values, "
                                      f"{applied.changed_values} changed, {applied.unchanged_values} unchanged.")
    return redirect("returns:detail", pk=upload.pk)


@login_required
@require_POST
def return_reverse(request, pk):
    upload = access.upload_or_404(request.user, pk)
    if not access.is_admin(request.user):
        raise PermissionDenied("Only an admin can reverse an upload.")
    try:
        reversal = actions.reverse_upload(upload=upload, user=request.user)
    except actions.UploadError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Reversed: {reversal.restored} values restored, {reversal.removed} removed, "
                                  f"{reversal.kept} left as a later return set them.")
    return redirect("returns:detail", pk=upload.pk)


@login_required
@require_safe
def return_problems_csv(request, pk):
    upload = access.upload_or_404(request.user, pk)
    return _csv_response(f"problems-{upload.pk}.csv", ["file", "sheet", "line", "column", "message"],
                         ([upload.filename, problem.get("sheet"), problem.get("line"), problem.get("column"),
                           problem["message"]] for problem in upload.problems))


@login_required
@require_safe
def return_file(request, pk):
    upload = access.upload_or_404(request.user, pk)
    if upload.original is None:
        return HttpResponse("This file was too large to keep.", status=404, content_type="text/plain")
    response = HttpResponse(bytes(upload.original), content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{upload.pk}-{_safe_name(upload.filename)}"'
    return response


def _year_of_the_data(request, years: list[int], regions: set[str] | None) -> int:
    """The year the upload form offers first: that of the last template
    downloaded, else the newest with figures held for the user's regions."""
    remembered = request.get_signed_cookie(TEMPLATE_YEAR, default="", salt=TEMPLATE_YEAR,
                                           max_age=TEMPLATE_YEAR_SECONDS)
    for year in (int(remembered) if remembered.isdigit() else None,
                 queries.latest_year_with_figures(region_codes=regions)):
        if year in years:
            return year
    return years[0]


def _named_preview(upload) -> previews.Preview:
    organisation_codes, indicator_codes = previews.codes_in(upload.preview, shown_changes=SHOWN_CHANGES,
                                                            shown_new=SHOWN_NEW)
    organisation_names, indicator_names = queries.names_of(organisation_codes=organisation_codes,
                                                           indicator_codes=indicator_codes)
    return previews.present(upload.preview, organisation_names=organisation_names, indicator_names=indicator_names,
                            shown_changes=SHOWN_CHANGES, shown_new=SHOWN_NEW)


def _csv_response(filename: str, header: list[str], rows) -> HttpResponse:
    response = HttpResponse(csv_text(rows, header), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _safe_name(name: str) -> str:
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in name)[:100]
