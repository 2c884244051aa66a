"""The bad-input suite: every file in tests/indicators/bad_returns/, and the
workbooks and large files built below. Each hostile file goes through both
doors, the web upload (as a regional office's staff) and `import_returns`,
and each asserts the exact located message, no server error, and that the
database is unchanged."""

import html
import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from indicators import actions
from indicators.models import Region, RegionMembership, Result, ResultRevision, ReturnImport
from indicators.returns import ReturnRow
from indicators.spreadsheets import Problem, ProblemGroup, group_problems
from tests.conftest import write

FOLDER = Path(__file__).parent / "bad_returns"
MEASURED = """code,name,kind,domain,direction,organisation_types,measure,multiplier
OP26W,Outpatients waiting over 26 weeks,performance,access,lower_better,HA;TRUST,proportion,100
MORTRATE,Deaths from circulatory disease,performance,quality,lower_better,HA,rate,100000
"""
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
    # A proportion's or rate's value against its counts (OP26W and MORTRATE: see `held`).
    "proportion_not_its_counts.csv": "Line 2, column value: The value 30 is not 100 × numerator / denominator "
                                     "(OP26W is a proportion in 2000-01): 100 × 10 / 40 is 25.00, and a figure "
                                     "written as 30 may differ from it by at most 0.5 (its rounding).",
    "rate_not_its_counts.csv": "Line 2, column value: The value 15 is not 100000 × numerator / denominator "
                               "(MORTRATE is a rate in 2000-01): 100000 × 300 / 200000 is 150.00, and a figure "
                               "written as 15 may differ from it by at most 0.5 (its rounding).",
    "proportion_numerator_above_denominator.csv": "Line 2, column numerator: The numerator 50 is larger than the "
                                                  "denominator 40: OP26W is a proportion in 2000-01.",
    "zero_denominator.csv": "Line 2, column denominator: The denominator is 0 but a numerator (0) is given: a "
                            "figure out of nothing cannot be worked out.",
}


