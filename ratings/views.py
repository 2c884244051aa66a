"""The admin workflow: a year's method, draft runs computed in the background,
comparisons, publication (now or scheduled), withdrawal and correction, and
the organisations needing intervention. Admins (superusers) only; nothing
writes on GET."""

from functools import wraps

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from indicators import actions as indicator_actions
from indicators import queries as indicator_queries
from indicators.access import is_admin
from indicators.definitions import format_from_year
from indicators.forms import DefinitionForm
from indicators.times import uk_time
from indicators.years import format_year

from . import actions, queries, staleness
from .parameters import SchemeParameters
from .attachments import attachment_response
from .forms import FactCheckWindowForm, ParametersForm, PublishForm, ResolveChallengeForm, SchemeForm, WithdrawForm
from .models import RatingRun, RatingScheme


def admin_page(view):
    """The admin site's sign-in (and its staff check, CSRF and no-cache), then admins only."""
    @wraps(view)
    def checked(request, *args, **kwargs):
        if not is_admin(request.user):
            raise PermissionDenied("Only admins can manage ratings.")
        return view(request, *args, **kwargs)
    return admin.site.admin_view(checked)


def _render(request, template, title, context, status=200):
    return TemplateResponse(request, f"ratings/admin/{template}",
                            {**admin.site.each_context(request), "title": title, **context}, status=status)


@admin_page
def workflow(request):
    years = queries.years()
    statuses = {}
    for year, status in RatingRun.objects.filter(year__in=years).values_list("year", "status"):
        statuses.setdefault(year, {}).setdefault(status, 0)
        statuses[year][status] += 1
    rows = [{"year": year, "label": format_year(year), "statuses": statuses.get(year, {})} for year in years]
    return _render(request, "workflow.html", "Ratings: years", {"rows": rows})


@admin_page
def year_page(request, year):
    overview = queries.year_overview(year)
    return _render(request, "year.html", f"Ratings for {format_year(year)}",
                   {"year": year, "year_label": format_year(year), **overview,
                    "drafts": [run for run in overview["runs"] if run.is_draft],
                    "definitions": indicator_queries.definitions_in_force(year),
                    "stale": staleness.stale_published_runs(year)})


@admin_page
def definition(request, year, code):
    """An indicator's definition for the year: saving it defines the indicator
    from this year on (changing the definition from this year, if there is one)."""
    in_force = next((d for d in indicator_queries.definitions_in_force(year) if d.indicator.code == code), None)
    if in_force is None:
        raise Http404(f"{code} has no definition in force in {format_year(year)}.")
    form = DefinitionForm.of(in_force, request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            saved = indicator_actions.define_for_year(
                indicator=in_force.indicator, year=year, values=form.values(),
                organisation_types=form.cleaned_data["organisation_types"], user=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{code} is now defined {format_from_year(year)}: recalculate "
                                      f"{format_year(year)} to rate with it." if saved else
                             f"{code}'s definition for {format_year(year)} is unchanged.")
            return redirect("ratings_admin:year", year=year)
    return _render(request, "definition.html", f"{in_force.indicator} in {format_year(year)}",
                   {"year": year, "year_label": format_year(year), "definition": in_force, "form": form,
                    "applies": format_from_year(in_force.from_year)})


@admin_page
@require_POST
def recalculate(request, year):
    try:
        recalculation, created = actions.request_recalculation(year=year, user=request.user)
    except actions.RecalculationError as error:
        messages.error(request, f"{format_year(year)} cannot be recalculated: {error}")
        return redirect("ratings_admin:year", year=year)
    if not created:
        messages.info(request, f"{format_year(year)} was already being recalculated (asked for by "
                               f"{recalculation.requested_by or 'the command line'}): this is its progress.")
    return redirect("ratings_admin:recalculation", pk=recalculation.pk)


@admin_page
def scheme(request, year):
    """The year's method: the form; saved through the action (validated,
    audited), then back to the year's page."""
    current = RatingScheme.objects.filter(year=year).first()
    parameters = current.parameters() if current else SchemeParameters()
    form = SchemeForm(request.POST or None, initial=SchemeForm.initial_from(parameters))
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_scheme(year=year, values=form.cleaned_data["parameters"].as_dict(), user=request.user)
        except ValidationError as error:  # what only the database knows, such as the deprivation indicator
            for name, messages_ in error.message_dict.items():
                form.add_error(name if name in form.fields else None, messages_)
        else:
            messages.success(request, f"The {format_year(year)} method is saved. Recalculate to rate with it.")
            return redirect("ratings_admin:year", year=year)
    return _render(request, "scheme.html", f"The {format_year(year)} method",
                   {"year": year, "year_label": format_year(year), "form": form, "scheme": current},
                   status=400 if form.errors else 200)


@admin_page
@require_POST
def delete_scheme(request, year):
    try:
        actions.delete_scheme(year=year, user=request.user)
    except actions.RecalculationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"The {format_year(year)} method is deleted: recalculations use the defaults.")
    return redirect("ratings_admin:year", year=year)


