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

from .numbers import ASCII_SPACES, ascii_lower, non_ascii

# An .xlsx is a zip: refuse one that would expand past this before parsing it.
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
ZIP_SIGNATURE = b"PK\x03\x04"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls, and any password-protected workbook
MAX_SHEET_CELLS = 2_000_000  # filled cells read from one sheet: far more than the largest return needs


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


SHOWN_LINES = 5  # lines listed for a problem that many rows share


@dataclass(frozen=True)
class ProblemGroup:
    """The same problem (sheet, column and message) on several rows, said once."""

    lines: tuple[int, ...]
    column: str | None
    message: str
    sheet: str | None = None

    @property
    def rows(self) -> str:
        """The first lines, and how many more: "2, 3, 4, 5, 6 and 1,734 more"."""
        shown = ", ".join(f"{line:,}" for line in self.lines[:SHOWN_LINES])
        more = len(self.lines) - SHOWN_LINES
        return f"{shown} and {more:,} more" if more > 0 else shown

    @property
    def summary(self) -> str:
        message = self.message
        if message[:1].isupper() and message[1:2].islower():
            message = message[0].lower() + message[1:]
        return f"{len(self.lines):,} rows: {message}"

    def __str__(self) -> str:
        parts = [f"Sheet '{self.sheet}'"] if self.sheet is not None else []
        parts.append(f"{'rows' if self.sheet is not None else 'lines'} {self.rows}")
        if self.column is not None:
            parts.append(f"column {self.column}")
        return f"{len(self.lines):,} rows ({', '.join(parts)}): {self.message}"


def group_problems(problems) -> list[Problem | ProblemGroup]:
    """Problems as a person reads them: one entry for a message that several
    rows share (in the place of its first row), every other problem as it is."""
    groups: dict[tuple, list[Problem]] = {}
    for problem in problems:
        key = (problem.sheet, problem.column, problem.message) if problem.line is not None else id(problem)
        groups.setdefault(key, []).append(problem)
    return [members[0] if len(members) == 1 else
            ProblemGroup(tuple(p.line for p in members), members[0].column, members[0].message, members[0].sheet)
            for members in groups.values()]


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
    if content.startswith(OLE_SIGNATURE):
        raise _not_a_workbook(content)
    if filename.lower().endswith((".xlsx", ".xlsm")):
        return _read_xlsx(content, max_unzipped_bytes)
    if content.startswith(ZIP_SIGNATURE):
        if not filename.lower().endswith((".csv", ".txt")):
            return _read_xlsx(content, max_unzipped_bytes)  # it says what kind of spreadsheet it is
        raise TableError([Problem(None, None,
            "The file is an Excel workbook or other zip file, not CSV text: give it the .xlsx extension "
            "or save it as CSV.", "not_csv")])
    return _read_csv(content)


def _decode(content: bytes) -> str:
    if content.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise _refuse("The file is UTF-32 text: save it as CSV UTF-8.", "encoding")
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's "Unicode text" and some exports: UTF-16 with its byte-order mark.
        try:
            text = content.decode("utf-16")
        except UnicodeDecodeError:
            raise TableError([Problem(None, None, "The file says it is UTF-16 text but is damaged: save it as "
                                                  "CSV UTF-8.", "encoding")]) from None
        _refuse_nul(text)
        return text
    if b"\x00" in content[:8192]:
        raise TableError([Problem(None, None,
            "The file is not text: it looks like a binary file. Save it as CSV (comma-separated values).",
            "binary")])
    for encoding in ("utf-8-sig", "cp1252"):
        # utf-8-sig drops Excel's byte-order mark; cp1252 is Excel's default
        # on Windows and the usual source of the pound sign.
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        _refuse_nul(text)
        return text
    raise TableError([Problem(None, None,
        "The file's text is neither UTF-8 nor Windows-1252: save it as CSV UTF-8.", "encoding")])


_LINE_BREAK = re.compile(r"\r\n?|\n")


