"""Validating indicator returns: one test per rule, no database."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indicators.returns import IndicatorRef, OrganisationRef, ReturnRow, ReturnsReference, parse_return

REFERENCE = ReturnsReference(
    organisations={
        "Q01": OrganisationRef("HA", "Health authority", None, None),
        "RAE": OrganisationRef("TRUST", "Acute trust", None, None),
        "4A1": OrganisationRef("PCG", "Primary care group", 1999, None),
        "RXX": OrganisationRef("TRUST", "Acute trust", None, 1998),
    },
    indicators={
        "IP18M": IndicatorRef(frozenset({"HA", "TRUST"})),
        "TROLLEY12": IndicatorRef(frozenset({"TRUST"})),
        "DEPRIVATION": IndicatorRef(frozenset({"HA", "TRUST", "PCG"})),
    },
)
HEADER = "organisation_code,indicator_code,year,value,numerator,denominator\n"


def parse(text: str, filename="returns.csv"):
    return parse_return(text.encode("utf-8"), filename, REFERENCE)


def problems(text: str):
    return [(p.line, p.column, p.message) for p in parse(text).problems]


def test_valid_return_gives_rows():
    parsed = parse(HEADER + "Q01,IP18M,2000-01,3,,\n RAE ,TROLLEY12,2000,12.5,5,40\n")
    assert parsed.ok
    assert parsed.rows == [
        ReturnRow(2, "Q01", "IP18M", 2000, 3.0, None, None),
        ReturnRow(3, "RAE", "TROLLEY12", 2000, 12.5, 5.0, 40.0),
    ]


def test_numerator_and_denominator_columns_are_optional():
    parsed = parse("organisation_code,indicator_code,year,value\nQ01,IP18M,2000-01,3\n")
    assert parsed.ok and parsed.rows[0].numerator is None


def test_missing_columns():
    assert problems("organisation_code,year,value\nQ01,2000-01,3\n") == [(1, "indicator_code",
        "The required column 'indicator_code' is missing. The columns are: organisation_code, indicator_code, "
        "year, value, and optionally numerator, denominator.")]


def test_unknown_columns():
    assert problems("organisation_code,indicator_code,year,value,comment\nQ01,IP18M,2000-01,3,hi\n") == [(1,
        "comment", "'comment' is not a column of an indicator return. The columns are: organisation_code, "
        "indicator_code, year, value, and optionally numerator, denominator.")]


def test_header_only():
    assert problems(HEADER) == [(None, None, "The file has a header but no data rows.")]


def test_unknown_organisation_code():
    assert problems(HEADER + "ZZZ,IP18M,2000-01,3,,\n") == [
        (2, "organisation_code", "'ZZZ' is not a known organisation code.")]


def test_unknown_indicator_code():
    assert problems(HEADER + "Q01,WAITS,2000-01,3,,\n") == [
        (2, "indicator_code", "'WAITS' is not a known indicator code.")]


def test_missing_codes():
    assert problems(HEADER + ",,2000-01,3,,\n") == [
        (2, "organisation_code", "The organisation code is missing."),
        (2, "indicator_code", "The indicator code is missing."),
    ]


@pytest.mark.parametrize("year, message", [
    ("2000-02", "'2000-02' is not a financial year: the year after 2000 is 2000-01"),
    ("last year", "'last year' is not a financial year: write it as 2000-01 (or 2000)"),
    ("", "The year is missing."),
])
def test_bad_years(year, message):
    assert problems(HEADER + f"Q01,IP18M,{year},3,,\n") == [(2, "year", message)]


@pytest.mark.parametrize("value, message", [
    ("n/a", "'n/a' is not a number"),
    ("1,234", "'1,234' is not a number: remove the thousands separators (write 1234)"),
    ("45%", "'45%' is not a number: leave out the % sign (write 45)"),
    ("NaN", "'NaN' is not a finite number"),
    ("inf", "'inf' is not a finite number"),
])
def test_non_numeric_or_non_finite_values(value, message):
    assert problems(HEADER + f'Q01,IP18M,2000-01,"{value}",,\n') == [(2, "value", message)]


def test_negative_denominator():
    assert problems(HEADER + "RAE,IP18M,2000-01,3,1,-4\n") == [
        (2, "denominator", "The denominator -4 is negative.")]


def test_numerator_above_denominator():
    assert problems(HEADER + "RAE,IP18M,2000-01,3,50,40\n") == [
        (2, "numerator", "The numerator 50 is larger than the denominator 40.")]


def test_non_numeric_numerator():
    assert problems(HEADER + "RAE,IP18M,2000-01,3,few,40\n") == [(2, "numerator", "'few' is not a number")]


def test_duplicate_rows_name_the_first():
    assert problems(HEADER + "RAE,IP18M,2000-01,3,,\nQ01,IP18M,2000-01,1,,\nRAE,IP18M,2000,4,,\n") == [
        (4, None, "Duplicate row: line 2 already gives IP18M for RAE in 2000-01.")]


def test_indicator_not_applicable_to_type():
    assert problems(HEADER + "Q01,TROLLEY12,2000-01,3,,\n") == [(2, "indicator_code",
        "The indicator TROLLEY12 does not apply to Health authority (HA) organisations such as Q01.")]


def test_organisation_not_open_that_year():
    assert problems(HEADER + "4A1,DEPRIVATION,1998-99,30,,\nRXX,IP18M,1999-00,2,,\n") == [
        (2, "year", "4A1 was not open in 1998-99: it opened in 1999-00."),
        (3, "year", "RXX was not open in 1999-00: it closed at the end of 1998-99."),
    ]


def test_blank_value_is_not_submitted_rather_than_an_error():
    parsed = parse(HEADER + "Q01,IP18M,2000-01,,,\nRAE,IP18M,2000-01,2,,\n")
    assert parsed.ok and parsed.blank_values == 1 and [r.line for r in parsed.rows] == [3]


def test_blank_value_with_numerator_is_an_error():
    assert problems(HEADER + "RAE,IP18M,2000-01,,3,10\n") == [
        (2, "value", "The value is missing but a numerator or denominator is given.")]


def test_every_problem_is_reported_in_line_order():
    found = problems(HEADER + "ZZZ,IP18M,2000-01,3,,\nQ01,IP18M,2000-01,x,,\n\nQ01,IP18M,1700,3,,\n")
    assert [(line, column) for line, column, _ in found] == [
        (2, "organisation_code"), (3, "value"), (5, "year")]


def test_problem_text_names_line_and_column():
    assert str(parse(HEADER + "Q01,IP18M,2000-01,n/a,,\n").problems[0]) == "Line 2, column value: 'n/a' is not a number"


def test_windows_1252_file_with_bom_free_header():
    parsed = parse_return((HEADER + "Q01,IP18M,2000-01,3,,\n").encode("cp1252"), "r.csv", REFERENCE)
    assert parsed.ok


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400), st.sampled_from(["r.csv", "r.xlsx", "r.txt"]))
def test_any_bytes_give_rows_or_located_problems_never_an_exception(content, filename):
    parsed = parse_return(content, filename, REFERENCE)
    assert parsed.ok or all(p.message for p in parsed.problems)


cell = st.one_of(st.sampled_from(["Q01", "RAE", "4A1", "IP18M", "TROLLEY12", "2000-01", "1999", "3", "-1",
                                  "1e308", "nan", "", " ", '"', ",", "\n", "£"]), st.text(max_size=6))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(cell, min_size=0, max_size=7), max_size=6))
def test_any_table_of_plausible_cells_never_raises(rows):
    text = HEADER + "\n".join(",".join(row) for row in rows)
    parsed = parse(text)
    for row in parsed.rows:
        assert math.isfinite(row.value)


def test_problems_in_several_columns_of_one_row_are_all_reported():
    assert problems(HEADER + "ZZZ,IP18M,2000-01,3,50,40\n") == [
        (2, "organisation_code", "'ZZZ' is not a known organisation code."),
        (2, "numerator", "The numerator 50 is larger than the denominator 40."),
    ]


@pytest.mark.parametrize("code, message", [
    ("rae", "'rae' is not a known organisation code: codes are matched exactly (did you mean RAE?)."),
    ("Q0\u0131", "'Q0\u0131' is not a known organisation code: it contains a non-ASCII character '\u0131' "
                 "(LATIN SMALL LETTER DOTLESS I)."),
    ("\u0131p18m", None),
    ("Q01\u00a0", "'Q01\u00a0' is not a known organisation code: it contains a non-ASCII character "
                  "(NO-BREAK SPACE)."),
    ("\uff31\uff10\uff11", "'\uff31\uff10\uff11' is not a known organisation code: it contains a non-ASCII "
                       "character '\uff31' (FULLWIDTH LATIN CAPITAL LETTER Q)."),
])
def test_codes_are_matched_exactly_with_no_unicode_folding(code, message):
    if message is None:  # 'ıp18m'.upper() == 'IP18M': must not be taken for the indicator
        assert problems(HEADER + f"Q01,{code},2000-01,3,,\n") == [(2, "indicator_code",
            "'\u0131p18m' is not a known indicator code: it contains a non-ASCII character '\u0131' "
            "(LATIN SMALL LETTER DOTLESS I).")]
    else:
        assert problems(HEADER + f"{code},IP18M,2000-01,3,,\n") == [(2, "organisation_code", message)]


def test_organisation_and_indicator_name_columns_are_accepted_and_ignored():
    parsed = parse("organisation_code,organisation_name,indicator_code,indicator_name,year,value\n"
                   "Q01,\"Leeds, Health Authority\",IP18M,=anything at all,2000-01,3\n")
    assert parsed.ok and parsed.rows == [ReturnRow(2, "Q01", "IP18M", 2000, 3.0, None, None)]


def _workbook(rows) -> bytes:
    import io

    import openpyxl

    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


VALID_WORKBOOK = _workbook([HEADER.strip().split(","), ["Q01", "IP18M", "2000-01", 3, None, None],
                            ["RAE", "TROLLEY12", "2000-01", 12.5, 5, 40]])
xml_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12)


def _mutated(workbook: bytes, edits) -> bytes:
    import io
    import zipfile

    source, target = zipfile.ZipFile(io.BytesIO(workbook)), io.BytesIO()
    with zipfile.ZipFile(target, "w") as out:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                for position, old, new in edits:
                    at = data.find(old.encode(), int(position * len(data)))
                    if at >= 0:
                        data = data[:at] + new.encode("utf-8", "surrogatepass") + data[at + len(old):]
            out.writestr(item, data)
    return target.getvalue()


def _accepted_rows_are_sound(parsed):
    for row in parsed.rows:
        assert math.isfinite(row.value) and row.organisation_code in REFERENCE.organisations
        assert row.indicator_code in REFERENCE.indicators
    assert all(p.message and "\x00" not in p.message for p in parsed.problems)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 1), st.sampled_from(
    ['t="inlineStr"', "<v>", "</v>", 'r="D2"', 'r="A3"', "<c ", "<row ", "</row>", "<t>", "Q01", "IP18M", "3", "12.5",
     "2000-01", 'ref="A1:F3"', "<sheetData>"]), xml_text), max_size=4))
def test_any_mutation_of_a_workbook_gives_rows_or_located_problems(edits):
    # read_table and validate_return are the parse entry points: only TableError may come out of them.
    from indicators.returns import validate_return
    from indicators.spreadsheets import TableError, read_table

    try:
        table = read_table(_mutated(VALID_WORKBOOK, edits), "r.xlsx")
    except TableError as error:
        assert error.problems and all(p.message for p in error.problems)
        return
    _accepted_rows_are_sound(validate_return(table, REFERENCE))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.one_of(cell, st.text(max_size=8), st.sampled_from(
    ["\uff11\uff12", "\u0661", "1e-400", "1e400", "1_0", "0x1", "\u0131p18m", "q01", "\u00a03", "3\u00a0", "+", "-"])),
    min_size=0, max_size=7), max_size=6), st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]))
def test_any_unicode_table_gives_rows_or_located_problems(rows, encoding):
    from indicators.returns import validate_return
    from indicators.spreadsheets import TableError, read_table

    text = HEADER + "\n".join(",".join(row) for row in rows)
    try:
        content = text.encode(encoding)
    except UnicodeEncodeError:
        content = text.encode("utf-8", "surrogatepass")
    try:
        table = read_table(content, "r.csv")
    except TableError as error:
        assert error.problems and all(p.message for p in error.problems)
        return
    parsed = validate_return(table, REFERENCE)
    _accepted_rows_are_sound(parsed)
    for row in parsed.rows:  # what was accepted was written in ASCII
        assert row.organisation_code.isascii() and row.indicator_code.isascii()
