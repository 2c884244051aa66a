"""Organisation staff's fact-check pages. A draft is shown to its own
organisation's staff (memberships read at the moment of asking) and to
admins, while a window covering it is open and before the year and type are
published; to anyone else, and at any other time, its pages answer 404, so
that nothing can be learnt by probing."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from indicators.access import is_admin, staff_organisation_ids
from indicators.years import format_year
from ratings import actions
from ratings.actions.fact_checks import draft_run_for, open_window_for
from ratings.attachments import attachment_response

from .. import presenters, queries
from . import reads
from .forms import ChallengeForm


def _draft_or_404(request, code: str, year: int):
    """(organisation, window, draft run) the user may see now, or 404."""
    organisation = queries.organisation_by_code(code)
    if not (is_admin(request.user) or organisation.pk in staff_organisation_ids(request.user)):
        raise Http404("No draft report card for you here.")
    window = open_window_for(year, organisation)
    run = draft_run_for(window, organisation) if window else None
    if run is None:
        raise Http404("No fact-check window is open for this organisation and year.")
    return organisation, window, run


@login_required
@require_safe
def home(request):
    admin = is_admin(request.user)
    organisation_ids = staff_organisation_ids(request.user)
    if not admin and not organisation_ids:
        raise PermissionDenied("You are not registered as staff of any organisation.")
    return render(request, "fact_check/home.html", {
        "drafts": reads.open_drafts(organisation_ids), "challenges": reads.challenges_of(organisation_ids),
        "is_admin": admin})


@login_required
@require_safe
def card(request, code, year):
    organisation, window, run = _draft_or_404(request, code, year)
    data = queries.draft_card(organisation, run)
    return render(request, "public/report_card.html", {
        "card": presenters.report_card.card(data), "organisation": organisation, "draft": True,
        "window": window, "challenges": reads.challenges_of({organisation.pk}, year=year)})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def figures(request, code, year):
    organisation, window, run = _draft_or_404(request, code, year)
    if request.method == "POST" and organisation.pk not in staff_organisation_ids(request.user):
        raise PermissionDenied("Only the organisation's own staff can challenge its draft.")
    rows = reads.figures_behind(organisation, run)
    form = ChallengeForm(request.POST or None, request.FILES or None,
                         indicators=sorted({(row.indicator_code, row.indicator_name) for row in rows}),
                         years=[(y, format_year(y)) for y in (run.year, run.year - 1)],
                         initial=_initial(request.GET))
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["attachment"]
        try:
            made = actions.make_challenge(
                user=request.user, organisation=organisation, year=year, reason=form.cleaned_data["reason"],
                indicator_code=form.cleaned_data["indicator"] if form.cleaned_data["kind"] == "figure" else "",
                figure_year=form.cleaned_data["figure_year"], proposed_value=form.cleaned_data["proposed_value"],
                statement=form.cleaned_data["statement"],
                attachment=actions.Attachment(name=upload.name, content=upload.read()) if upload else None)
        except actions.FactCheckError as error:
            form.add_error("attachment" if upload and str(error).startswith(upload.name) else None, str(error))
        else:
            return redirect("fact_check:challenge", pk=made.pk)
    return render(request, "fact_check/figures.html", {
        "organisation": organisation, "year": year, "year_label": format_year(year), "window": window,
        "rows": rows, "form": form, "may_challenge": organisation.pk in staff_organisation_ids(request.user)},
        status=400 if form.errors else 200)


def _initial(query) -> dict:
    """A challenge form filled in from a figure's "Challenge" link."""
    initial = {name: query[name] for name in ("indicator", "figure_year") if query.get(name)}
    return {"kind": "figure", **initial} if initial else {}


def _challenge_or_404(request, pk: int):
    challenge = reads.challenge_or_404(pk)
    if not (is_admin(request.user) or challenge.organisation_id in staff_organisation_ids(request.user)):
        raise Http404("No such challenge.")
    return challenge


@login_required
@require_safe
def challenge(request, pk):
    found = _challenge_or_404(request, pk)
    return render(request, "fact_check/challenge.html", {"challenge": found, "year_label": format_year(found.window.year)})


@login_required
@require_safe
def attachment(request, pk):
    return attachment_response(_challenge_or_404(request, pk))