NEW = {
    "arabic_indic_digits.csv":
        "Line 2, column value: '\u0661\u0662' is not a number: it contains a non-ASCII character '\u0661' "
        "(ARABIC-INDIC DIGIT ONE); numbers are written with the digits 0 to 9",
    "binary_workbook.xlsb":
        "The file is an Excel binary workbook (.xlsb): save it from Excel as .xlsx (Excel "
        "Workbook) or CSV",
    "bom_only.csv":
        "The file is empty",
    "control_character_number.csv":
        "Line 2, column value: '3\x01' is not a number: it contains a control character (U+0001); "
        "numbers are written with the digits 0 to 9",
    "cr_line_endings.csv":
        "Line 3, column value: 'x' is not a number",
    "cyrillic_header.csv":
        "Line 1, column valu\u0435: 'valu\u0435' is not a column of an indicator return (it contains a "
        "non-ASCII character '\u0435' (CYRILLIC SMALL LETTER IE)). The columns are: organisation_code, "
        "indicator_code, year, value, and optionally numerator, denominator",
    "dotless_i_code.csv":
        "Line 2, column indicator_code: '\u0131p18m' is not a known indicator code: it contains a "
        "non-ASCII character '\u0131' (LATIN SMALL LETTER DOTLESS I)",
    "double_bom.csv":
        "Line 1, column \ufefforganisation_code: '\ufefforganisation_code' is not a column of an indicator "
        "return (it contains a non-ASCII character (ZERO WIDTH NO-BREAK SPACE)). The columns are: "
        "organisation_code, indicator_code, year, value, and optionally numerator, denominator",
    "duplicate_header_by_case_and_space.csv":
        "Line 1, column value: The column 'value' appears more than once in the header",
    "encrypted.xlsx":
        "The file is an old-style Excel workbook (.xls) or a password-protected one: open it in "
        "Excel, remove any password, and save it as .xlsx (Excel Workbook) or CSV",
    "formula_injection_code.csv":
        "Line 2, column organisation_code: '=HYPERLINK(\"http://example.com\",\"Q01\")' is not a known "
        "organisation code",
    "fullwidth_code.csv":
        "Line 2, column organisation_code: '\uff3101' is not a known organisation code: it contains a "
        "non-ASCII character '\uff31' (FULLWIDTH LATIN CAPITAL LETTER Q)",
    "fullwidth_digits.csv":
        "Line 2, column value: '\uff11\uff12' is not a number: it contains a non-ASCII character '\uff11' "
        "(FULLWIDTH DIGIT ONE); numbers are written with the digits 0 to 9",
    "fullwidth_year.csv":
        "Line 2, column year: '\uff12\uff10\uff10\uff10-\uff10\uff11' is not a financial year: it contains a non-ASCII character "
        "'\uff12' (FULLWIDTH DIGIT TWO); write it as 2000-01 with the digits 0 to 9",
    "header_and_blank_rows.csv":
        "The file has a header but no data rows",
    "hex_number.csv":
        "Line 2, column value: '0x10' is not a number",
    "html_code.csv":
        "Line 2, column organisation_code: '<script>alert(1)</script>' is not a known organisation "
        "code",
    "lowercase_code.csv":
        "Line 2, column organisation_code: 'q01' is not a known organisation code: codes are "
        "matched exactly (did you mean Q01?)",
    "mixed_digits.csv":
        "Line 2, column value: '1\uff12' is not a number: it contains a non-ASCII character '\uff12' "
        "(FULLWIDTH DIGIT TWO); numbers are written with the digits 0 to 9",
    "negative_nan.csv":
        "Line 2, column value: '-nan' is not a finite number",
    "negative_overflow.csv":
        "Line 2, column value: '-1e400' is too large to be a number",
    "no_break_space_code.csv":
        "Line 2, column organisation_code: 'Q01\xa0' is not a known organisation code: it contains a "
        "non-ASCII character (NO-BREAK SPACE)",
    "no_break_space_number.csv":
        "Line 2, column value: '\xa012' is not a number: it contains a non-ASCII character (NO-BREAK "
        "SPACE); numbers are written with the digits 0 to 9",
    "nul_after_8kb.csv":
        "Line 502: This line contains a NUL character (a zero byte), which no text value may hold: "
        "the file is damaged or not plain text. Save it again as CSV UTF-8",
    "nul_in_utf16.csv":
        "Line 2: This line contains a NUL character (a zero byte), which no text value may hold: "
        "the file is damaged or not plain text. Save it again as CSV UTF-8",
    "numerator_overflow.csv":
        "Line 2, column numerator: '1e400' is too large to be a number",
    "old_excel.xls":
        "The file is an old-style Excel workbook (.xls) or a password-protected one: open it in "
        "Excel, remove any password, and save it as .xlsx (Excel Workbook) or CSV",
    "opendocument.ods":
        "The file is an OpenDocument spreadsheet (.ods): save it as .xlsx (Excel Workbook) or CSV",
    "overflow.csv":
        "Line 2, column value: '1e400' is too large to be a number",
    "plus_sign_only.csv":
        "Line 2, column value: '+' is not a number",
    "quote_bomb.csv":
        "Line 2: A value here is longer than 131,072 characters: check for an unclosed quotation "
        "mark",
    "right_to_left_override_code.csv":
        "Line 2, column organisation_code: 'Q01\u202e' is not a known organisation code: it contains a "
        "non-ASCII character (RIGHT-TO-LEFT OVERRIDE)",
    "rows_of_another_year.csv":
        "5 rows (lines 2, 3, 4, 5, 6, column year): The year is 1998-99, but this upload is for "
        "2000-01",
    "subnormal.csv":
        "Line 2, column value: '1e-310' is too small to be a number",
    "tabs.csv":
        "Line 1: The columns seem to be separated by tabs, not commas: save the file as CSV "
        "(comma-separated values)",
    "truncated.xlsx":
        "The Excel file is damaged and cannot be opened: save it again from Excel as .xlsx",
    "underflow.csv":
        "Line 2, column value: '1e-400' is too small to be a number (it would be read as 0)",
    "underscore_number.csv":
        "Line 2, column value: '1_000' is not a number: remove the underscores (write 1000)",
    "unknown_code_on_many_rows.csv":
        "40 rows (lines 2, 3, 4, 5, 6 and 35 more, column organisation_code): 'X99' is not a known "
        "organisation code",
    "utf32.csv":
        "The file is UTF-32 text: save it as CSV UTF-8",
    "very_long_code.csv":
        "Line 2, column organisation_code: "
        "'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\u2026' (100,000 characters) is "
        "not a known organisation code",
    "zero_width_space_code.csv":
        "Line 2, column organisation_code: 'Q\u200b01' is not a known organisation code: it contains a "
        "non-ASCII character (ZERO WIDTH SPACE)",
    "zip_not_a_workbook.xlsx":
        "The file is a zip archive, not an Excel workbook: upload the .xlsx file itself, or save "
        "the return as CSV",
    "zip_slip_names.xlsx":
        "The file is a zip archive, not an Excel workbook: upload the .xlsx file itself, or save "
        "the return as CSV",
}
EXPECTED.update(NEW)
# The command acts as an admin for any year: these files break only the web upload's own rules.
WEB_ONLY = {"rows_of_another_year.csv"}


