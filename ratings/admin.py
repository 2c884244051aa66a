from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html

from indicators.admin import ReadOnlyModelAdmin
from indicators.years import format_year

from . import actions, bands
from .models import AuditEntry, BandConsequence, Rating, RatingRun, RatingScheme, Recalculation, WhatIf


@admin.register(RatingScheme)
class RatingSchemeAdmin(admin.ModelAdmin):
    list_display = ["year_display", "green_share", "red_core_failures", "missing_core_data", "improvement_weight",
                    "value_added", "min_coverage", "clip_z", "updated_at"]
    actions = ["recalculate", "copy_to_next_year"]

    @admin.display(description="year", ordering="year")
    def year_display(self, obj):
        return format_year(obj.year)

    # A year's method is edited on the workflow's form (`ratings_admin:scheme`: the year fixed, four domain
    # weights rather than JSON, saved through the action, then back to the year's page).
    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        return redirect("ratings_admin:workflow")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if not self.has_change_permission(request):
            raise PermissionDenied
        scheme = self.get_object(request, object_id)
        return redirect("ratings_admin:scheme", year=scheme.year) if scheme else redirect("ratings_admin:workflow")

    def has_delete_permission(self, request, obj=None):
        # Published ratings never lose their method (`actions.delete_scheme` refuses it too).
        if obj is not None and RatingRun.objects.filter(year=obj.year).exclude(status=RatingRun.Status.DRAFT).exists():
            return False
        return super().has_delete_permission(request, obj)

    def delete_model(self, request, obj):
        actions.delete_scheme(year=obj.year, user=request.user)

    def delete_queryset(self, request, queryset):
        for scheme in queryset:
            try:
                actions.delete_scheme(year=scheme.year, user=request.user)
            except actions.RecalculationError as error:
                self.message_user(request, str(error), messages.ERROR)

    @admin.action(description="Copy the selected years' method to the year after each")
    def copy_to_next_year(self, request, queryset):
        for scheme in queryset:
            try:
                actions.copy_scheme(from_year=scheme.year, to_year=scheme.year + 1, user=request.user)
            except Exception as error:  # a validation error names the parameter
                self.message_user(request, f"{format_year(scheme.year + 1)}: {error}", messages.ERROR)
                continue
            self.message_user(request, f"{format_year(scheme.year + 1)}: method copied from "
                                       f"{format_year(scheme.year)}.", messages.SUCCESS)

    @admin.action(description="Recalculate ratings for the selected years (as drafts, in the background)")
    def recalculate(self, request, queryset):
        for scheme in queryset:
            try:
                recalculation, created = actions.request_recalculation(year=scheme.year, user=request.user)
            except actions.RecalculationError as error:
                self.message_user(request, f"{format_year(scheme.year)}: {error}", messages.ERROR)
                continue
            progress = reverse("ratings_admin:recalculation", args=[recalculation.pk])
            self.message_user(request, format_html(
                '{}: {} <a href="{}">Follow its progress</a>.', format_year(scheme.year),
                "queued for the background worker." if created else "already being recalculated.", progress),
                messages.SUCCESS)


def _band_count(band):
    """A column of the runs list: how many of a run's ratings are in the band."""
    @admin.display(description=band.word, ordering=band.code)
    def count(obj):
        return getattr(obj, band.code)
    count.__name__ = band.code
    return count


@admin.register(RatingRun)
class RatingRunAdmin(ReadOnlyModelAdmin):
    """Read-only: runs are never edited after they are computed."""

    list_display = ["id", "year_display", "organisation_type", "status", "created_at", "created_by",
                    "published_at", "rated_count", *map(_band_count, bands.RATED), "engine_version"]
    list_filter = ["status", "organisation_type", "year"]
    list_select_related = ["organisation_type", "created_by"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            **{band: Count("ratings", filter=Q(ratings__band=band)) for band in bands.RATED_CODES})

    @admin.display(description="year", ordering="year")
    def year_display(self, obj):
        return format_year(obj.year)


@admin.register(Rating)
class RatingAdmin(ReadOnlyModelAdmin):
    list_display = ["organisation", "run", "band", "band_without_adjustment", "score", "rank",
                    "core_targets_failed"]
    list_filter = ["band", "run__organisation_type", "run__year", "run__status"]
    search_fields = ["organisation__code", "organisation__name"]
    list_select_related = ["organisation", "run__organisation_type"]
    show_full_result_count = False



@admin.register(BandConsequence)
class BandConsequenceAdmin(admin.ModelAdmin):
    list_display = ["title", "band", "consecutive_years", "position"]
    list_filter = ["band"]
    list_editable = ["consecutive_years", "position"]
    ordering = ["band", "consecutive_years", "position"]

    # Through the actions, so every change is validated the same way and audited.
    def save_model(self, request, obj, form, change):
        actions.save_consequence(consequence=obj, user=request.user)

    def delete_model(self, request, obj):
        actions.delete_consequence(consequence=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for consequence in queryset:
            actions.delete_consequence(consequence=consequence, user=request.user)


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyModelAdmin):
    list_display = ["at", "user", "action", "description"]
    list_filter = ["action", "year"]
    list_select_related = ["user"]
    search_fields = ["description"]


@admin.register(Recalculation)
class RecalculationAdmin(ReadOnlyModelAdmin):
    """Read-only: the background worker writes these; the workflow pages follow them."""

    list_display = ["id", "year", "status", "requested_by", "requested_at", "finished_at", "step", "error"]
    list_filter = ["status", "year"]
    list_select_related = ["requested_by"]


@admin.register(WhatIf)
class WhatIfAdmin(ReadOnlyModelAdmin):
    """Read-only: the background worker writes these; the what-if pages show them."""

    list_display = ["id", "year", "status", "requested_by", "requested_at", "finished_at", "step", "error"]
    list_filter = ["status", "year"]
    list_select_related = ["requested_by"]
    exclude = ["outcomes"]  # thousands of organisations: the what-if page reads it
