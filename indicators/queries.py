"""Reads that feed the pure validators: plain data out of the database in a
fixed number of queries, however many organisations there are."""

from .models import Indicator, Organisation, OrganisationType, Region, Result
from .returns import IndicatorRef, OrganisationRef, ReturnsReference


def returns_reference() -> ReturnsReference:
    """Everything `returns.validate_return` needs to know: three queries."""
    organisations = {
        code: OrganisationRef(type_code, type_name, opened, closed)
        for code, type_code, type_name, opened, closed in Organisation.objects.values_list(
            "code", "type__code", "type__name", "opened", "closed")
    }
    type_codes: dict[str, set[str]] = {code: set() for code in Indicator.objects.values_list("code", flat=True)}
    for indicator_code, type_code in Indicator.organisation_types.through.objects.values_list(
            "indicator__code", "organisationtype__code"):
        type_codes[indicator_code].add(type_code)
    indicators = {code: IndicatorRef(frozenset(types)) for code, types in type_codes.items()}
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