def _refuse_nul(text: str) -> None:
    """A NUL anywhere, not only near the start: PostgreSQL cannot store one in text."""
    position = text.find("\x00")
    if position >= 0:
        line = len(_LINE_BREAK.findall(text, 0, position)) + 1
        raise TableError([Problem(line, None, "This line contains a NUL character (a zero byte), which no text "
                                  "value may hold: the file is damaged or not plain text. Save it again as CSV "
                                  "UTF-8.", "nul")])


def _read_csv(content: bytes) -> Table:
    text = _decode(content)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    header_line = 1
    rows: list[tuple[int, list[str]]] = []
    try:
        for raw in reader:
            line = reader.line_num
            cells = [cell.strip(ASCII_SPACES) for cell in raw]
            if not any(cells):
                continue
            if header is None:
                header, header_line = _clean_header(cells, line, None), line
                continue
            rows.append((line, cells))
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            raise TableError([Problem(reader.line_num, None, f"A value here is longer than "
                                      f"{csv.field_size_limit():,} characters: check for an unclosed quotation "
                                      "mark.", "too_long")]) from None
        raise TableError([Problem(reader.line_num, None,
            f"The CSV is malformed here ({error}); check for an unclosed quotation mark.", "malformed")]) from None
    if header is None:
        raise TableError([Problem(None, None, "The file is empty.", "empty")])
    table = Table(header=header, rows=[], header_line=header_line)
    table.rows = _fit_rows(table, rows)
    return table


def _clean_header(cells: list[str], line: int, sheet: str | None) -> list[str]:
    # Column names ignore case, but only A-Z's: no Unicode folding turns another letter into a column name.
    header = [ascii_lower(cell.strip(ASCII_SPACES)) for cell in cells]
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


MAX_XML_DEPTH = 100  # a sheet's elements nest six deep; Excel's own limit is far below this
_EXCEL_ROWS, _EXCEL_COLUMNS = 1_048_576, 16_384
_CELL_REFERENCE = re.compile(r"([A-Z]{1,3})([0-9]{1,7})", re.ASCII)
_RANGE = re.compile(r"([A-Z]{1,3})([0-9]{1,7}):([A-Z]{1,3})([0-9]{1,7})", re.ASCII)
_XML_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", re.ASCII)


def _refuse(message: str, code: str) -> TableError:
    return TableError([Problem(None, None, message, code)])


def _not_a_workbook(content: bytes) -> TableError | None:
    """What a file that is not an .xlsx workbook is, in words its sender knows."""
    if content.startswith(OLE_SIGNATURE):
        return _refuse("The file is an old-style Excel workbook (.xls) or a password-protected one: open it in "
                       "Excel, remove any password, and save it as .xlsx (Excel Workbook) or CSV.", "old_excel")
    if not content.startswith(ZIP_SIGNATURE):
        return _refuse("The file has the .xlsx extension but is not an Excel workbook (it may be a CSV file "
                       "renamed): save it from Excel as .xlsx, or give it the .csv extension.", "not_xlsx")
    return None


def _read_xlsx(content: bytes, max_unzipped_bytes: int) -> Table:
    refusal = _not_a_workbook(content)
    if refusal:
        raise refusal
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise _refuse("The Excel file is damaged and cannot be opened: save it again from Excel as .xlsx.",
                      "bad_xlsx") from None
    unzipped = sum(member.file_size for member in members)
    if unzipped > max_unzipped_bytes:
        raise _refuse(f"The Excel file would expand to {unzipped / 1e6:.0f} MB when opened, more than the "
                      f"{max_unzipped_bytes / 1e6:.0f} MB allowed: save it as CSV instead.", "too_large_unzipped")
    names = {member.filename for member in members}
    if "xl/workbook.bin" in names:
        raise _refuse("The file is an Excel binary workbook (.xlsb): save it from Excel as .xlsx (Excel "
                      "Workbook) or CSV.", "xlsb")
    if "mimetype" in names and b"opendocument" in _member(archive, "mimetype", 200):
        raise _refuse("The file is an OpenDocument spreadsheet (.ods): save it as .xlsx (Excel Workbook) or CSV.",
                      "ods")
    if "[Content_Types].xml" not in names or not any(name.startswith("xl/") for name in names):
        raise _refuse("The file is a zip archive, not an Excel workbook: upload the .xlsx file itself, or save "
                      "the return as CSV.", "not_a_workbook")

    if not any(name.startswith("xl/worksheets/") for name in names):
        charts = " (only charts)" if any(name.startswith("xl/chartsheets/") for name in names) else ""
        raise _refuse(f"The workbook has no worksheet{charts}: put the return on a worksheet.", "no_sheet")

    import openpyxl  # imported here: loading it costs time the CSV path does not need

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged file; none of their names help a person
        raise _refuse("The Excel file is damaged or is not a workbook Excel wrote, so it cannot be read: open it "
                      "in Excel and save it again as .xlsx, or save it as CSV.", "bad_xlsx") from None
    try:
        return _read_sheet(workbook)
    finally:
        workbook.close()


