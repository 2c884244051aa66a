"""What is wrong with a file, located by line (or sheet and row) and column,
and the same problem on many rows said once. Pure."""

from __future__ import annotations

from dataclasses import dataclass


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


def refusal(message: str, code: str) -> TableError:
    """The whole file refused, for one reason."""
    return TableError([Problem(None, None, message, code)])