@pytest.fixture
def held(world):
    """One value already held, so that 'unchanged' means something; and a
    proportion and a rate, whose values are checked against their counts."""
    call_command("import_indicators", write(world, "measured.csv", MEASURED), stdout=None)
    actions.apply_return(rows=[ReturnRow(2, "Q01", "IP18M", 2000, 7.0, None, None)], filename="held.csv")
    return User.objects.create_superuser("admin", password="x")


@pytest.fixture
def north(held):
    """Staff of Northern and Yorkshire, the region of Q01, RAA and RAB."""
    user = User.objects.create_user("north", password="x")
    RegionMembership.objects.create(user=user, region=Region.objects.get(code="NY"))
    return user


def upload(user, name, content: bytes) -> ReturnImport:
    return actions.validate_upload(user=user, year=2000, filename=name, content=content, allowed_regions=None)


def assert_unchanged():
    assert list(Result.objects.values_list("organisation__code", "indicator__code", "year", "value")) == [
        ("Q01", "IP18M", 2000, 7.0)]
    assert not ResultRevision.objects.exists()
    assert not ReturnImport.objects.filter(status__in=["validated", "applied"]).exclude(filename="held.csv").exists()


def first_problem(result: ReturnImport) -> str:
    problem = result.problems[0]
    return str(Problem(problem["line"], problem["column"], problem["message"], "", problem["sheet"]))


def refused_on_the_web(client, user, name: str, content: bytes) -> list[str]:
    """Upload through the returns page; the problems as the page lists them (identical ones grouped)."""
    client.force_login(user)
    before = ReturnImport.objects.count()
    response = client.post("/returns/", {"year": "2000", "file": SimpleUploadedFile(name, content)})
    if not content:  # Django's form refuses a file of no bytes before anything is kept
        assert response.status_code == 200 and not ReturnImport.objects.count() - before
        assert "The submitted file is empty." in response.content.decode()
        return ["The file is empty"]
    assert response.status_code == 302, response.content[:500]
    result = ReturnImport.objects.latest("pk")
    assert ReturnImport.objects.count() == before + 1 and result.status == "rejected"
    page = client.get(response["Location"])
    assert page.status_code == 200
    grouped = group_problems(Problem(p["line"], p["column"], p["message"], "", p["sheet"]) for p in result.problems)
    text = html.unescape(page.content.decode())
    for problem in grouped[:20]:
        assert (problem.summary if isinstance(problem, ProblemGroup) else problem.message) in text
    assert "Traceback" not in text and "Error" not in re.sub(r"Excel|error", "", text)
    return [str(problem).rstrip(".") for problem in grouped]


def refused_by_the_command(folder: Path, name: str, content: bytes) -> list[str]:
    """`import_returns` on the same bytes: the problems it names, without the file name."""
    path = folder / name
    path.write_bytes(content)
    stderr = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("import_returns", str(path), stdout=io.StringIO(), stderr=stderr)
    message = str(error.value)
    assert message.startswith(f"{name}: ") and message.endswith(". Nothing was stored.")
    lines = stderr.getvalue().splitlines() or [message.removesuffix(" Nothing was stored.")]
    assert all(line.startswith(f"{name}: ") for line in lines)
    return [line.removeprefix(f"{name}: ").rstrip(".") for line in lines]


def assert_refused_everywhere(client, user, folder, name, content, expected: str, web_only=False):
    """The exact message, located, through both doors; nothing stored by either."""
    assert expected.rstrip(".") in refused_on_the_web(client, user, name, content)
    assert_unchanged()
    if not web_only:
        assert expected.rstrip(".") in refused_by_the_command(folder, name, content)
        assert_unchanged()