def _member(archive: zipfile.ZipFile, name: str, limit: int) -> bytes:
    try:
        with archive.open(name) as member:
            return member.read(limit)
    except (KeyError, zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError):
        return b""


def _read_sheet(workbook) -> Table:
    if not workbook.worksheets:
        raise _refuse("The workbook has no worksheet: put the return on a worksheet.", "no_sheet")
    visible = [ws for ws in workbook.worksheets if getattr(ws, "sheet_state", "visible") == "visible"]
    if not visible:
        raise _refuse("The workbook has no visible sheet: unhide the sheet holding the return.", "no_sheet")
    sheet = visible[0]
    notes = []
    if len(workbook.worksheets) > 1:
        notes.append(f"Read the sheet '{sheet.title}' only; the workbook's other "
                     f"{len(workbook.worksheets) - 1} sheet(s) were ignored.")
    reader = _SheetReader(sheet, workbook)
    try:
        # openpyxl's private path to the sheet's part: stable across 3.1 (pinned in pyproject). The sheet is
        # read here rather than through openpyxl's row iterator, which trusts the declared <dimension>
        # (dropping rows and columns beyond it) and stops at the first cell it cannot convert.
        with workbook._archive.open(sheet._worksheet_path) as stream:
            reader.read(stream)
    except TableError:
        raise
    except Exception:  # a damaged part: bad XML, a bad zip entry, a document type declaration
        raise TableError([Problem(None, None, f"The sheet '{sheet.title}' is damaged and cannot be read: open "
                                  "the file in Excel and save it again as .xlsx, or save it as CSV.", "bad_sheet",
                                  sheet=sheet.title)]) from None
    return reader.table(notes)


_PROLOG_ITEM = re.compile(r"\s*(<\?.*?\?>|<!--.*?-->)", re.DOTALL)


