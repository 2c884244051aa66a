"""Reads that feed the pure validators: plain data out of the database in a
fixed number of queries, however many organisations there are."""

from django.db.models import Max

from .models import Indicator, IndicatorDefinition, Organisation, OrganisationType, Region, Result
from .years import format_year
from .returns import IndicatorRef, OrganisationRef, ReturnsReference


def returns_reference() -> ReturnsReference:
    """Everything `returns.validate_return` needs to know: four queries."""
    organisations = {
        code: OrganisationRef(type_code, type_name, opened, closed)
        for code, type_code, type_name, opened, closed in Organisation.objects.values_list(
            "code", "type__code", "type__name", "opened", "closed")
    }
    # Each indicator's definitions' types by year: a row is checked against its year's definition.
    by_year: dict[str, dict[int, set[str]]] = {code: {} for code in Indicator.objects.values_list("code", flat=True)}
    for indicator_code, from_year, type_code in IndicatorDefinition.organisation_types.through.objects.values_list(
            "indicatordefinition__indicator__code", "indicatordefinition__from_year", "organisationtype__code"):
        by_year[indicator_code].setdefault(from_year, set()).add(type_code)
    # And each one's measure by year: a proportion's or rate's value is checked against its counts.
    measures: dict[str, list[tuple[int, str, float | None]]] = {code: [] for code in by_year}
    for indicator_code, from_year, measure, multiplier in IndicatorDefinition.objects.order_by(
            "from_year").values_list("indicator__code", "from_year", "measure", "multiplier"):
        measures[indicator_code].append((from_year, measure, multiplier))
    indicators = {}
    for code, definitions in by_year.items():
        ordered = tuple((from_year, frozenset(types)) for from_year, types in sorted(definitions.items()))
        indicators[code] = IndicatorRef(ordered[-1][1] if ordered else frozenset(), ordered, tuple(measures[code]))
    return ReturnsReference(organisations=organisations, indicators=indicators)


def organisation_file_context() -> dict:
    """What `reference_files.validate_organisations` needs: three queries."""
    region_codes = {}
    for code, name in Region.objects.values_list("code", "name"):
        region_codes[code.lower()] = code
        region_codes[name.lower()] = code
    return {
        "type_codes": set(OrganisationType.objects.values_list("code", flat=True)),
        "region_codes": region_codes,
        "existing": {code: (type_code, region_code) for code, type_code, region_code in
                     Organisation.objects.values_list("code", "type__code", "region__code")},
    }


def organisation_type_codes() -> set[str]:
    return set(OrganisationType.objects.values_list("code", flat=True))


def is_synthetic_data_present() -> bool:
    """True when any value on the site came from a synthetic (demo) import."""
    return Result.objects.filter(source_import__synthetic=True).exists()


def organisation_regions() -> dict[str, str]:
    """Organisation code -> region code: one query."""
    return dict(Organisation.objects.values_list("code", "region__code"))


def return_years() -> list[int]:
    """Years to offer for an upload: those with figures held, and the year after, newest first."""
    years = set(Result.objects.order_by().values_list("year", flat=True).distinct())
    if years:
        years.add(max(years) + 1)
    return sorted(years, reverse=True) or [2000]


def region_names(codes: set[str] | None) -> list[str]:
    regions = Region.objects.order_by("name")
    if codes is not None:
        regions = regions.filter(code__in=codes)
    return list(regions.values_list("name", flat=True))


# The return format's columns, with each code's name beside it for the person
# filling it in; the returns parser ignores the two name columns.
TEMPLATE_COLUMNS = ["organisation_code", "organisation_name", "indicator_code", "indicator_name", "year", "value",
                    "numerator", "denominator"]


def template_rows(*, year: int, region_codes: set[str] | None) -> list[list]:
    """TEMPLATE_COLUMNS: one row per organisation open in the year (in the regions,
    or all) and indicator applicable to its type in the year, with any value held: three queries."""
    organisations = Organisation.objects.open_in(year)
    if region_codes is not None:
        organisations = organisations.filter(region__code__in=region_codes)
    organisations = list(organisations.order_by("code").values_list("id", "code", "name", "type_id"))
    by_type: dict[int, list[tuple[int, str, str]]] = {}
    # The types each indicator applies to in the year: its definition in force then.
    for indicator_id, code, name, type_id in IndicatorDefinition.organisation_types.through.objects.filter(
            indicatordefinition__in=IndicatorDefinition.objects.in_force(year)).values_list(
            "indicatordefinition__indicator_id", "indicatordefinition__indicator__code",
            "indicatordefinition__indicator__name", "organisationtype_id").order_by("indicatordefinition__indicator__code"):
        by_type.setdefault(type_id, []).append((indicator_id, code, name))
    held = {(org, ind): (value, numerator, denominator) for org, ind, value, numerator, denominator in
            Result.objects.filter(year=year, organisation_id__in=[o[0] for o in organisations])
            .values_list("organisation_id", "indicator_id", "value", "numerator", "denominator")}
    shown_year = format_year(year)
    return [[org_code, org_name, ind_code, ind_name, shown_year, *held.get((org_id, ind_id), (None, None, None))]
            for org_id, org_code, org_name, type_id in organisations
            for ind_id, ind_code, ind_name in by_type.get(type_id, [])]


def latest_year_with_figures(*, region_codes: set[str] | None) -> int | None:
    """The newest year with any value held for an organisation of the regions (all, for None): one query."""
    results = Result.objects.all()
    if region_codes is not None:
        results = results.filter(organisation__region__code__in=region_codes)
    return results.aggregate(latest=Max("year"))["latest"]


def names_of(*, organisation_codes: set[str], indicator_codes: set[str]) -> tuple[dict[str, str], dict[str, str]]:
    """Organisation and indicator names by code: two queries however many codes."""
    return _names(Organisation, organisation_codes), _names(Indicator, indicator_codes)


# Past this many codes, read every name rather than list them all in one
# query (SQLite caps a query's parameters; reading every name is cheap).
FEW_CODES = 900


def _names(model, codes: set[str]) -> dict[str, str]:
    rows = model.objects.filter(code__in=codes) if len(codes) <= FEW_CODES else model.objects.all()
    return dict(rows.order_by().values_list("code", "name"))


def definitions_in_force(year: int) -> list[IndicatorDefinition]:
    """The year's definitions with their indicators and types, by kind and code: two queries."""
    return list(IndicatorDefinition.objects.in_force(year).select_related("indicator")
                .prefetch_related("organisation_types").order_by("-kind", "indicator__code"))
