"""Validating the reference-data files: regions, organisations, indicators.

Pure, like `returns.py`: a Table and what the database already holds in,
clean rows plus every problem out.
"""

from __future__ import annotations

from dataclasses import dataclass

from .choices import AREAS, CONTEXT, DIRECTIONS, DOMAINS, KINDS, MEASURES, OTHER, PERFORMANCE
from .definitions import FROM_THE_START, format_from_year
from .numbers import ascii_lower, ascii_upper, non_ascii, parse_number
from .spreadsheets import Problem, Table, check_columns, records
from .years import format_year, parse_year

TRUE_WORDS = ("true", "yes", "y", "1")
FALSE_WORDS = ("false", "no", "n", "0", "")


@dataclass(frozen=True)
class RegionRow:
    line: int
    code: str
    name: str
    area: str


@dataclass(frozen=True)
class OrganisationRow:
    line: int
    code: str
    name: str
    type_code: str
    region_code: str
    opened: int | None
    closed: int | None
    successor_code: str | None


@dataclass(frozen=True)
class IndicatorRow:
    line: int
    code: str
    name: str
    kind: str
    domain: str
    direction: str
    type_codes: tuple[str, ...]
    weight: float
    core_threshold: float | None
    adjust_for_deprivation: bool
    unit: str
    description: str
    source: str
    from_year: int = FROM_THE_START  # the definition applies from this year (a row without a year: from the start)
    measure: str = OTHER
    multiplier: float | None = None


# The rules an organisation or indicator must keep, whether it comes in a file or
# from the admin's form (which gives the same words): each (message, code), or None.
OWN_SUCCESSOR = ("An organisation cannot be its own successor.", "own_successor")


def code_problem(code: str) -> tuple[str, str] | None:
    strange = non_ascii(code)
    if strange:
        return (f"The code '{code}' contains {strange}: codes are written in plain ASCII letters and digits.",
                "non_ascii_code")
    return None


def dates_problem(opened: int | None, closed: int | None) -> tuple[str, str] | None:
    if opened is not None and closed is not None and closed < opened:
        return f"It closes ({format_year(closed)}) before it opens ({format_year(opened)}).", "closed_before_opened"
    return None


def domain_problem(kind: str, domain: str, *, written: str | None = None) -> tuple[str, str] | None:
    """`written`: the domain as the file wrote it, when it differs from `domain` (lower-cased)."""
    if kind == PERFORMANCE and domain not in DOMAINS:
        return f"'{domain if written is None else written}' is not a domain: use {', '.join(DOMAINS)}.", "bad_domain"
    if kind == CONTEXT and domain:
        return "A context indicator has no domain: leave it blank.", "bad_domain"
    return None


def weight_problem(weight: float | None) -> tuple[str, str] | None:
    if weight is not None and weight <= 0:
        return "The weight must be more than 0.", "bad_weight"
    return None


def context_scored_problem(kind: str, core_threshold: float | None, adjust: bool) -> tuple[str, str] | None:
    if kind == CONTEXT and (core_threshold is not None or adjust):
        return "A context indicator is never scored: it has no core target and is not adjusted.", "context_scored"
    return None


def measure_problem(measure: str, *, written: str | None = None) -> tuple[str, str] | None:
    """`written`: the measure as the file wrote it, when it differs from `measure` (lower-cased)."""
    if measure not in MEASURES:
        return (f"'{measure if written is None else written}' is not a measure: use {', '.join(MEASURES)}.",
                "bad_measure")
    return None


def multiplier_problem(measure: str, multiplier: float | None) -> tuple[str, str] | None:
    if measure in MEASURES and measure != OTHER and multiplier is None:
        return (f"A {measure} needs a multiplier (e.g. 100 for a percentage, 100000 for per 100,000).",
                "missing_multiplier")
    if measure == OTHER and multiplier is not None:
        return "Only a proportion or a rate has a multiplier: leave it blank, or give the measure.", "stray_multiplier"
    if multiplier is not None and multiplier <= 0:
        return "The multiplier must be more than 0.", "bad_multiplier"
    return None


# What names an indicator, whatever the year: every row of one code must agree on these.
IDENTITY_COLUMNS = ("name", "unit", "description", "source")