@admin_page
@require_POST
def copy_method(request, year):
    try:
        actions.copy_scheme(from_year=year - 1, to_year=year, user=request.user)
    except Exception as error:  # a missing source year, or a validation error naming the parameter
        messages.error(request, f"Could not copy the {format_year(year - 1)} method: {error}")
    else:
        messages.success(request, f"{format_year(year)} now uses the {format_year(year - 1)} method's parameters.")
    return redirect("ratings_admin:year", year=year)


@admin_page
def recalculation(request, pk):
    recalculation = queries.recalculation_or_404(pk)
    runs = list(recalculation.runs.select_related("organisation_type").order_by("organisation_type__code"))
    chunks = queries.certainty_progress(runs)
    for run in runs:
        run.chunks_done, run.chunks_total = chunks.get(run.pk, (0, 0))
    return _render(request, "recalculation.html", f"Recalculation of {format_year(recalculation.year)}",
                   {"recalculation": recalculation, "runs": runs,
                    "certainty_pending": any(run.certainty_state == "pending" for run in runs)})


@admin_page
def recalculation_progress(request, pk):
    return _progress(queries.recalculation_or_404(pk))


def _progress(work):
    return JsonResponse({"status": work.status, "status_label": work.get_status_display(), "step": work.step,
                         "sentence": work.progress_sentence,
                         "steps_done": work.steps_done, "steps_total": work.steps_total,
                         "percent": work.percent_done, "error": work.error, "active": work.is_active,
                         "stale": work.is_stale})


@admin_page
@require_POST
def recalculation_mark_failed(request, pk):
    _mark_failed(request, queries.recalculation_or_404(pk), "The year can be recalculated again.")
    return redirect("ratings_admin:recalculation", pk=pk)


def _mark_failed(request, work, then: str) -> None:
    try:
        actions.mark_failed(work=work, user=request.user)
    except actions.RecalculationError as error:
        messages.error(request, f"Not marked failed: {error}")
    else:
        messages.success(request, f"Marked failed. {then}")


def _comparison_tables(comparison) -> list:
    if comparison is None:
        return []
    return [("By type", [*comparison.by_type, comparison.totals]), ("By region", comparison.by_region),
            ("By type and region", comparison.by_type_and_region)]


BASELINES = {"published": "the published ratings", "previous": "last year's published ratings"}


