"""The one CSV writer: every CSV the site serves or a command writes (return
templates, problem lists, the ratings file, the public downloads) goes through
it, so that none can hold a cell a spreadsheet would run as a formula. Pure."""

from __future__ import annotations

import csv
import io
from typing import Iterable, Iterator, TextIO

# A text cell starting with one of these is read by spreadsheets as a formula (OWASP's list, and NUL).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\x00")
CHUNK_CHARACTERS = 64 * 1024  # text handed to the server at a time, when streamed


def neutralise(cell):
    """Stop a spreadsheet reading a text cell as a formula (OWASP); numbers pass untouched."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def safe_cells(row: Iterable) -> list:
    """`neutralise` on every cell of a row of plain values (str, not a subclass).
    Written out, not a call per cell: this runs for every cell of a 400,000-row
    file, and the call was a fifth of its time. (The csv writer writes None as "".)"""
    return ["'" + cell if cell.__class__ is str and cell.startswith(FORMULA_STARTS) else cell for cell in row]


def write_csv(rows: Iterable[Iterable], handle: TextIO, columns: Iterable[str]) -> int:
    """Write the header and the rows to an open text file; return the number of rows."""
    count = 0

    def counted():
        nonlocal count
        for row in rows:
            count += 1
            yield row

    for chunk in csv_chunks(counted(), columns):
        handle.write(chunk)
    return count


def csv_chunks(rows: Iterable[Iterable], columns: Iterable[str],
               chunk_characters: int = CHUNK_CHARACTERS) -> Iterator[str]:
    """The text `write_csv` writes, in pieces of about `chunk_characters`, for a streamed response."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(safe_cells(row))
        if buffer.tell() >= chunk_characters:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_text(rows: Iterable[Iterable], columns: Iterable[str]) -> str:
    """The whole file as one string, for a small download."""
    return "".join(csv_chunks(rows, columns))