class _Collector:
    """Gathers problems for one table so validators read as a list of rules."""

    def __init__(self, table: Table):
        self.table = table
        self.problems: list[Problem] = list(table.problems)

    def add(self, line, column, message, code):
        self.problems.append(self.table.problem(line, column, message, code))

    def header(self, required, optional, what) -> bool:
        problems = check_columns(self.table, required, optional, what)
        self.problems[:0] = problems
        if not problems and not self.table.rows and not self.table.problems:
            self.add(None, None, "The file has a header but no data rows.", "no_rows")
        return not self.problems

    def required(self, line, record, column) -> str:
        value = record.get(column, "")
        if not value:
            self.add(line, column, f"The {column.replace('_', ' ')} is missing.", "missing")
        return value

    def code(self, line, record, column) -> str:
        """A code, upper-cased (A-Z only); refused when it holds anything but printable ASCII."""
        value = self.required(line, record, column)
        self.rule(line, column, code_problem(value))
        return ascii_upper(value)

    def rule(self, line, column, broken: tuple[str, str] | None) -> None:
        """Record a rule's (message, code), if it is broken."""
        if broken is not None:
            self.add(line, column, *broken)

    def unique(self, seen: dict, key, line, column, label) -> bool:
        first = seen.setdefault(key, line)
        if first != line:
            self.add(line, column, f"Duplicate row: line {first} already gives {label} '{key}'.", "duplicate")
            return False
        return True

    def year(self, line, record, column) -> int | None:
        text = record.get(column, "")
        if not text:
            return None
        try:
            return parse_year(text)
        except ValueError as error:
            self.add(line, column, str(error), "bad_year")
            return None

    def sorted(self) -> list[Problem]:
        return sorted(self.problems, key=lambda p: p.line or 0)


def validate_regions(table: Table) -> tuple[list[RegionRow], list[Problem]]:
    check = _Collector(table)
    if not check.header(("code", "name", "area"), (), "a regions file"):
        return [], check.sorted()
    rows, seen = [], {}
    for line, record in records(table):
        code = check.code(line, record, "code")
        name = check.required(line, record, "name")
        area = ascii_lower(record["area"])
        if area not in AREAS:
            check.add(line, "area", f"'{record['area']}' is not an area: use North, Midlands or South.", "bad_area")
            continue
        if code and name and check.unique(seen, code, line, "code", "the region"):
            rows.append(RegionRow(line, code, name, area))
    return rows, check.sorted()


def validate_organisations(
    table: Table,
    *,
    type_codes: set[str],
    region_codes: dict[str, str],
    existing: dict[str, tuple[str, str]],
) -> tuple[list[OrganisationRow], list[Problem]]:
    """`region_codes` maps each region's code and name, lower-cased, to its code;
    `existing` maps each organisation already held to its (type code, region code)."""
    check = _Collector(table)
    if not check.header(("code", "name", "type", "region"), ("opened", "closed", "successor"),
                        "an organisations file"):
        return [], check.sorted()
    file_codes = {ascii_upper(record["code"]) for _, record in records(table)}
    rows, seen = [], {}
    for line, record in records(table):
        problems_before = len(check.problems)
        code = check.code(line, record, "code")
        name = check.required(line, record, "name")
        type_code = ascii_upper(check.required(line, record, "type"))
        if type_code and type_code not in type_codes:
            check.add(line, "type", f"'{record['type']}' is not a known organisation type code "
                      f"({', '.join(sorted(type_codes))}).", "unknown_type")
        region_text = check.required(line, record, "region")
        region_code = region_codes.get(ascii_lower(region_text))
        if region_text and region_code is None:
            check.add(line, "region", f"'{region_text}' is not a known region code or name.", "unknown_region")
        opened = check.year(line, record, "opened")
        closed = check.year(line, record, "closed")
        check.rule(line, "closed", dates_problem(opened, closed))
        successor = ascii_upper(record.get("successor", "")) or None
        if successor is not None and successor == code:
            check.rule(line, "successor", OWN_SUCCESSOR)
        elif successor is not None and successor not in file_codes and successor not in existing:
            check.add(line, "successor", f"'{record['successor']}' is not a known organisation code.",
                      "unknown_successor")
        if code in existing and type_code and region_code:
            held_type, held_region = existing[code]
            if held_type != type_code:
                check.add(line, "type", f"{code} is held as type {held_type}; re-importing cannot change its "
                          "type (open a new organisation and name it as the successor).", "type_changed")
            if held_region != region_code:
                check.add(line, "region", f"{code} is held in region {held_region}; re-importing cannot move it "
                          "to another region.", "region_changed")
        if len(check.problems) == problems_before and check.unique(seen, code, line, "code", "the organisation"):
            rows.append(OrganisationRow(line, code, name, type_code, region_code, opened, closed, successor))
    return rows, check.sorted()


