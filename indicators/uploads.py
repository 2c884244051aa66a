"""Rules a web upload must meet beyond the return format itself: the year it
was made for, the uploader's regions, and size limits. Pure: plain data in,
located problems out, like the returns parser it runs after (unchanged)."""

from __future__ import annotations

from .returns import ReturnRow
from .spreadsheets import Problem, ProblemGroup, group_problems
from .years import format_year


def scope_problems(rows: list[ReturnRow], *, year: int, organisation_regions: dict[str, str],
                   allowed_regions: set[str] | None, region_names: dict[str, str],
                   sheet: str | None = None) -> list[Problem]:
    """A problem for each row of another year, or (unless allowed_regions is
    None, an admin) of an organisation outside the uploader's regions."""
    problems = []
    allowed = None if allowed_regions is None else ", ".join(sorted(region_names[r] for r in allowed_regions))
    for row in rows:
        if row.year != year:
            # Worded to read as well for one row as for the 1,739 rows of a file for another year.
            problems.append(Problem(row.line, "year", f"The year is {format_year(row.year)}, but this upload is for "
                                                      f"{format_year(year)}.", "other_year", sheet))
        region = organisation_regions[row.organisation_code]
        if allowed_regions is not None and region not in allowed_regions:
            problems.append(Problem(
                row.line, "organisation_code",
                f"{row.organisation_code} is in {region_names[region]}; you can upload returns only for "
                f"{allowed or 'no region'}.", "outside_region", sheet))
    return problems


def size_problem(size: int, limit: int) -> Problem | None:
    if size <= limit:
        return None
    return Problem(None, None, f"The file is {_megabytes(size)}; the largest accepted is {_megabytes(limit)}.",
                   "too_large")


def rows_problem(count: int, limit: int) -> Problem | None:
    if count <= limit:
        return None
    return Problem(None, None, f"The file has {count:,} rows; the most accepted in one upload is {limit:,}. "
                               f"Split it into several files.", "too_many_rows")


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def problems_to_show(stored: list[dict]) -> list[dict]:
    """An upload's stored problems (one per row, as the problems CSV gives them)
    grouped for its page: a message that many rows share is one entry whose
    line is the first lines listed, and whose message starts with the count."""
    problems = [Problem(p.get("line"), p.get("column"), p["message"], "", p.get("sheet")) for p in stored]
    return [{"sheet": p.sheet, "line": p.rows, "column": p.column, "message": p.summary}
            if isinstance(p, ProblemGroup) else
            {"sheet": p.sheet, "line": p.line, "column": p.column, "message": p.message}
            for p in group_problems(problems)]
