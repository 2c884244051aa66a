from django.contrib import admin

from .models import Indicator, Organisation, OrganisationType, Region, Result, ResultRevision, ReturnImport
from .years import format_year


class YearFilter(admin.SimpleListFilter):
    title = "year"
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = model_admin.get_queryset(request).order_by().values_list("year", flat=True).distinct()
        return [(year, format_year(year)) for year in sorted(set(years), reverse=True)]

    def queryset(self, request, queryset):
        return queryset.filter(year=self.value()) if self.value() else queryset


class ReadOnlyModelAdmin(admin.ModelAdmin):
    """For records that change only through actions (imports, recalculations),
    so that each keeps its provenance: viewable, never edited here."""

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


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "type", "region", "opened_display", "closed_display", "successor"]
    list_filter = ["type", "region__area", "region"]
    search_fields = ["code", "name"]
    list_select_related = ["type", "region", "successor"]
    autocomplete_fields = ["successor"]

    @admin.display(description="opened", ordering="opened")
    def opened_display(self, obj):
        return format_year(obj.opened) if obj.opened else "—"

    @admin.display(description="closed", ordering="closed")
    def closed_display(self, obj):
        return format_year(obj.closed) if obj.closed else "—"


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "domain", "direction", "weight", "core_threshold",
                    "adjust_for_deprivation"]
    list_filter = ["kind", "domain", "direction", "adjust_for_deprivation", "organisation_types"]
    search_fields = ["code", "name", "description"]
    filter_horizontal = ["organisation_types"]


class ResultRevisionInline(admin.TabularInline):
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

