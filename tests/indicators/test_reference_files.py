"""Validating the regions, organisations and indicators files: no database."""

from indicators.reference_files import (
    IndicatorRow, OrganisationRow, RegionRow, validate_indicators, validate_organisations, validate_regions,
)
from indicators.spreadsheets import read_table

TYPES = {"HA", "TRUST", "PCG"}
REGION_CODES = {"ny": "NY", "northern and yorkshire": "NY", "ln": "LN", "london": "LN"}


def table(text):
    return read_table(text.encode(), "file.csv")


def located(problems):
    return [(p.line, p.column, p.message) for p in problems]


def test_regions_valid_and_invalid():
    rows, problems = validate_regions(table("code,name,area\nXX,Wessex,South\nYY,Mercia,Middle\nXX,Again,north\n"))
    assert rows == [RegionRow(2, "XX", "Wessex", "south")]
    assert located(problems) == [
        (3, "area", "'Middle' is not an area: use North, Midlands or South."),
        (4, "code", "Duplicate row: line 2 already gives the region 'XX'."),
    ]


def organisations(text, existing=None):
    return validate_organisations(table(text), type_codes=TYPES, region_codes=REGION_CODES,
                                  existing=existing or {})


def test_organisations_by_region_code_or_name_with_dates_and_successor():
    rows, problems = organisations(
        "code,name,type,region,opened,closed,successor\n"
        "RAA,Old Trust,TRUST,Northern and Yorkshire,,1998-99,RAB\n"
        "rab,New Trust,trust,ny,1999-00,,\n")
    assert problems == []
    assert rows == [
        OrganisationRow(2, "RAA", "Old Trust", "TRUST", "NY", None, 1998, "RAB"),
        OrganisationRow(3, "RAB", "New Trust", "TRUST", "NY", 1999, None, None),
    ]


def test_organisations_optional_columns_may_be_absent():
    rows, problems = organisations("code,name,type,region\nQ01,Leeds HA,HA,LN\n")
    assert problems == [] and rows[0].opened is None and rows[0].successor_code is None


def test_organisation_rules():
    _, problems = organisations(
        "code,name,type,region,opened,closed,successor\n"
        "RAA,,CLINIC,Mars,2001,1999,RAA\n"
        "RAB,B,TRUST,NY,,,NOPE\n"
        "RAC,C,HA,NY,,,\n"
        "RAD,D,TRUST,LN,,,\n",
        existing={"RAC": ("TRUST", "NY"), "RAD": ("TRUST", "NY")})
    assert located(problems) == [
        (2, "name", "The name is missing."),
        (2, "type", "'CLINIC' is not a known organisation type code (HA, PCG, TRUST)."),
        (2, "region", "'Mars' is not a known region code or name."),
        (2, "closed", "It closes (1999-00) before it opens (2001-02)."),
        (2, "successor", "An organisation cannot be its own successor."),
        (3, "successor", "'NOPE' is not a known organisation code."),
        (4, "type", "RAC is held as type TRUST; re-importing cannot change its type (open a new organisation "
                    "and name it as the successor)."),
        (5, "region", "RAD is held in region NY; re-importing cannot move it to another region."),
    ]


def test_organisations_missing_column():
    _, problems = organisations("code,name,region\nQ01,Leeds,NY\n")
    assert located(problems) == [(1, "type", "The required column 'type' is missing. The columns are: code, "
                                             "name, type, region, and optionally opened, closed, successor.")]


INDICATOR_HEADER = "code,name,kind,domain,direction,organisation_types,weight,core_threshold,adjust_for_deprivation\n"


def test_indicators_valid():
    rows, problems = validate_indicators(table(
        INDICATOR_HEADER
        + "ip18m,Waits,performance,Access,lower_better,HA; TRUST,,0,no\n"
        + "DEPRIVATION,Deprivation,context,,,HA;TRUST;PCG,,,\n"), type_codes=TYPES)
    assert problems == []
    assert rows[0] == IndicatorRow(2, "IP18M", "Waits", "performance", "access", "lower_better", ("HA", "TRUST"),
                                   1.0, 0.0, False, "", "", "")
    assert rows[1].kind == "context" and rows[1].domain == "" and rows[1].direction == "higher_better"


def test_indicator_rules():
    _, problems = validate_indicators(table(
        INDICATOR_HEADER
        + "A,a,metric,quality,higher_better,HA,1,,\n"
        + "B,b,performance,speed,upwards,HA,1,,\n"
        + "C,c,performance,quality,higher_better,,0,,maybe\n"
        + "D,d,context,quality,higher_better,CLINIC,1,5,\n"
        + "E,e,performance,quality,higher_better,HA,heavy,,\n"), type_codes=TYPES)
    assert located(problems) == [
        (2, "kind", "'metric' is not a kind: use performance or context."),
        (3, "domain", "'speed' is not a domain: use quality, efficiency, access, patient_experience."),
        (3, "direction", "'upwards' is not a direction: use higher_better or lower_better."),
        (4, "organisation_types", "Give at least one organisation type code, separated by semicolons (e.g. HA;TRUST)."),
        (4, "weight", "The weight must be more than 0."),
        (4, "adjust_for_deprivation", "'maybe' is not true or false."),
        (5, "domain", "A context indicator has no domain: leave it blank."),
        (5, "organisation_types", "'CLINIC' is not a known organisation type code (HA, PCG, TRUST)."),
        (5, "core_threshold", "A context indicator is never scored: it has no core target and is not adjusted."),
        (6, "weight", "'heavy' is not a number"),
    ]
