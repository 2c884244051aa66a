from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction

from . import access, actions
from .actions import reference_data
from .models import (Indicator, Organisation, OrganisationMembership, OrganisationType, Region, RegionMembership,
                     Result, ResultRevision, ReturnImport)
from .years import format_year


class YearFilter(admin.SimpleListFilter):
    title = "year"
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = model_admin.get_queryset(request).order_by().values_list("year", flat=True).distinct()
        return [(year, format_year(year)) for year in sorted(set(years), reverse=True)]

    def queryset(self, request, queryset):
        return queryset.filter(year=self.value()) if self.value() else queryset


class AdminsOnly:
    """For admins (superusers) alone, whatever model permissions a staff member
    has been given: who may upload which region's returns, who is an admin, and
    every region's uploads and figures, published or not."""

    def has_view_permission(self, request, obj=None):
        return access.is_admin(request.user)

    def has_add_permission(self, request, *args):
        return access.is_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return access.is_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return access.is_admin(request.user)


class ReadOnlyModelAdmin(AdminsOnly, admin.ModelAdmin):
    """For records that change only through actions (imports, recalculations),
    so that each keeps its provenance: viewable by admins, never edited here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "area"]
    list_filter = ["area"]
    search_fields = ["code", "name"]


@admin.register(OrganisationType)
class OrganisationTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "plural_name"]
    search_fields = ["code", "name"]


class RefusesWhatTheImporterRefuses(forms.ModelForm):
    """A form whose problems are the action's (`problems`), so that the admin
    refuses what the importer refuses, in the same words."""

    def problems(self, values: dict) -> dict[str, list[tuple[str, str]]]:
        raise NotImplementedError

    def clean(self):
        cleaned = super().clean()
        for field, problems in self.problems(cleaned).items():
            for message, code in problems:
                self.add_error(field if field in self.fields else None, ValidationError(message, code=code))
        return cleaned


class OrganisationForm(RefusesWhatTheImporterRefuses):
    """An organisation held keeps its type, and its region (uploads are checked
    and locked by the regions of their rows' organisations)."""

    class Meta:
        model = Organisation
        fields = "__all__"

    def problems(self, values):
        held = self.instance if self.instance.pk is not None else None
        return reference_data.organisation_problems(held=held, **{name: values.get(name) for name in (
            "code", "type", "region", "opened", "closed", "successor")})


class IndicatorForm(RefusesWhatTheImporterRefuses):
    class Meta:
        model = Indicator
        fields = "__all__"

    def problems(self, values):
        return reference_data.indicator_problems(**{name: values.get(name) for name in (
            "code", "kind", "domain", "weight", "core_threshold", "adjust_for_deprivation")})


class DeletesOneByOne:
    """"Delete selected" deletes each through `delete_model`, so through its action."""

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(Organisation)
class OrganisationAdmin(DeletesOneByOne, admin.ModelAdmin):
    """Adds, changes and deletions go through the actions: checked as the importer
    checks, and written to the audit log."""

    form = OrganisationForm
    list_display = ["code", "name", "type", "region", "opened_display", "closed_display", "successor"]
    list_filter = ["type", "region__area", "region"]
    search_fields = ["code", "name"]
    list_select_related = ["type", "region", "successor"]
    autocomplete_fields = ["successor"]

    def save_model(self, request, obj, form, change):
        actions.save_organisation(organisation=obj, user=request.user)

    def delete_model(self, request, obj):
        actions.delete_organisation(organisation=obj, user=request.user)

    @admin.display(description="opened", ordering="opened")
    def opened_display(self, obj):
        return format_year(obj.opened) if obj.opened else "—"

    @admin.display(description="closed", ordering="closed")
    def closed_display(self, obj):
        return format_year(obj.closed) if obj.closed else "—"


@admin.register(Indicator)
class IndicatorAdmin(DeletesOneByOne, admin.ModelAdmin):
    """Adds, changes and deletions go through the actions, as for organisations."""

    form = IndicatorForm
    # Its identity, then its latest definition (which saving changes: a year's
    # definitions are edited from the ratings workflow's year page).
    fields = ["code", "name", "description", "unit", "kind", "domain", "direction", "weight", "organisation_types",
              "adjust_for_deprivation", "core_threshold", "source"]
    list_display = ["code", "name", "kind", "domain", "direction", "weight", "core_threshold",
                    "adjust_for_deprivation"]
    list_filter = ["kind", "domain", "direction", "adjust_for_deprivation", "organisation_types"]
    search_fields = ["code", "name", "description"]
    filter_horizontal = ["organisation_types"]

    def save_model(self, request, obj, form, change):
        actions.save_indicator(indicator=obj, organisation_types=form.cleaned_data["organisation_types"],
                               user=request.user)

    def save_related(self, request, form, formsets, change):
        # The organisation types were saved with the indicator, by the action.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request, obj):
        actions.delete_indicator(indicator=obj, user=request.user)


class ResultRevisionInline(AdminsOnly, admin.TabularInline):
    model = ResultRevision
    fk_name = "result"
    fields = ["value", "numerator", "denominator", "source_import", "superseded_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Result)
class ResultAdmin(ReadOnlyModelAdmin):
    """Read-only: values change only through imports, so each keeps its provenance."""

    list_display = ["organisation", "indicator", "year_display", "value", "numerator", "denominator",
                    "source_import"]
    list_filter = [YearFilter, "indicator__domain", "organisation__type", "organisation__region", "indicator"]
    search_fields = ["organisation__code", "organisation__name", "indicator__code"]
    list_select_related = ["organisation", "indicator", "source_import"]
    inlines = [ResultRevisionInline]
    show_full_result_count = False

    @admin.display(description="year", ordering="year")
    def year_display(self, obj):
        return format_year(obj.year)


@admin.register(ReturnImport)
class ReturnImportAdmin(ReadOnlyModelAdmin):
    list_display = ["filename", "channel", "created_at", "created_by", "synthetic", "rows", "new_values",
                    "changed_values", "unchanged_values"]
    list_filter = ["channel", "synthetic"]
    search_fields = ["filename"]
    date_hierarchy = "created_at"


class RegionMembershipInline(AdminsOnly, admin.TabularInline):
    model = RegionMembership
    fk_name = "user"
    fields = ["region"]
    extra = 1
    verbose_name = "region whose returns they upload"
    verbose_name_plural = "Region memberships: the regions whose returns they upload"


class OrganisationMembershipInline(AdminsOnly, admin.TabularInline):
    model = OrganisationMembership
    fk_name = "user"
    fields = ["organisation"]
    autocomplete_fields = ["organisation"]
    extra = 1
    verbose_name = "organisation they are staff of"
    verbose_name_plural = ("Organisation memberships: the organisations whose draft report cards they see "
                           "in a fact-check window")


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class UserWithRegionsAdmin(AdminsOnly, UserAdmin):
    """Django's user pages, with the regions a person uploads returns for.
    Grants and removals go through the actions, so each is audited. For admins
    alone: anyone who may edit users or groups may make themselves an admin."""

    inlines = [RegionMembershipInline, OrganisationMembershipInline]

    def save_formset(self, request, form, formset, change):
        if formset.model in (RegionMembership, OrganisationMembership):
            save_memberships(formset, member=form.instance, user=request.user)
        else:
            super().save_formset(request, form, formset, change)

    # Deleting a person takes their regions and organisations first, through the actions, so the log says so.
    @transaction.atomic
    def delete_model(self, request, obj):
        actions.remove_every_region_membership(member=obj, user=request.user)
        actions.remove_every_organisation_membership(member=obj, user=request.user)
        super().delete_model(request, obj)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        for member in queryset:
            actions.remove_every_region_membership(member=member, user=request.user)
            actions.remove_every_organisation_membership(member=member, user=request.user)
        super().delete_queryset(request, queryset)


admin.site.unregister(Group)


@admin.register(Group)
class AdminsOnlyGroupAdmin(AdminsOnly, GroupAdmin):
    pass


def save_memberships(formset, *, member, user) -> None:
    """A region or organisation memberships inline's additions, removals and
    changes, as audited grants and removals: every removal first, so that two
    rows swapping regions (or organisations) end with both."""
    model = formset.model
    field, grant, remove = {
        RegionMembership: ("region", actions.grant_region_membership, actions.remove_region_membership),
        OrganisationMembership: ("organisation", actions.grant_organisation_membership,
                                 actions.remove_organisation_membership),
    }[model]
    formset.save(commit=False)
    removed = [getattr(membership, field) for membership in formset.deleted_objects]
    granted = [getattr(membership, field) for membership in formset.new_objects]
    for membership, _ in formset.changed_objects:
        removed.append(getattr(model.objects.select_related(field).get(pk=membership.pk), field))
        granted.append(getattr(membership, field))
    for held in removed:
        remove(member=member, **{field: held}, user=user)
    for held in granted:
        grant(member=member, **{field: held}, user=user)


@admin.register(OrganisationMembership)
class OrganisationMembershipAdmin(AdminsOnly, admin.ModelAdmin):
    """Every organisation's staff on one page; grants and removals are audited."""

    list_display = ["user", "organisation"]
    list_filter = ["organisation__type", "organisation__region"]
    search_fields = ["user__username", "organisation__code", "organisation__name"]
    list_select_related = ["user", "organisation"]
    autocomplete_fields = ["user", "organisation"]

    def save_model(self, request, obj, form, change):
        if change:
            held = OrganisationMembership.objects.select_related("user", "organisation").get(pk=obj.pk)
            actions.remove_organisation_membership(member=held.user, organisation=held.organisation,
                                                   user=request.user)
        obj.pk = actions.grant_organisation_membership(member=obj.user, organisation=obj.organisation,
                                                       user=request.user).pk

    def delete_model(self, request, obj):
        actions.remove_organisation_membership(member=obj.user, organisation=obj.organisation, user=request.user)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        for membership in queryset.select_related("user", "organisation"):
            actions.remove_organisation_membership(member=membership.user, organisation=membership.organisation,
                                                   user=request.user)


@admin.register(RegionMembership)
class RegionMembershipAdmin(AdminsOnly, admin.ModelAdmin):
    """Every region's staff on one page; grants and removals are audited."""

    list_display = ["user", "region"]
    list_filter = ["region"]
    search_fields = ["user__username", "region__code", "region__name"]
    list_select_related = ["user", "region"]
    autocomplete_fields = ["user"]

    def save_model(self, request, obj, form, change):
        if change:
            held = RegionMembership.objects.select_related("user", "region").get(pk=obj.pk)
            actions.remove_region_membership(member=held.user, region=held.region, user=request.user)
        obj.pk = actions.grant_region_membership(member=obj.user, region=obj.region, user=request.user).pk

    def delete_model(self, request, obj):
        actions.remove_region_membership(member=obj.user, region=obj.region, user=request.user)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        for membership in queryset.select_related("user", "region"):
            actions.remove_region_membership(member=membership.user, region=membership.region, user=request.user)
