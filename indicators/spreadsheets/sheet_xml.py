"""One pass over a worksheet's XML with the standard library's parser: every
cell's text by row and column, and what openpyxl's fast reader does not tell
(merged cells, hidden rows, formulas without a stored value, cells it cannot
convert) as located problems, in the memory of one row. Pure (openpyxl for
the workbook's styles and dates)."""

from __future__ import annotations

import io
import re

from ..numbers import ASCII_SPACES
from .problems import Problem, TableError
from .table import Table, clean_header

MAX_SHEET_CELLS = 2_000_000  # filled cells read from one sheet: far more than the largest return needs
MAX_XML_DEPTH = 100  # a sheet's elements nest six deep; Excel's own limit is far below this
_EXCEL_ROWS, _EXCEL_COLUMNS = 1_048_576, 16_384
_CELL_REFERENCE = re.compile(r"([A-Z]{1,3})([0-9]{1,7})", re.ASCII)
_RANGE = re.compile(r"([A-Z]{1,3})([0-9]{1,7}):([A-Z]{1,3})([0-9]{1,7})", re.ASCII)
_XML_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", re.ASCII)


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


class SheetReader:
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
        header = clean_header([header_cells.get(c, "") for c in range(1, width + 1)], header_line, self.title)
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
