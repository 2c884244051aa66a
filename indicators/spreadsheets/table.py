"""The plain table every reader produces: a header and rows of stripped
text, each row with its line (or sheet row) number; and what the validators
ask of it. Pure."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..numbers import ASCII_SPACES, ascii_lower, non_ascii
from .problems import Problem, TableError


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


def clean_header(cells: list[str], line: int, sheet: str | None) -> list[str]:
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


def fit_rows(table: Table, rows: list[tuple[int, list[str]]]) -> list[tuple[int, list[str]]]:
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