def validate_indicators(table: Table, *, type_codes: set[str]) -> tuple[list[IndicatorRow], list[Problem]]:
    """One row per definition: a code may appear on several rows with different
    years (a row without a year defines it from the start); they must agree on
    its name, unit, description and source."""
    check = _Collector(table)
    if not check.header(
        ("code", "name", "kind", "domain", "direction", "organisation_types"),
        ("weight", "core_threshold", "adjust_for_deprivation", "unit", "description", "source", "year", "measure",
         "multiplier"),
        "an indicators file",
    ):
        return [], check.sorted()
    rows, seen, identities = [], {}, {}
    for line, record in records(table):
        problems_before = len(check.problems)
        code = check.code(line, record, "code")
        name = check.required(line, record, "name")
        kind = ascii_lower(record["kind"])
        if kind not in KINDS:
            check.add(line, "kind", f"'{record['kind']}' is not a kind: use performance or context.", "bad_kind")
        domain = ascii_lower(record["domain"])
        check.rule(line, "domain", domain_problem(kind, domain, written=record["domain"]))
        direction = ascii_lower(record["direction"]) or "higher_better"
        if direction not in DIRECTIONS:
            check.add(line, "direction", f"'{record['direction']}' is not a direction: use higher_better or "
                      "lower_better.", "bad_direction")
        types = tuple(sorted({ascii_upper(part.strip()) for part in record["organisation_types"].split(";")
                              if part.strip()}))
        if not types:
            check.add(line, "organisation_types", "Give at least one organisation type code, separated by "
                      "semicolons (e.g. HA;TRUST).", "missing")
        for unknown in (t for t in types if t not in type_codes):
            check.add(line, "organisation_types", f"'{unknown}' is not a known organisation type code "
                      f"({', '.join(sorted(type_codes))}).", "unknown_type")
        weight = _number(check, line, record, "weight", default=1.0)
        check.rule(line, "weight", weight_problem(weight))
        threshold = _number(check, line, record, "core_threshold", default=None)
        adjust_text = ascii_lower(record.get("adjust_for_deprivation", ""))
        if adjust_text not in TRUE_WORDS + FALSE_WORDS:
            check.add(line, "adjust_for_deprivation", f"'{record['adjust_for_deprivation']}' is not true or false.",
                      "bad_boolean")
        adjust = adjust_text in TRUE_WORDS
        check.rule(line, "core_threshold" if threshold is not None else "adjust_for_deprivation",
                   context_scored_problem(kind, threshold, adjust))
        from_year = check.year(line, record, "year")
        measure = ascii_lower(record.get("measure", "")) or OTHER
        check.rule(line, "measure", measure_problem(measure, written=record.get("measure")))
        multiplier = _number(check, line, record, "multiplier", default=None)
        if "multiplier" not in record or record["multiplier"] == "" or multiplier is not None:
            check.rule(line, "multiplier", multiplier_problem(measure, multiplier))
        identity = tuple(record.get(column, "") for column in IDENTITY_COLUMNS)
        if code:
            first_line, first = identities.setdefault(code, (line, identity))
            for column, held, given in zip(IDENTITY_COLUMNS, first, identity):
                if given != held:
                    check.add(line, column, f"Line {first_line} gives {code} the {column} '{held}': every row of "
                              f"one indicator gives the same {column}.", "identity_differs")
        if from_year is None and record.get("year", ""):
            continue  # the year was refused above
        from_year = FROM_THE_START if from_year is None else from_year
        first_line = seen.setdefault((code, from_year), line) if len(check.problems) == problems_before else line
        if first_line != line:
            check.add(line, "year" if "year" in record else "code", f"Duplicate row: line {first_line} already "
                      f"defines '{code}' {format_from_year(from_year)}.", "duplicate")
        elif len(check.problems) == problems_before:
            rows.append(IndicatorRow(
                line, code, name, kind, domain if kind == PERFORMANCE else "", direction, types,
                weight, threshold, adjust, record.get("unit", ""), record.get("description", ""),
                record.get("source", ""), from_year, measure, multiplier,
            ))
    return rows, check.sorted()


def _number(check: _Collector, line, record, column, default):
    text = record.get(column, "")
    if not text:
        return default
    try:
        return parse_number(text)
    except ValueError as error:
        check.add(line, column, str(error), "not_a_number")
        return None