@admin_page
def compare(request, year):
    baseline = request.GET.get("against", "published")
    if baseline not in BASELINES:
        baseline = "published"
    ids = [int(value) for value in request.GET.getlist("runs") if value.isdigit()]
    after = queries.runs_by_id(year, ids) if ids else queries.latest_drafts(year)
    before = queries.published_run_list(year - 1 if baseline == "previous" else year)
    comparison = None
    if after:
        before_label = (f"{format_year(year - 1)} published" if baseline == "previous"
                        else f"{format_year(year)} published")
        after_label = ", ".join(f"{run.organisation_type.code} run {run.pk} ({run.get_status_display().lower()})"
                                for run in after)
        from . import admin_comparisons  # pandas: only when an admin compares (see ratings.actions)

        comparison = admin_comparisons.runs_comparison(before=before, after=after, before_label=before_label,
                                                 after_label=after_label)
    return _render(request, "compare.html", f"Compare ratings for {format_year(year)}",
                   {"year": year, "year_label": format_year(year), "comparison": comparison, "after": after,
                    "before": before, "baseline": baseline, "baselines": BASELINES,
                    "count_tables": _comparison_tables(comparison)})


@admin_page
def what_if(request, year):
    """The form; sent, it queues the what-if for the worker and opens its page."""
    scheme = RatingScheme.objects.filter(year=year).first() or RatingScheme(year=year)
    form = ParametersForm(request.POST or None, initial=ParametersForm.initial_from(scheme.parameters()))
    if request.method == "POST" and form.is_valid():
        what_if = actions.request_what_if(year=year, parameters=form.cleaned_data["parameters"], user=request.user)
        return redirect("ratings_admin:what_if_result", pk=what_if.pk)
    return _render(request, "what_if.html", f"What if: {format_year(year)} under other parameters",
                   {"year": year, "year_label": format_year(year), "form": form, "comparison": None,
                    "scheme": scheme, "recent": queries.recent_what_ifs(year)},
                   status=400 if form.errors else 200)


@admin_page
def what_if_result(request, pk):
    what_if = queries.what_if_or_404(pk)
    comparison = queries.what_if_comparison(what_if)
    form = ParametersForm(initial=ParametersForm.initial_from(SchemeParameters.from_dict(what_if.parameters)))
    return _render(request, "what_if.html", f"What if: {format_year(what_if.year)} under other parameters",
                   {"year": what_if.year, "year_label": format_year(what_if.year), "form": form,
                    "what_if": what_if, "comparison": comparison, "count_tables": _comparison_tables(comparison),
                    "recent": queries.recent_what_ifs(what_if.year)})


@admin_page
def what_if_progress(request, pk):
    return _progress(queries.what_if_or_404(pk))


@admin_page
@require_POST
def what_if_mark_failed(request, pk):
    _mark_failed(request, queries.what_if_or_404(pk), "Try it again from the form.")
    return redirect("ratings_admin:what_if_result", pk=pk)


@admin_page
def publish(request, pk):
    run = queries.run_or_404(pk)
    form = PublishForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            run = actions.publish_run(run=run, user=request.user, at=form.cleaned_data["at"],
                                      note=form.cleaned_data["note"],
                                      open_challenges_reason=form.cleaned_data["open_challenges_reason"])
        except actions.RecalculationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _published_message(run))
            return redirect("ratings_admin:year", year=run.year)
    return _render(request, "publish.html", f"Publish {run.organisation_type.code} {format_year(run.year)} run "
                                            f"{run.pk}", {"runs": [run], "year": run.year, "form": form,
                                                          "published": queries.published_run_list(run.year)},
                   status=400 if form.errors else 200)


@admin_page
def publish_year(request, year):
    drafts = queries.latest_drafts(year)
    form = PublishForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and drafts:
        try:
            runs = actions.publish_runs(runs=drafts, user=request.user, at=form.cleaned_data["at"],
                                        note=form.cleaned_data["note"],
                                        open_challenges_reason=form.cleaned_data["open_challenges_reason"])
        except actions.RecalculationError as error:
            form.add_error(None, str(error))
        else:
            for run in runs:
                messages.success(request, _published_message(run))
            return redirect("ratings_admin:year", year=year)
    return _render(request, "publish.html", f"Publish the {format_year(year)} drafts",
                   {"runs": drafts, "year": year, "form": form, "published": queries.published_run_list(year)},
                   status=400 if form.errors else 200)