def _declares_a_document_type(start: bytes) -> bool:
    """Whether the XML beginning `start` has anything but comments and processing
    instructions before its first element (a DTD, or a prolog too long to check)."""
    text = start.decode("utf-16" if start[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8-sig", errors="ignore")
    position = 0
    while match := _PROLOG_ITEM.match(text, position):
        position = match.end()
    rest = text[position:].lstrip()
    return not rest.startswith("<") or rest.startswith("<!")


_LOCAL_NAMES: dict = {}


def _local(tag) -> str:
    """A tag's name without its namespace (Excel's, or strict OOXML's): remembered, as a sheet repeats a few."""
    name = _LOCAL_NAMES.get(tag)
    if name is None:
        name = tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""
        if len(_LOCAL_NAMES) < 1000:
            _LOCAL_NAMES[tag] = name
    return name


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def _column_letters(number: int) -> str:
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


class _SheetReader:
    """One pass over a worksheet's XML: every cell's text by row and column,
    with what openpyxl's fast reader does not tell (merged cells, hidden rows,
    formulas without a stored value, cells it cannot convert) as located problems."""

    def __init__(self, sheet, workbook):
        from openpyxl.styles.numbers import BUILTIN_FORMATS_MAX_SIZE, builtin_format_code

        self.title = sheet.title
        # Private to openpyxl's read-only sheet, like the sheet's path below: the workbook's own
        # `shared_strings` is the (empty) list it writes from.
        self.shared_strings = sheet._shared_strings
        self.epoch = workbook.epoch
        self.date_styles = getattr(workbook, "_date_formats", set())
        self.timedelta_styles = getattr(workbook, "_timedelta_formats", set())
        self.percent_styles = set()
        custom = list(getattr(workbook, "_number_formats", []))
        for index, style in enumerate(getattr(workbook, "_cell_styles", [])):
            number_format = (builtin_format_code(style.numFmtId) if style.numFmtId < BUILTIN_FORMATS_MAX_SIZE
                             else custom[style.numFmtId - BUILTIN_FORMATS_MAX_SIZE]
                             if style.numFmtId - BUILTIN_FORMATS_MAX_SIZE < len(custom) else "")
            if "%" in (number_format or ""):
                self.percent_styles.add(index)
        self.rows: dict[int, dict[int, str]] = {}
        self.cell_problems: list[tuple[int, int, str, str]] = []  # row, column number (0: none), message, code
        self.merged: list[str] = []
        self.hidden: list[int] = []
        self.formulas = False
        self.cells = 0

    def read(self, stream) -> None:
        # The standard library's C parser: defusedxml's pure-Python one took ten times as long on a large
        # sheet. What defusedxml guards against comes only in a document type declaration, which must
        # come before the first element, so one is refused there (expat also limits entity expansion).
        from xml.etree.ElementTree import iterparse

        stream = io.BufferedReader(stream, 1 << 16)
        if _declares_a_document_type(stream.peek(1 << 16)[: 1 << 16]):
            raise ValueError("a document type declaration")
        row_number = 0
        # Each element is dropped from its parent once read (a row's cells with the row), so that memory
        # stays that of one row, however many elements, or how deeply nested, a hostile sheet holds.
        open_elements: list = []
        rows_open = 0  # more than one only in a damaged sheet: a row inside a row
        for event, element in iterparse(stream, events=("start", "end")):
            if event == "start":
                open_elements.append(element)
                if len(open_elements) > MAX_XML_DEPTH:
                    raise ValueError("elements nested too deeply")
                rows_open += _local(element.tag) == "row"
                continue
            open_elements.pop()
            tag = _local(element.tag)
            if tag == "row":
                row_number = self._row(element, row_number)
                rows_open -= 1
            elif rows_open:
                continue
            elif tag == "mergeCell":
                self.merged.append(element.get("ref", ""))
            if open_elements:
                open_elements[-1].remove(element)

    def _row(self, element, previous: int) -> int:
        text = element.get("r")
        number = int(text) if text and text.isascii() and text.isdigit() else previous + 1
        if element.get("hidden") in ("1", "true"):
            self.hidden.append(number)
        column = 0
        for cell in element:
            if _local(cell.tag) != "c":
                continue
            column += 1
            row = number
            reference = cell.get("r")
            if reference is not None:
                match = _CELL_REFERENCE.fullmatch(reference)
                if not match:
                    self._problem(number, column, f"A cell has the address '{reference[:20]}', which is not an "
                                  "Excel cell address: the file is damaged or was not written by Excel.",
                                  "bad_address")
                    continue
                column, row = _column_number(match.group(1)), int(match.group(2))
            if not (1 <= row <= _EXCEL_ROWS and 1 <= column <= _EXCEL_COLUMNS):
                self._problem(max(1, min(row, _EXCEL_ROWS)), 0, f"A cell has the address "
                              f"{_column_letters(column)}{row}, beyond the last Excel cell (XFD1048576).",
                              "bad_address")
                continue
            value = self._value(cell, row, column)
            if value is None:
                continue
            held = self.rows.setdefault(row, {})
            if column in held:
                self._problem(row, column, f"Two cells have the address {_column_letters(column)}{row}: the file "
                              "is damaged or was not written by Excel; save it again from Excel.", "duplicate_cell")
                continue
            held[column] = value
            self.cells += 1
            if self.cells > MAX_SHEET_CELLS:
                raise TableError([Problem(None, None, f"The sheet '{self.title}' has more than "
                                          f"{MAX_SHEET_CELLS:,} filled cells, far more than a return needs: "
                                          "remove what is not part of the return, or split it.",
                                          "too_many_cells", sheet=self.title)])
        return number

    def _value(self, cell, row: int, column: int) -> str | None:
        """The cell's text, "" when it is blank, None when it cannot be read (a problem is recorded)."""
        kind = cell.get("t", "n")
        address = _Address(row, column)
        stored = formula = inline = None
        for child in cell:
            name = _local(child.tag)
            if name == "v" and stored is None:  # the first, as Excel and openpyxl read it
                stored = child.text or ""
            elif name == "f":
                formula = child
            elif name == "is":
                phonetic = _phonetic_parts(child)
                inline = "".join(part.text or "" for part in child.iter()
                                 if _local(part.tag) == "t" and part not in phonetic)
        if formula is not None:
            self.formulas = True
            if not stored and kind != "inlineStr":
                self._problem(row, column, f"Cell {address} holds a formula with no stored value: open the file "
                              "in Excel and save it again.", "formula_no_value")
                return None
        if kind == "inlineStr":
            return (inline or "").strip(ASCII_SPACES)
        if stored is None:
            return ""
        if kind in ("str", "d", "e"):
            # A formula's text result, an ISO 8601 date, an error such as #N/A: read as the text shown.
            return stored.strip(ASCII_SPACES)
        if kind == "s":
            index = stored.strip(ASCII_SPACES)
            if not (index.isascii() and index.isdigit() and int(index) < len(self.shared_strings)):
                self._problem(row, column, f"Cell {address} refers to text the workbook does not hold: the file is "
                              "damaged; save it again from Excel.", "missing_shared_string")
                return None
            return str(self.shared_strings[int(index)] or "").strip(ASCII_SPACES)
        if kind == "b":
            if stored.strip() not in ("0", "1"):
                self._problem(row, column, f"Cell {address} is a true/false cell holding '{stored[:20]}': the "
                              "file is damaged; save it again from Excel.", "bad_boolean_cell")
                return None
            return "TRUE" if stored.strip() == "1" else "FALSE"
        if kind != "n":
            self._problem(row, column, f"Cell {address} has a type ('{kind[:20]}') Excel does not write: save the "
                          "file again from Excel.", "bad_cell_type")
            return None
        number = stored.strip(ASCII_SPACES)
        if not _XML_NUMBER.fullmatch(number):
            self._problem(row, column, f"Cell {address} is stored as a number but holds '{number[:40]}', which is "
                          "not one: type the value again in Excel.", "bad_number_cell")
            return None
        style = int(cell.get("s", "0")) if cell.get("s", "0").isascii() and cell.get("s", "0").isdigit() else 0
        if style in self.date_styles:
            return self._date(number, style, row, column, address)
        if style in self.percent_styles:
            self._problem(row, column, f"Cell {address} is formatted as a percentage, so Excel shows "
                          f"{_percent(number)} but stores {number}: format the cell as a plain number and type "
                          "the figure you mean.", "percent_cell")
            return None
        return number

    def _date(self, number: str, style: int, row: int, column: int, address: str) -> str | None:
        from openpyxl.utils.datetime import from_excel

        try:
            when = from_excel(float(number), self.epoch, timedelta=style in self.timedelta_styles)
        except (OverflowError, ValueError, TypeError):
            self._problem(row, column, f"Cell {address} is formatted as a date but holds {number}, which is not a "
                          "date Excel can show: format it as a plain number.", "bad_date_cell")
            return None
        text = str(when)
        return text[:-9] if text.endswith(" 00:00:00") else text

    def _problem(self, row: int, column: int, message: str, code: str) -> None:
        self.cell_problems.append((row, column, message, code))

    def table(self, notes: list[str]) -> Table:
        filled = [(number, cells) for number, cells in sorted(self.rows.items()) if any(cells.values())]
        if not filled:
            raise TableError([Problem(None, None, f"The sheet '{self.title}' is empty.", "empty", sheet=self.title)])
        header_line, header_cells = filled[0]
        width = max(header_cells)
        header = _clean_header([header_cells.get(c, "") for c in range(1, width + 1)], header_line, self.title)
        table = Table(header=header, rows=[], header_line=header_line, sheet=self.title, notes=notes)
        bad_rows = set()
        for row, column, message, code in sorted(self.cell_problems):
            name = (None if column == 0 else header[column - 1] if row != header_line and column <= len(header)
                    else _column_letters(column))
            table.problems.append(table.problem(row, name, message, code))
            bad_rows.add(row)
        self._layout(table, bad_rows)
        if any(p.line == header_line for p in table.problems):
            raise TableError(table.problems)
        width = len(header)
        for number, cells in filled[1:]:
            if number in bad_rows:
                continue  # already reported; its other cells would only repeat the problem
            last = max(column for column, text in cells.items() if text)
            if last > width:
                table.problems.append(table.problem(number, None, f"This row has {last} values but the header has "
                                                    f"{width} columns.", "ragged"))
                continue
            table.rows.append((number, [cells.get(column, "") for column in range(1, width + 1)]))
        table.problems.sort(key=lambda p: p.line or 0)
        return table

    def _layout(self, table: Table, bad_rows: set[int]) -> None:
        line = table.header_line
        for reference in self.merged:
            match = _RANGE.fullmatch(reference)
            if not match:
                continue
            first_row, last_row = int(match.group(2)), int(match.group(4))
            if first_row <= line <= last_row:
                table.problems.append(table.problem(line, None, f"The header row has merged cells ({reference}): "
                                                    "unmerge them so that each column has its own name.",
                                                    "merged_header"))
            else:
                table.problems.append(table.problem(first_row, None, f"Cells {reference} are merged: unmerge them "
                                                    "so that every row has its own values.", "merged_cells"))
                bad_rows.update(row for row in self.rows if first_row <= row <= last_row)
        hidden = sorted(self.hidden)
        if line in hidden:
            table.problems.append(table.problem(line, None, "The header row is hidden in Excel: unhide it, and "
                                                "check it is the header you mean.", "hidden_header"))
        elif hidden:
            shown = ", ".join(map(str, hidden[:10])) + (" and more" if len(hidden) > 10 else "")
            table.notes.append(f"Rows hidden in Excel were read like the others: {shown}.")
        if self.formulas:
            table.notes.append("Some cells hold formulas: the values Excel last calculated and stored were used.")


class _Address:
    """A cell's address ("D2"), written out only when a message needs it."""

    __slots__ = ("row", "column")

    def __init__(self, row: int, column: int):
        self.row, self.column = row, column

    def __str__(self) -> str:
        return f"{_column_letters(self.column)}{self.row}"


def _phonetic_parts(inline) -> set:
    """The text of phonetic guides (<rPh>) inside an inline string: not part of the value."""
    return {part for guide in inline.iter() if _local(guide.tag) == "rPh" for part in guide.iter()}


def _percent(number: str) -> str:
    try:
        return f"{float(number) * 100:g}%"
    except (OverflowError, ValueError):
        return f"{number} as a percentage"


def check_columns(table: Table, required: tuple[str, ...], optional: tuple[str, ...], what: str,
                  ignored: tuple[str, ...] = ()) -> list[Problem]:
    """Every required column present, no column the format does not know
    (`ignored` columns are known, and read by no one)."""
    expected = f"The columns are: {', '.join(required)}"
    if optional:
        expected += f", and optionally {', '.join(optional)}"
    problems = []
    for name in required:
        if name not in table.header:
            problems.append(table.problem(table.header_line, name,
                f"The required column '{name}' is missing. {expected}.", "missing_column"))
    for name in table.header:
        if name not in required and name not in optional and name not in ignored:
            strange = non_ascii(name)
            found = f" (it contains {strange})" if strange else ""
            problems.append(table.problem(table.header_line, name,
                f"'{name}' is not a column of {what}{found}. {expected}.", "unknown_column"))
    return problems


def records(table: Table):
    """Yield (line, {column: cell}) for each data row."""
    header = table.header
    for line, cells in table.rows:
        yield line, dict(zip(header, cells))
