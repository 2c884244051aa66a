"""Reading an uploaded CSV or Excel file into a plain table, with every
problem located by line (or sheet and row) and column.

Pure: bytes in, a Table or a list of Problems out. No Django import, so the
command line and the web upload share it and it is tested without a database.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from dataclasses import dataclass, field

# An .xlsx is a zip: refuse one that would expand past this before parsing it.
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
ZIP_SIGNATURE = b"PK\x03\x04"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file. `line` is the spreadsheet's own line or row
    number (1-based, header included); None when the whole file is at fault."""

    line: int | None
    column: str | None
    message: str
    code: str
    sheet: str | None = None

    @property
    def location(self) -> str:
        parts = []
        if self.sheet is not None:
            parts.append(f"Sheet '{self.sheet}'")
        if self.line is not None:
            parts.append(f"row {self.line}" if self.sheet is not None else f"Line {self.line}")
        if self.column is not None:
            parts.append(f"column {self.column}")
        return ", ".join(parts)

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message


class TableError(Exception):
    """The file could not be read as a table at all."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


@dataclass
class Table:
    header: list[str]
    # (line or row number, cells) for every non-blank data row; cells are
    # stripped strings, one per header column.
    rows: list[tuple[int, list[str]]]
    header_line: int = 1
    sheet: str | None = None
    notes: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def problem(self, line: int | None, column: str | None, message: str, code: str) -> Problem:
        return Problem(line, column, message, code, sheet=self.sheet)


def read_table(content: bytes, filename: str, *, max_unzipped_bytes: int = MAX_UNZIPPED_BYTES) -> Table:
    """Read CSV or .xlsx bytes into a Table; raise TableError if it cannot be read."""
    if not content.strip():
        raise TableError([Problem(None, None, "The file is empty.", "empty")])
    if filename.lower().endswith((".xlsx", ".xlsm")):
        return _read_xlsx(content, max_unzipped_bytes)
    if content.startswith(ZIP_SIGNATURE):
        raise TableError([Problem(None, None,
            "The file is an Excel workbook or other zip file, not CSV text: give it the .xlsx extension "
            "or save it as CSV.", "not_csv")])
    return _read_csv(content)


def _decode(content: bytes) -> str:
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's "Unicode text" and some exports: UTF-16 with its byte-order mark.
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError:
            raise TableError([Problem(None, None, "The file says it is UTF-16 text but is damaged: save it as "
                                                  "CSV UTF-8.", "encoding")]) from None
    if b"\x00" in content[:8192]:
        raise TableError([Problem(None, None,
            "The file is not text: it looks like a binary file. Save it as CSV (comma-separated values).",
            "binary")])
    for encoding in ("utf-8-sig", "cp1252"):
        # utf-8-sig drops Excel's byte-order mark; cp1252 is Excel's default
        # on Windows and the usual source of the pound sign.
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TableError([Problem(None, None,
        "The file's text is neither UTF-8 nor Windows-1252: save it as CSV UTF-8.", "encoding")])


def _read_csv(content: bytes) -> Table:
    text = _decode(content)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    header_line = 1
    rows: list[tuple[int, list[str]]] = []
    try:
        for raw in reader:
            line = reader.line_num
            cells = [cell.strip() for cell in raw]
            if not any(cells):
                continue
            if header is None:
                header, header_line = _clean_header(cells, line, None), line
                continue
            rows.append((line, cells))
    except csv.Error as error:
        raise TableError([Problem(reader.line_num, None,
            f"The CSV is malformed here ({error}); check for an unclosed quotation mark.", "malformed")])
    if header is None:
        raise TableError([Problem(None, None, "The file is empty.", "empty")])
    table = Table(header=header, rows=[], header_line=header_line)
    table.rows = _fit_rows(table, rows)
    return table


def _clean_header(cells: list[str], line: int, sheet: str | None) -> list[str]:
    header = [cell.strip().lower() for cell in cells]
    # Excel often leaves empty trailing header cells; they carry nothing.
    while header and header[-1] == "":
        header.pop()
    if len(header) == 1:
        for separator, name in ((";", "semicolons"), ("\t", "tabs"), ("|", "vertical bars")):
            if separator in header[0]:
                raise TableError([Problem(line, None,
                    f"The columns seem to be separated by {name}, not commas: save the file as "
                    "CSV (comma-separated values).", "delimiter", sheet=sheet)])
    problems = []
    seen: set[str] = set()
    for position, name in enumerate(header, start=1):
        if name == "":
            problems.append(Problem(line, None, f"Column {position} of the header has no name.",
                                    "blank_header", sheet=sheet))
        elif name in seen:
            problems.append(Problem(line, name, f"The column '{name}' appears more than once in the header.",
                                    "duplicate_header", sheet=sheet))
        seen.add(name)
    if problems:
        raise TableError(problems)
    return header


def _fit_rows(table: Table, rows: list[tuple[int, list[str]]]) -> list[tuple[int, list[str]]]:
    """Make each row exactly as wide as the header, recording ragged rows."""
    width = len(table.header)
    fitted = []
    for line, cells in rows:
        if len(cells) > width:
            extra = cells[width:]
            if any(extra):
                table.problems.append(table.problem(line, None,
                    f"This row has {len(cells)} values but the header has {width} columns.", "ragged"))
                continue
            cells = cells[:width]
        elif len(cells) < width:
            table.problems.append(table.problem(line, table.header[len(cells)],
                f"This row has {len(cells)} values but the header has {width} columns.", "ragged"))
            continue
        fitted.append((line, cells))
    return fitted


def _read_xlsx(content: bytes, max_unzipped_bytes: int) -> Table:
    if not content.startswith(ZIP_SIGNATURE):
        raise TableError([Problem(None, None,
            "The file has the .xlsx extension but is not an Excel workbook (it may be a CSV file "
            "renamed): save it from Excel as .xlsx, or give it the .csv extension.", "not_xlsx")])
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        unzipped = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, ValueError):
        raise TableError([Problem(None, None, "The Excel file is damaged and cannot be opened.", "bad_xlsx")])
    if unzipped > max_unzipped_bytes:
        raise TableError([Problem(None, None,
            f"The Excel file would expand to {unzipped / 1e6:.0f} MB when opened, more than the "
            f"{max_unzipped_bytes / 1e6:.0f} MB allowed: save it as CSV instead.", "too_large_unzipped")])

    import openpyxl  # imported here: loading it costs time the CSV path does not need

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise TableError([Problem(None, None,
            f"The Excel file cannot be read ({type(error).__name__}): save it again from Excel as .xlsx.",
            "bad_xlsx")]) from error
    try:
        return _read_sheet(workbook)
    finally:
        workbook.close()


def _read_sheet(workbook) -> Table:
    visible = [ws for ws in workbook.worksheets if getattr(ws, "sheet_state", "visible") == "visible"]
    if not visible:
        raise TableError([Problem(None, None, "The workbook has no visible sheet.", "no_sheet")])
    sheet = visible[0]
    notes = []
    if len(workbook.worksheets) > 1:
        notes.append(f"Read the sheet '{sheet.title}' only; the workbook's other "
                     f"{len(workbook.worksheets) - 1} sheet(s) were ignored.")
    header: list[str] | None = None
    header_line = 1
    rows: list[tuple[int, list[str]]] = []
    for number, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1):
        cells = [_cell_text(value) for value in values]
        if not any(cells):
            continue
        if header is None:
            header, header_line = _clean_header(cells, number, sheet.title), number
            continue
        rows.append((number, cells))
    if header is None:
        raise TableError([Problem(None, None, f"The sheet '{sheet.title}' is empty.", "empty",
                                  sheet=sheet.title)])
    table = Table(header=header, rows=[], header_line=header_line, sheet=sheet.title, notes=notes)
    # openpyxl's fast reader does not expose the sheet's XML; these two private
    # attributes are stable across 3.1 (pinned in pyproject) and tested by the bad-input suite.
    _check_sheet_layout(table, workbook._archive.read(sheet._worksheet_path))
    if table.problems:
        raise TableError(table.problems)
    table.rows = _fit_rows(table, rows)
    return table


_MERGED = re.compile(rb'<mergeCell ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')
_ROW_TAG = re.compile(rb"<row\b[^>]*>")
_ROW_NUMBER = re.compile(rb'\br="(\d+)"')
_HIDDEN = re.compile(rb'\bhidden="(?:1|true)"')
_FORMULA = re.compile(rb"<f[ >/]")
_STORED_VALUE = re.compile(rb"<v(?: [^>]*)?>[^<]")
_FORMULA_CELL = re.compile(rb'<c r="([A-Z]+)(\d+)"[^>]*>((?:(?!</c>).)*?<f[ >/](?:(?!</c>).)*?)</c>', re.DOTALL)


def _check_sheet_layout(table: Table, xml: bytes) -> None:
    """What openpyxl's fast reader does not tell: merged or hidden rows, and
    formulas (read as the values Excel last stored; an error when none was)."""
    line = table.header_line
    for first_col, first_row, last_col, last_row in _MERGED.findall(xml):
        cells = f"{first_col.decode()}{first_row.decode()}:{last_col.decode()}{last_row.decode()}"
        if int(first_row) <= line <= int(last_row):
            table.problems.append(table.problem(line, None, f"The header row has merged cells ({cells}): "
                                                "unmerge them so that each column has its own name.", "merged_header"))
        else:
            table.problems.append(table.problem(int(first_row), None, f"Cells {cells} are merged: unmerge them so "
                                                "that every row has its own values.", "merged_cells"))
    hidden = sorted(int(_ROW_NUMBER.search(tag).group(1)) for tag in _ROW_TAG.findall(xml)
                    if _HIDDEN.search(tag) and _ROW_NUMBER.search(tag))
    if line in hidden:
        table.problems.append(table.problem(line, None, "The header row is hidden in Excel: unhide it, and check "
                                            "it is the header you mean.", "hidden_header"))
    elif hidden:
        shown = ", ".join(map(str, hidden[:10])) + (" and more" if len(hidden) > 10 else "")
        table.notes.append(f"Rows hidden in Excel were read like the others: {shown}.")
    if not _FORMULA.search(xml):
        return
    table.notes.append("Some cells hold formulas: the values Excel last calculated and stored were used.")
    columns = {}
    for column, row, body in _FORMULA_CELL.findall(xml):
        if not _STORED_VALUE.search(body):
            columns.setdefault(int(row), column.decode())
    for row, column in sorted(columns.items()):
        table.problems.append(table.problem(row, None, f"Cell {column}{row} holds a formula with no stored value: "
                                            "open the file in Excel and save it again.", "formula_no_value"))


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def check_columns(table: Table, required: tuple[str, ...], optional: tuple[str, ...], what: str) -> list[Problem]:
    """Every required column present, no column the format does not know."""
    expected = f"The columns are: {', '.join(required)}"
    if optional:
        expected += f", and optionally {', '.join(optional)}"
    problems = []
    for name in required:
        if name not in table.header:
            problems.append(table.problem(table.header_line, name,
                f"The required column '{name}' is missing. {expected}.", "missing_column"))
    for name in table.header:
        if name not in required and name not in optional:
            problems.append(table.problem(table.header_line, name,
                f"'{name}' is not a column of {what}. {expected}.", "unknown_column"))
    return problems


def records(table: Table):
    """Yield (line, {column: cell}) for each data row."""
    header = table.header
    for line, cells in table.rows:
        yield line, dict(zip(header, cells))