def test_the_folder_and_the_expectations_match():
    assert sorted(path.name for path in FOLDER.iterdir()) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_bad_file_is_refused_with_its_exact_error(name, north, client, tmp_path):
    assert_refused_everywhere(client, north, tmp_path, name, (FOLDER / name).read_bytes(), EXPECTED[name],
                              web_only=name in WEB_ONLY)


def test_100000_rows_with_one_error_in_the_last_row(held, world):
    from indicators.actions import save_indicator
    from indicators.models import Indicator, Organisation, OrganisationType, Region
    trust = OrganisationType.objects.get(code="TRUST")
    region = Region.objects.get(code="NY")
    Organisation.objects.bulk_create(Organisation(code=f"T{i:05d}", name=f"Trust {i}", type=trust, region=region)
                                     for i in range(20000))
    codes = ["IP18M", "DEPRIVATION"] + [f"X{i}" for i in range(3)]
    for code in codes[2:]:
        save_indicator(indicator=Indicator(code=code, name=code, kind="performance", domain="access"),
                       organisation_types=[trust], user=None)
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


# Workbooks built here: the sheet's XML written by hand where Excel or openpyxl would never write it.

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
HEADER_CELLS = "".join(f'<c r="{col}1" t="inlineStr"><is><t>{name}</t></is></c>'
                       for col, name in zip("ABCD", ["organisation_code", "indicator_code", "year", "value"]))


def text_cell(reference, text):
    return f'<c r="{reference}" t="inlineStr"><is><t>{text}</t></is></c>'


def data_row(number, value_cell, organisation="Q01", indicator="IP18M", extra=""):
    """A row of Q01's IP18M for 2000-01 whose value cell is given as XML."""
    return (f'<row r="{number}">{text_cell(f"A{number}", organisation)}{text_cell(f"B{number}", indicator)}'
            f'{text_cell(f"C{number}", "2000-01")}{value_cell}{extra}</row>')


def sheet_xml(rows: str, dimension="A1:D2", after="", before="") -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{before}<worksheet xmlns="{MAIN}">'
            f'<dimension ref="{dimension}"/><sheetData><row r="1">{HEADER_CELLS}</row>{rows}</sheetData>'
            f'{after}</worksheet>').encode()


def replace_members(content: bytes, replacements: dict[str, bytes], extra: dict[str, bytes] | None = None) -> bytes:
    source, target = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            out.writestr(item, replacements.get(item.filename, source.read(item)))
        for name, data in (extra or {}).items():
            out.writestr(name, data)
    return target.getvalue()


def with_sheet(rows: str, **options) -> bytes:
    return replace_members(workbook_bytes(ROWS), {"xl/worksheets/sheet1.xml": sheet_xml(rows, **options)})


