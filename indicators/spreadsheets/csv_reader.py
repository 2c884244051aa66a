"""Reading CSV text: the encodings Excel writes, a NUL anywhere refused, the
csv module in strict mode, every row fitted to the header. Pure."""

from __future__ import annotations

import codecs
import csv
import io
import re

from ..numbers import ASCII_SPACES
from .problems import Problem, TableError, refusal
from .table import Table, clean_header, fit_rows


def _decode(content: bytes) -> str:
    if content.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise refusal("The file is UTF-32 text: save it as CSV UTF-8.", "encoding")
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


def read_csv(content: bytes) -> Table:
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
                header, header_line = clean_header(cells, line, None), line
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
    table.rows = fit_rows(table, rows)
    return table