def _published_message(run: RatingRun) -> str:
    label = f"{run.organisation_type.code} {format_year(run.year)} run {run.pk}"
    if run.is_scheduled:
        return (f"{label} is scheduled: the public will see it from "
                f"{uk_time(run.published_at)}, and nothing of it before.")
    return f"{label} is published" + (" as a correction." if run.revision_note else ".")


@admin_page
def withdraw(request, pk):
    run = queries.run_or_404(pk)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            run = actions.withdraw_run(run=run, user=request.user, reason=form.cleaned_data["reason"])
        except actions.RecalculationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{run.organisation_type.code} {format_year(run.year)} run {run.pk} is "
                                      f"withdrawn: the public sees the notice instead.")
            return redirect("ratings_admin:year", year=run.year)
    return _render(request, "withdraw.html", f"Withdraw {run.organisation_type.code} {format_year(run.year)} run "
                                             f"{run.pk}", {"run": run, "form": form},
                   status=400 if form.errors else 200)


@admin_page
def interventions(request):
    return _render(request, "interventions.html", "Organisations needing intervention",
                   {"interventions": queries.interventions(),
                    "audit_url": reverse("admin:ratings_auditentry_changelist")})


@admin_page
def fact_check_windows(request, year):
    """The year's fact-check windows, and the form that opens one."""
    form = FactCheckWindowForm(request.POST or None, type_codes=queries.organisation_type_codes())
    if request.method == "POST" and form.is_valid():
        try:
            window = actions.open_window(year=year, closes_at=form.cleaned_data["closes_at"], user=request.user,
                                         type_codes=form.cleaned_data["types"] or None)
        except actions.FactCheckError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"The fact-check window of {format_year(year)} is open until "
                                      f"{uk_time(window.closes_at)}; the organisations' staff have been emailed.")
            return redirect("ratings_admin:fact_check_window", pk=window.pk)
    return _render(request, "fact_check_windows.html", f"Fact-check windows of {format_year(year)}",
                   {"year": year, "form": form, "windows": queries.fact_check_windows(year)},
                   status=400 if form.errors else 200)


@admin_page
def fact_check_window(request, pk):
    window = queries.fact_check_window_or_404(pk)
    return _render(request, "fact_check_window.html", f"{window}",
                   {"window": window, "year": window.year, "is_open": window.is_open(),
                    "challenges": queries.challenges_of_window(window)})


@admin_page
@require_POST
def fact_check_close(request, pk):
    window = queries.fact_check_window_or_404(pk)
    if actions.close_window(window=window, user=request.user):
        messages.success(request, f"{window} is closed; the organisations' staff have been emailed.")
    else:
        messages.info(request, f"{window} was already closed.")
    return redirect("ratings_admin:fact_check_window", pk=window.pk)


def resolved_message(challenge) -> str:
    return f"Challenge {challenge.pk}: {challenge.outcome()} {challenge.created_by} has been emailed."


@admin_page
def challenge(request, pk):
    """A challenge, and the form that accepts or rejects it."""
    found = queries.challenge_or_404(pk)
    form = ResolveChallengeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            found = actions.resolve_challenge(
                challenge=found, user=request.user, accept=form.cleaned_data["decision"] == "accept",
                resolution=form.cleaned_data["resolution"], numerator=form.cleaned_data["numerator"],
                denominator=form.cleaned_data["denominator"])
        except actions.FactCheckError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        except ValidationError as error:
            form.add_error(None, actions.describe_error(error))
        else:
            messages.success(request, resolved_message(found))
            return redirect("ratings_admin:fact_check_window", pk=found.window_id)
    return _render(request, "challenge.html", f"Challenge {found.pk}: {found.organisation.name}",
                   {"challenge": found, "year": found.window.year, "form": form},
                   status=400 if form.errors else 200)


@admin_page
def challenge_attachment(request, pk):
    return attachment_response(queries.challenge_or_404(pk))
