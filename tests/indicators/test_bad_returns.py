"""The bad-input suite: every file in tests/indicators/bad_returns/, and the
workbooks and large files built below, uploaded through the upload action.
Each test asserts the exact error and that the database is unchanged."""

import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.contrib.auth.models import User

from indicators import actions
from indicators.models import Result, ResultRevision, ReturnImport

FOLDER = Path(__file__).parent / "bad_returns"
HEADER = "organisation_code,indicator_code,year,value\n"

EXPECTED = {
    "binary.csv": "The file is not text: it looks like a binary file. Save it as CSV (comma-separated values).",
    "wrong_encoding.csv": "The file's text is neither UTF-8 nor Windows-1252: save it as CSV UTF-8.",
    "semicolons.csv": "Line 1: The columns seem to be separated by semicolons, not commas: save the file as CSV "
                      "(comma-separated values).",
    "missing_column.csv": "Line 1, column year: The required column 'year' is missing. The columns are: "
                          "organisation_code, indicator_code, year, value, and optionally numerator, denominator.",
    "extra_column.csv": "Line 1, column comment: 'comment' is not a column of an indicator return. The columns are: "
                        "organisation_code, indicator_code, year, value, and optionally numerator, denominator.",
    "duplicate_rows.csv": "Line 3: Duplicate row: line 2 already gives IP18M for Q01 in 2000-01.",
    "thousands_separator.csv": "Line 2, column value: '1,234' is not a number: remove the thousands separators "
                               "(write 1234)",
    "percent_sign.csv": "Line 2, column value: '45%' is not a number: leave out the % sign (write 45)",
    "nan.csv": "Line 2, column value: 'NaN' is not a finite number",
    "infinity.csv": "Line 2, column value: 'inf' is not a finite number",
    "not_a_number.csv": "Line 2, column value: 'n/a' is not a number",
    "bad_year.csv": "Line 2, column year: '2000-02' is not a financial year: the year after 2000 is 2000-01",
    "empty.csv": "The file is empty.",
    "header_only.csv": "The file has a header but no data rows.",
    "really_csv.xlsx": "The file has the .xlsx extension but is not an Excel workbook (it may be a CSV file "
                       "renamed): save it from Excel as .xlsx, or give it the .csv extension.",
    "unclosed_quote.csv": "Line 2: The CSV is malformed here (unexpected end of data); check for an unclosed "
                          "quotation mark.",
    "ragged_row.csv": "Line 2: This row has 5 values but the header has 4 columns.",
    "unknown_codes_with_bom.csv": "Line 2, column organisation_code: 'Q99' is not a known organisation code.",
}


@pytest.fixture
def held(world):
    """One value already held, so that 'unchanged' means something."""
    actions.apply_return(rows=[actions.ReturnRow(2, "Q01", "IP18M", 2000, 7.0, None, None)], filename="held.csv")
    return User.objects.create_superuser("admin", password="x")


def upload(user, name, content: bytes) -> ReturnImport:
    return actions.validate_upload(user=user, year=2000, filename=name, content=content, allowed_regions=None)


def assert_unchanged():
    assert list(Result.objects.values_list("organisation__code", "indicator__code", "year", "value")) == [
        ("Q01", "IP18M", 2000, 7.0)]
    assert not ResultRevision.objects.exists()
    assert not ReturnImport.objects.filter(status__in=["validated", "applied"]).exclude(filename="held.csv").exists()


def first_problem(result: ReturnImport) -> str:
    from indicators.tables import Problem
    problem = result.problems[0]
    return str(Problem(problem["line"], problem["column"], problem["message"], "", problem["sheet"]))


def test_the_folder_and_the_expectations_match():
    assert sorted(path.name for path in FOLDER.iterdir()) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_bad_file_is_refused_with_its_exact_error(name, held):
    result = upload(held, name, (FOLDER / name).read_bytes())
    assert (result.status, first_problem(result)) == ("rejected", EXPECTED[name])
    assert_unchanged()