def styled_workbook(value, number_format=None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Return"
    sheet.append(ROWS[0])
    sheet.append(["Q01", "IP18M", "2000-01", value])
    if number_format:
        sheet["D2"].number_format = number_format
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def hidden_first_sheet() -> bytes:
    book = openpyxl.Workbook()
    book.active.title = "Old"
    book.active.append(ROWS[0])
    book.active.append(ROWS[1])
    book.active.sheet_state = "hidden"
    second = book.create_sheet("Second")
    second.append(ROWS[0])
    second.append(["Q01", "IP18M", "2000-01", "n/a"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def chartsheet_only() -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    book.create_chartsheet("Chart")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
          '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
          '<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>')


def with_shared_strings(content: bytes, strings: bytes) -> bytes:
    """Add a shared strings part (openpyxl writes every text inline), declared as Excel declares it."""
    types = zipfile.ZipFile(io.BytesIO(content)).read("[Content_Types].xml").replace(
        b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                     b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    return replace_members(content, {"[Content_Types].xml": types}, extra={"xl/sharedStrings.xml": strings})


def billion_laughs_in_shared_strings() -> bytes:
    strings = (f'<?xml version="1.0"?>{LAUGHS}<sst xmlns="{MAIN}" count="1" uniqueCount="1"><si><t>&lol4;</t></si>'
               '</sst>').encode()
    return with_shared_strings(with_sheet(data_row(2, '<c r="D2" t="s"><v>0</v></c>')), strings)


def shared_strings_read() -> bytes:
    strings = f'<sst xmlns="{MAIN}" count="1" uniqueCount="1"><si><t>n/a</t></si></sst>'.encode()
    return with_shared_strings(with_sheet(data_row(2, '<c r="D2" t="s"><v>0</v></c>')), strings)


def nested(depth: int) -> str:
    return "<x>" * depth + "</x>" * depth


ERROR_IN_ROW_2 = data_row(2, text_cell("D2", "n/a"))
SHEET = "Sheet 'Return'"

BUILT = {
    "understated_dimension.xlsx": (
        lambda: with_sheet(data_row(2, '<c r="D2"><v>3</v></c>') + data_row(3, text_cell("D3", "n/a"),
                           indicator="DEPRIVATION"), dimension="A1:B1"),
        f"{SHEET}, row 3, column value: 'n/a' is not a number"),
    "million_declared_rows.xlsx": (
        lambda: with_sheet(ERROR_IN_ROW_2, dimension="A1:D1048576"),
        f"{SHEET}, row 2, column value: 'n/a' is not a number"),
    "nan_stored_as_a_number.xlsx": (
        lambda: with_sheet(data_row(2, '<c r="D2"><v>NaN</v></c>')),
        f"{SHEET}, row 2, column value: Cell D2 is stored as a number but holds 'NaN', which is not one: type the "
        "value again in Excel."),
    "infinity_stored_as_a_number.xlsx": (
        lambda: with_sheet(data_row(2, '<c r="D2" t="n"><v>INF</v></c>')),
        f"{SHEET}, row 2, column value: Cell D2 is stored as a number but holds 'INF', which is not one: type the "
        "value again in Excel."),
    "two_cells_at_one_address.xlsx": (
        lambda: with_sheet(data_row(2, '<c r="D2"><v>3</v></c><c r="D2"><v>4</v></c>')),
        f"{SHEET}, row 2, column value: Two cells have the address D2: the file is damaged or was not written by "
        "Excel; save it again from Excel."),
    "row_given_twice.xlsx": (
        lambda: with_sheet(data_row(2, '<c r="D2"><v>3</v></c>') + data_row(2, '<c r="D2"><v>4</v></c>')),
        f"{SHEET}, row 2, column organisation_code: Two cells have the address A2: the file is damaged or was not "
        "written by Excel; save it again from Excel."),
    "underflow_stored.xlsx": (
        lambda: with_sheet(data_row(2, '<c r="D2"><v>1E-400</v></c>')),
        f"{SHEET}, row 2, column value: '1E-400' is too small to be a number (it would be read as 0)"),
    "overflow_stored.xlsx": (
        lambda: with_sheet(data_row(2, '<c r="D2"><v>1E400</v></c>')),
        f"{SHEET}, row 2, column value: '1E400' is too large to be a number"),
    "shared_string_read.xlsx": (
        shared_strings_read,
        f"{SHEET}, row 2, column value: 'n/a' is not a number"),
    "shared_string_missing.xlsx": (
        lambda: with_sheet(data_row(2, '<c r="D2" t="s"><v>99</v></c>')),
        f"{SHEET}, row 2, column value: Cell D2 refers to text the workbook does not hold: the file is damaged; "
        "save it again from Excel."),
    "inline_string_fullwidth_digits.xlsx": (
        lambda: with_sheet(data_row(2, text_cell("D2", "\uff11\uff12"))),
        f"{SHEET}, row 2, column value: '\uff11\uff12' is not a number: it contains a non-ASCII character "
        "'\uff11' (FULLWIDTH DIGIT ONE); numbers are written with the digits 0 to 9"),
    "rich_inline_string_code.xlsx": (
        lambda: with_sheet(data_row(2, '<c r="D2"><v>3</v></c>').replace(
            text_cell("A2", "Q01"), '<c r="A2" t="inlineStr"><is><r><t>Q0</t></r><r><t>1\u0131</t></r></is></c>')),
        f"{SHEET}, row 2, column organisation_code: 'Q01\u0131' is not a known organisation code: it contains a "
        "non-ASCII character '\u0131' (LATIN SMALL LETTER DOTLESS I)."),
    "date_in_value_cell.xlsx": (
        lambda: styled_workbook(__import__("datetime").datetime(2000, 4, 1)),
        f"{SHEET}, row 2, column value: '2000-04-01' is not a number"),
    "boolean_in_value_cell.xlsx": (
        lambda: styled_workbook(True),
        f"{SHEET}, row 2, column value: 'TRUE' is not a number"),
    "percent_cell.xlsx": (
        lambda: styled_workbook(0.45, "0%"),
        f"{SHEET}, row 2, column value: Cell D2 is formatted as a percentage, so Excel shows 45% but stores 0.45: "
        "format the cell as a plain number and type the figure you mean."),
    "error_value_cell.xlsx": (
        lambda: with_sheet(data_row(2, '<c r="D2" t="e"><v>#DIV/0!</v></c>')),
        f"{SHEET}, row 2, column value: '#DIV/0!' is not a number"),
    "formula_text_nan.xlsx": (
        lambda: with_sheet(data_row(2, '<c r="D2" t="str"><f>"Na"&amp;"N"</f><v>NaN</v></c>')),
        f"{SHEET}, row 2, column value: 'NaN' is not a finite number"),
    "bad_boolean_cell.xlsx": (
        lambda: with_sheet(data_row(2, '<c r="D2" t="b"><v>2</v></c>')),
        f"{SHEET}, row 2, column value: Cell D2 is a true/false cell holding '2': the file is damaged; save it "
        "again from Excel."),
    "unknown_cell_type.xlsx": (
        lambda: with_sheet(data_row(2, '<c r="D2" t="zzz"><v>3</v></c>')),
        f"{SHEET}, row 2, column value: Cell D2 has a type ('zzz') Excel does not write: save the file again from "
        "Excel."),
    "address_beyond_the_last_column.xlsx": (
        lambda: with_sheet(data_row(2, '<c r="D2"><v>3</v></c>', extra='<c r="XFE2"><v>1</v></c>')),
        f"{SHEET}, row 2: A cell has the address XFE2, beyond the last Excel cell (XFD1048576)."),
    "malformed_address.xlsx": (
        lambda: with_sheet(data_row(2, '<c r="2D"><v>3</v></c>')),
        f"{SHEET}, row 2, column value: A cell has the address '2D', which is not an Excel cell address: the file "
        "is damaged or was not written by Excel."),
    "value_beyond_the_header.xlsx": (
        lambda: with_sheet(data_row(2, '<c r="D2"><v>3</v></c>', extra='<c r="F2"><v>1</v></c>')),
        f"{SHEET}, row 2: This row has 6 values but the header has 4 columns."),
    "hidden_first_sheet.xlsx": (
        hidden_first_sheet,
        "Sheet 'Second', row 2, column value: 'n/a' is not a number"),
    "chartsheet_only.xlsx": (
        chartsheet_only,
        "The workbook has no worksheet (only charts): put the return on a worksheet."),
    "empty_sheet.xlsx": (
        lambda: replace_members(workbook_bytes(ROWS), {"xl/worksheets/sheet1.xml": (
            f'<worksheet xmlns="{MAIN}"><dimension ref="A1:D9"/><sheetData/></worksheet>').encode()}),
        "Sheet 'Return': The sheet 'Return' is empty."),
    "billion_laughs_in_the_sheet.xlsx": (
        lambda: with_sheet(ERROR_IN_ROW_2, before=LAUGHS),
        "The Excel file is damaged or is not a workbook Excel wrote, so it cannot be read: open it in Excel and "
        "save it again as .xlsx, or save it as CSV."),
    "external_dtd_in_the_sheet.xlsx": (
        lambda: with_sheet(ERROR_IN_ROW_2, before='<!DOCTYPE worksheet SYSTEM "http://example.com/evil.dtd">'),
        "Sheet 'Return': The sheet 'Return' is damaged and cannot be read: open the file in Excel and save it again "
        "as .xlsx, or save it as CSV."),
    "billion_laughs_in_shared_strings.xlsx": (
        billion_laughs_in_shared_strings,
        "The Excel file is damaged or is not a workbook Excel wrote, so it cannot be read: open it in Excel and "
        "save it again as .xlsx, or save it as CSV."),
    "deeply_nested_xml.xlsx": (
        lambda: with_sheet(ERROR_IN_ROW_2, after=nested(50_000)),
        "Sheet 'Return': The sheet 'Return' is damaged and cannot be read: open the file in Excel and save it again "
        "as .xlsx, or save it as CSV."),
    "many_elements_outside_the_rows.xlsx": (
        lambda: with_sheet(ERROR_IN_ROW_2, after="<x/>" * 200_000),
        f"{SHEET}, row 2, column value: 'n/a' is not a number"),
    "macro_workbook_name.xlsm": (
        lambda: with_sheet(ERROR_IN_ROW_2),
        f"{SHEET}, row 2, column value: 'n/a' is not a number"),
    "workbook_named_csv.csv": (
        lambda: workbook_bytes(ROWS),
        "The file is an Excel workbook or other zip file, not CSV text: give it the .xlsx extension or save it as "
        "CSV."),
    "workbook_with_zip_slip_member.xlsx": (
        lambda: replace_members(with_sheet(ERROR_IN_ROW_2), {}, extra={"../../evil.txt": b"x"}),
        f"{SHEET}, row 2, column value: 'n/a' is not a number"),
    "formula_without_value.xlsx": (
        lambda: with_sheet(data_row(2, '<c r="D2"><f>1+2</f></c>')),
        f"{SHEET}, row 2, column value: Cell D2 holds a formula with no stored value: open the file in Excel and "
        "save it again."),
    "merged_data_cells.xlsx": (
        lambda: with_sheet(data_row(2, '<c r="D2"><v>3</v></c>'), after='<mergeCells count="1">'
                           '<mergeCell ref="C2:D2"/></mergeCells>'),
        f"{SHEET}, row 2: Cells C2:D2 are merged: unmerge them so that every row has its own values."),
}


@pytest.mark.parametrize("name", sorted(BUILT))
def test_each_built_workbook_is_refused_with_its_exact_error(name, north, client, tmp_path):
    build, expected = BUILT[name]
    assert_refused_everywhere(client, north, tmp_path, name, build(), expected)


def test_every_problem_of_a_workbook_is_listed_as_for_csv(north, client, tmp_path):
    rows = (data_row(2, '<c r="D2"><v>NaN</v></c>') + data_row(3, text_cell("D3", "n/a"), indicator="DEPRIVATION")
            + data_row(4, '<c r="D4"><v>3</v></c>', organisation="X99") + data_row(5, '<c r="D5"><f>1+2</f></c>',
                                                                                   indicator="MORTCIRC"))
    expected = [
        f"{SHEET}, row 2, column value: Cell D2 is stored as a number but holds 'NaN', which is not one: type the "
        "value again in Excel",
        f"{SHEET}, row 3, column value: 'n/a' is not a number",
        f"{SHEET}, row 4, column organisation_code: 'X99' is not a known organisation code",
        f"{SHEET}, row 5, column value: Cell D5 holds a formula with no stored value: open the file in Excel and "
        "save it again",
    ]
    content = with_sheet(rows, dimension="A1:D1")
    assert refused_on_the_web(client, north, "several.xlsx", content) == expected
    assert refused_by_the_command(tmp_path, "several.xlsx", content) == expected
    assert_unchanged()


def test_a_sheet_with_too_many_filled_cells_is_refused(north, client, tmp_path, monkeypatch):
    monkeypatch.setattr("indicators.spreadsheets.sheet_xml.MAX_SHEET_CELLS", 6)
    assert_refused_everywhere(client, north, tmp_path, "wide.xlsx", with_sheet(ERROR_IN_ROW_2),
                              "Sheet 'Return': The sheet 'Return' has more than 6 filled cells, far more than a return "
                              "needs: remove what is not part of the return, or split it.")


def test_a_file_whose_rows_are_all_of_another_year_says_so_once(north, client):
    lines = refused_on_the_web(client, north, "rows.csv", (FOLDER / "rows_of_another_year.csv").read_bytes())
    assert lines == ["5 rows (lines 2, 3, 4, 5, 6, column year): The year is 1998-99, but this upload is for 2000-01"]
    page = html.unescape(client.get(f"/returns/{ReturnImport.objects.latest('pk').pk}/").content.decode())
    assert "5 rows: the year is 1998-99, but this upload is for 2000-01." in page
    assert page.count("this upload is for 2000-01") == 1
    # The problems CSV keeps one line per row.
    problems = client.get(f"/returns/{ReturnImport.objects.latest('pk').pk}/problems.csv").content.decode()
    assert problems.splitlines()[1:] == [
        f"rows.csv,,{line},year,\"The year is 1998-99, but this upload is for 2000-01.\"" for line in range(2, 7)]
