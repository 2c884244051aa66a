"""Reading CSV and Excel into a table: no database."""

import io
import zipfile

import openpyxl
import pytest

from indicators.spreadsheets import TableError, read_table


def problems_of(content: bytes, filename="returns.csv", **options):
    with pytest.raises(TableError) as error:
        read_table(content, filename, **options)
    return [(p.line, p.column, p.message, p.code) for p in error.value.problems]


def test_reads_utf8_with_bom_and_trims_whitespace():
    table = read_table("\ufeffCode , Name\n RAE ,  Bradford \n".encode("utf-8"), "a.csv")
    assert table.header == ["code", "name"]
    assert table.rows == [(2, ["RAE", "Bradford"])]


def test_reads_windows_1252_pound_sign():
    table = read_table("code,unit\nPRESCOST,£\n".encode("cp1252"), "a.csv")
    assert table.rows == [(2, ["PRESCOST", "£"])]


def test_blank_lines_are_skipped_and_line_numbers_kept():
    table = read_table(b"\ncode,name\n\nA,x\n,\n\nB,y\n", "a.csv")
    assert table.header_line == 2
    assert table.rows == [(4, ["A", "x"]), (7, ["B", "y"])]


def test_crlf_line_endings():
    table = read_table(b"code,name\r\nA,x\r\nB,y\r\n", "a.csv")
    assert table.rows == [(2, ["A", "x"]), (3, ["B", "y"])]


def test_empty_file():
    assert problems_of(b"") == [(None, None, "The file is empty.", "empty")]
    assert problems_of(b"  \n\n ") == [(None, None, "The file is empty.", "empty")]


def test_semicolon_separated_file_is_named_as_such():
    assert problems_of(b"code;name\nA;x\n") == [(1, None,
        "The columns seem to be separated by semicolons, not commas: save the file as CSV "
        "(comma-separated values).", "delimiter")]


def test_binary_file_is_refused():
    assert problems_of(b"\x00\x01\x02garbage\x00") == [(None, None,
        "The file is not text: it looks like a binary file. Save it as CSV (comma-separated values).", "binary")]


def test_undecodable_text_is_refused():
    # 0x81 is undefined in Windows-1252 and invalid as UTF-8.
    assert problems_of(b"code,name\nA,\x81\x81\n")[0][3] == "encoding"


def test_xlsx_content_under_csv_name_is_refused():
    assert problems_of(xlsx_bytes([["code"], ["A"]]), "a.csv")[0][3] == "not_csv"


def test_csv_under_xlsx_name_is_refused():
    assert problems_of(b"code,name\nA,x\n", "a.xlsx") == [(None, None,
        "The file has the .xlsx extension but is not an Excel workbook (it may be a CSV file renamed): save "
        "it from Excel as .xlsx, or give it the .csv extension.", "not_xlsx")]


def test_damaged_zip_is_refused():
    assert problems_of(b"PK\x03\x04 not really a zip", "a.xlsx")[0][3] == "bad_xlsx"


def test_duplicate_and_blank_header_names():
    assert problems_of(b"code,code,,name\nA,B,C,D\n") == [
        (1, "code", "The column 'code' appears more than once in the header.", "duplicate_header"),
        (1, None, "Column 3 of the header has no name.", "blank_header"),
    ]


def test_ragged_rows_are_problems_but_trailing_empty_cells_are_not():
    table = read_table(b"code,name\nA,x,,\nB\nC,y,z\n", "a.csv")
    assert table.rows == [(2, ["A", "x"])]
    assert [(p.line, p.column, p.message) for p in table.problems] == [
        (3, "name", "This row has 1 values but the header has 2 columns."),
        (4, None, "This row has 3 values but the header has 2 columns."),
    ]


def test_unclosed_quote_is_located():
    problems = problems_of(b'code,name\nA,"x\n')
    assert problems[0][3] == "malformed"


def xlsx_bytes(rows, sheets=("Returns",), hidden=()):
    workbook = openpyxl.Workbook()
    workbook.active.title = sheets[0]
    for title in sheets[1:]:
        workbook.create_sheet(title)
    for title in hidden:
        workbook[title].sheet_state = "hidden"
    for row in rows:
        workbook[[s for s in sheets if s not in hidden][0]].append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_reads_first_visible_sheet_with_row_numbers_and_says_so():
    content = xlsx_bytes([["Code", "Value"], [None, None], ["A", 12.0], ["B", 12.5]],
                         sheets=("Notes", "Returns", "Other"), hidden=("Notes",))
    table = read_table(content, "a.xlsx")
    assert table.sheet == "Returns"
    assert table.rows == [(3, ["A", "12"]), (4, ["B", "12.5"])]
    assert table.notes == ["Read the sheet 'Returns' only; the workbook's other 2 sheet(s) were ignored."]