def test_100000_rows_with_one_error_in_the_last_row(held, world):
    from indicators.models import Indicator, Organisation, OrganisationType, Region
    trust = OrganisationType.objects.get(code="TRUST")
    region = Region.objects.get(code="NY")
    Organisation.objects.bulk_create(Organisation(code=f"T{i:05d}", name=f"Trust {i}", type=trust, region=region)
                                     for i in range(20000))
    codes = ["IP18M", "DEPRIVATION"] + [f"X{i}" for i in range(3)]
    for code in codes[2:]:
        indicator = Indicator.objects.create(code=code, name=code, kind="performance", domain="access")
        indicator.organisation_types.add(trust)
    lines = [f"T{i:05d},{code},2000-01,{i % 97}" for i in range(20000) for code in codes]
    lines[-1] = lines[-1].rsplit(",", 1)[0] + ",n/a"
    result = upload(held, "big.csv", (HEADER + "\n".join(lines) + "\n").encode())
    assert len(lines) == 100_000
    assert result.status == "rejected" and result.problems == [
        {"line": 100_001, "column": "value", "message": "'n/a' is not a number", "sheet": None}]
    assert_unchanged()


def workbook_bytes(rows, sheets=1, formula_cells=(), merge=None, hide_row=None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Return"
    for row in rows:
        sheet.append(row)
    for cell, formula in formula_cells:
        sheet[cell] = formula
    if merge:
        sheet.merge_cells(merge)
    if hide_row:
        sheet.row_dimensions[hide_row].hidden = True
    for number in range(1, sheets):
        book.create_sheet(f"Notes {number}").append(["anything"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def with_stored_values(content: bytes, values: dict[str, str]) -> bytes:
    """Add the cached value Excel would have stored after each formula (openpyxl stores none)."""
    source, target = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                for formula, value in values.items():
                    data = re.sub(rf"<f>{re.escape(formula)}</f>(<v></v>|<v/>)?".encode(),
                                  f"<f>{formula}</f><v>{value}</v>".encode(), data)
            out.writestr(item, data)
    return target.getvalue()


ROWS = [["organisation_code", "indicator_code", "year", "value"], ["Q01", "IP18M", "2000-01", 3]]


def test_a_workbook_with_several_sheets_says_which_was_read(held):
    result = upload(held, "return.xlsx", workbook_bytes(ROWS, sheets=3))
    assert result.status == "validated"
    assert "Read the sheet 'Return' only; the workbook's other 2 sheet(s) were ignored." in result.notes


def test_formulas_use_the_stored_values_and_say_so(held):
    content = with_stored_values(workbook_bytes(ROWS, formula_cells=[("D2", "=1+3")]), {"1+3": "4"})
    result = upload(held, "return.xlsx", content)
    assert result.status == "validated" and result.preview["changes"] == [["Q01", "IP18M", 2000, 7.0, 4.0]]
    assert "Some cells hold formulas: the values Excel last calculated and stored were used." in result.notes


def test_a_formula_with_no_stored_value_is_an_error(held):
    result = upload(held, "return.xlsx", workbook_bytes(ROWS, formula_cells=[("D2", "=1+3")]))
    assert (result.status, first_problem(result)) == (
        "rejected", "Sheet 'Return', row 2, column value: Cell D2 holds a formula with no stored value: open the file in Excel "
                    "and save it again.")
    assert_unchanged()


def test_a_merged_header_row_is_an_error(held):
    rows = [["Indicator return", None, None, None]] + ROWS
    result = upload(held, "return.xlsx", workbook_bytes(rows, merge="A1:D1"))
    assert (result.status, first_problem(result)) == (
        "rejected", "Sheet 'Return', row 1: The header row has merged cells (A1:D1): unmerge them so that each "
                    "column has its own name.")
    assert_unchanged()


def test_a_hidden_header_row_is_an_error(held):
    result = upload(held, "return.xlsx", workbook_bytes(ROWS, hide_row=1))
    assert (result.status, first_problem(result)) == (
        "rejected", "Sheet 'Return', row 1: The header row is hidden in Excel: unhide it, and check it is the "
                    "header you mean.")
    assert_unchanged()


def test_a_zip_bomb_is_refused_before_it_is_opened(held):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(210):
                member.write(chunk)
    result = upload(held, "bomb.xlsx", buffer.getvalue())
    assert len(buffer.getvalue()) < 1024 * 1024
    assert (result.status, first_problem(result)) == (
        "rejected", "The Excel file would expand to 220 MB when opened, more than the 210 MB allowed: save it as "
                    "CSV instead.")
    assert_unchanged()


def test_utf16_text_from_excel_is_read(held):
    result = upload(held, "unicode.csv", (HEADER + "Q01,IP18M,2000-01,3\n").encode("utf-16"))
    assert result.status == "validated" and result.new_values == 0 and result.changed_values == 1