def test_xlsx_problems_name_the_sheet():
    table = read_table(xlsx_bytes([["code", "name"], ["A"], ["B", "y", "extra"]]), "a.xlsx")
    assert table.rows == [(2, ["A", ""])]
    assert [str(p) for p in table.problems] == [
        "Sheet 'Returns', row 3: This row has 3 values but the header has 2 columns."]


def test_zip_bomb_is_refused_before_parsing():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * 5_000_000)
    assert buffer.tell() < 100_000
    problems = problems_of(buffer.getvalue(), "bomb.xlsx", max_unzipped_bytes=1_000_000)
    assert problems == [(None, None, "The Excel file would expand to 5 MB when opened, more than the 1 MB "
                                     "allowed: save it as CSV instead.", "too_large_unzipped")]


def test_a_nul_anywhere_is_refused_with_its_line():
    content = b"code,name\n" + b"A,x\n" * 5000 + b"B,y\x00\n"
    assert len(content) > 8192
    assert problems_of(content) == [(5002, None, "This line contains a NUL character (a zero byte), which no text "
                                     "value may hold: the file is damaged or not plain text. Save it again as CSV "
                                     "UTF-8.", "nul")]


def test_only_ascii_spaces_are_trimmed_and_headers_fold_only_a_to_z():
    table = read_table("CODE ,Name\u212a\n\tA\t,\u00a0x\u00a0\n".encode(), "a.csv")
    assert table.header == ["code", "name\u212a"]  # the Kelvin sign is not a K
    assert table.rows == [(2, ["A", "\u00a0x\u00a0"])]


def test_cr_only_line_endings_keep_line_numbers():
    assert read_table(b"code,name\rA,x\r\rB,y\r", "a.csv").rows == [(2, ["A", "x"]), (4, ["B", "y"])]


def with_dimension(content: bytes, dimension: str) -> bytes:
    import re
    source, target = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(target, "w") as out:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*" ?/>', f'<dimension ref="{dimension}"/>'.encode(), data)
                assert dimension.encode() in data
            out.writestr(item, data)
    return target.getvalue()


def test_every_row_and_column_is_read_whatever_the_declared_dimension():
    content = with_dimension(xlsx_bytes([["code", "name", "value"], ["A", "x", 1], ["B", "y", 2.5]]), "A1:A1")
    # openpyxl's own read-only reader trusts the dimension and loses what lies beyond it.
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).active
    assert list(sheet.iter_rows(values_only=True)) == [("code",)]
    table = read_table(content, "a.xlsx")
    assert table.header == ["code", "name", "value"]
    assert table.rows == [(2, ["A", "x", "1"]), (3, ["B", "y", "2.5"])]


def test_old_excel_and_other_spreadsheets_are_named():
    assert problems_of(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "a.csv")[0][3] == "old_excel"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
    assert problems_of(buffer.getvalue(), "a.ods")[0][3] == "ods"
    assert problems_of(buffer.getvalue(), "a.csv")[0][3] == "not_csv"


def test_no_message_names_an_exception_class():
    damaged = xlsx_bytes([["code"], ["A"]]).replace(b"worksheet", b"wurksheet")
    for message in [p[2] for p in problems_of(damaged, "a.xlsx")]:
        assert "Error" not in message and "Exception" not in message


def test_a_sheet_written_in_utf16_with_comments_before_its_root_is_read():
    content = xlsx_bytes([["code", "value"], ["A", 1]])
    source, target = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(target, "w") as out:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode().replace("<?xml version='1.0' encoding='UTF-8'?>", "").replace(
                    '<?xml version="1.0" encoding="UTF-8"?>', "")
                data = ('<?xml version="1.0" encoding="UTF-16"?>\n<!-- <!DOCTYPE in a comment> -->' + text).encode(
                    "utf-16")
            out.writestr(item, data)
    assert read_table(target.getvalue(), "a.xlsx").rows == [(2, ["A", "1"])]
