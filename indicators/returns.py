"""Validating an indicator return: a table of
organisation_code, indicator_code, year, value[, numerator, denominator].

Pure: a Table and the reference data in, parsed rows plus every problem out.
Nothing is stored here; `indicators.actions.apply_return` does that, and only
when there is no problem at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .numbers import ascii_upper, non_ascii, parse_number, quoted
from .spreadsheets import Problem, Table, TableError, check_columns, read_table
from .years import format_year, is_open_in, parse_year

REQUIRED_COLUMNS = ("organisation_code", "indicator_code", "year", "value")
OPTIONAL_COLUMNS = ("numerator", "denominator")
# Written by the template download so that people can read it; never read back.
IGNORED_COLUMNS = ("organisation_name", "indicator_name")
# A definition's measure (`indicators.models.Measure`): the value of a proportion or
# rate is multiplier × numerator / denominator; of anything else, whatever it is.
PROPORTION, RATE, OTHER = "proportion", "rate", "other"
# The value of a proportion or rate may differ from multiplier × numerator /
# denominator by the rounding of the figure as written (half a unit in its last
# decimal place: 0.05 for "86.3", 0.005 for "86.34"), and by this relative
# floating-point noise for a figure written in full.
RELATIVE_NOISE = 1e-9


@dataclass(frozen=True, slots=True)
class OrganisationRef:
    type_code: str
    type_name: str
    opened: int | None
    closed: int | None


@dataclass(frozen=True, slots=True)
class IndicatorRef:
    type_codes: frozenset[str]  # the types it applies to when the year is not known: its latest definition's
    # (from_year, type codes) of each of its definitions, oldest first (`definitions.in_force`'s rule);
    # none given: `type_codes` in every year.
    by_year: tuple[tuple[int, frozenset[str]], ...] = ()
    # (from_year, measure, multiplier) of each of its definitions, oldest first: how a
    # result's value is made from its numerator and denominator in each year.
    measures: tuple[tuple[int, str, float | None], ...] = ()

    def measure_in(self, year: int | None) -> tuple[str, float | None]:
        """The measure and multiplier of its definition in force in `year`
        ("other" when none is, or the year is not known)."""
        in_force = (OTHER, None)
        for from_year, measure, multiplier in self.measures if year is not None else ():
            if from_year > year:
                break
            in_force = (measure, multiplier)
        return in_force

    def applies_to(self, type_code: str, year: int | None) -> bool:
        """Whether its definition in force in `year` applies to the type."""
        if year is None or not self.by_year:
            return type_code in self.type_codes
        in_force = frozenset()  # a year before its first definition: it did not exist then
        for from_year, type_codes in self.by_year:
            if from_year > year:
                break
            in_force = type_codes
        return type_code in in_force


@dataclass(frozen=True)
class ReturnsReference:
    """What validation needs to know about the database, as plain data."""

    organisations: dict[str, OrganisationRef]
    indicators: dict[str, IndicatorRef]


@dataclass(frozen=True, slots=True)
class ReturnRow:
    line: int
    organisation_code: str
    indicator_code: str
    year: int
    value: float
    numerator: float | None
    denominator: float | None

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.organisation_code, self.indicator_code, self.year)


@dataclass
class ParsedReturn:
    rows: list[ReturnRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    blank_values: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def parse_return(content: bytes, filename: str, reference: ReturnsReference) -> ParsedReturn:
    """Read and validate a return file in one pass."""
    try:
        table = read_table(content, filename)
    except TableError as error:
        return ParsedReturn(problems=error.problems)
    return validate_return(table, reference)


def validate_return(table: Table, reference: ReturnsReference) -> ParsedReturn:
    result = ParsedReturn(problems=list(table.problems), notes=list(table.notes))
    header_problems = check_columns(table, REQUIRED_COLUMNS, OPTIONAL_COLUMNS, "an indicator return",
                                    ignored=IGNORED_COLUMNS)
    if header_problems:
        result.problems[:0] = header_problems
        return result
    if not table.rows and not table.problems:
        result.problems.append(table.problem(None, None, "The file has a header but no data rows.", "no_rows"))
        return result

    position = {name: table.header.index(name) for name in table.header}
    org_at, ind_at, year_at, value_at = (position[name] for name in REQUIRED_COLUMNS)
    num_at = position.get("numerator")
    den_at = position.get("denominator")
    first_line_of: dict[tuple[str, str, int], int] = {}
    problem = table.problem
    problems = result.problems

    for line, cells in table.rows:
        row_ok = True
        # Codes are matched exactly: no case folding, which in Unicode turns 'ı' into 'I'.
        org_code = cells[org_at]
        organisation = reference.organisations.get(org_code)
        if not org_code:
            problems.append(problem(line, "organisation_code", "The organisation code is missing.", "missing"))
            row_ok = False
        elif organisation is None:
            problems.append(problem(line, "organisation_code", _unknown_code(
                org_code, "organisation", reference.organisations), "unknown_organisation"))
            row_ok = False

        ind_code = cells[ind_at]
        indicator = reference.indicators.get(ind_code)
        if not ind_code:
            problems.append(problem(line, "indicator_code", "The indicator code is missing.", "missing"))
            row_ok = False
        elif indicator is None:
            problems.append(problem(line, "indicator_code", _unknown_code(
                ind_code, "indicator", reference.indicators), "unknown_indicator"))
            row_ok = False

        year = None
        if not cells[year_at]:
            problems.append(problem(line, "year", "The year is missing.", "missing"))
            row_ok = False
        else:
            try:
                year = parse_year(cells[year_at])
            except ValueError as error:
                problems.append(problem(line, "year", str(error), "bad_year"))
                row_ok = False
        if indicator is not None and organisation is not None and not indicator.applies_to(
                organisation.type_code, year):
            problems.append(problem(line, "indicator_code",
                f"The indicator {ind_code} does not apply to {organisation.type_name} "
                f"({organisation.type_code}) organisations such as {org_code}"
                + (f" in {format_year(year)}." if year is not None and len(indicator.by_year) > 1 else "."),
                "not_applicable"))
            row_ok = False
        if year is not None and organisation is not None and not is_open_in(
                year, opened=organisation.opened, closed=organisation.closed):
            problems.append(problem(line, "year", _not_open_message(org_code, organisation, year), "not_open"))
            row_ok = False

        numerator = _optional_number(cells, num_at, "numerator", line, problem, problems)
        denominator = _optional_number(cells, den_at, "denominator", line, problem, problems)
        measure, multiplier = indicator.measure_in(year) if indicator is not None else (OTHER, None)
        if numerator is False or denominator is False:
            row_ok = False
        else:
            counts_ok = True
            if denominator is not None and denominator < 0:
                problems.append(problem(line, "denominator",
                    f"The denominator {cells[den_at]} is negative.", "negative_denominator"))
                counts_ok = False
            if numerator is not None and numerator < 0:
                problems.append(problem(line, "numerator",
                    f"The numerator {cells[num_at]} is negative.", "negative_numerator"))
                counts_ok = False
            if counts_ok and numerator is not None and denominator == 0:
                problems.append(problem(line, "denominator",
                    f"The denominator is 0 but a numerator ({cells[num_at]}) is given: a figure out of "
                    f"nothing cannot be worked out.", "zero_denominator"))
                counts_ok = False
            # A rate counts events in a population, and may count more events than people.
            if (counts_ok and measure != RATE and numerator is not None and denominator is not None
                    and numerator > denominator):
                problems.append(problem(line, "numerator",
                    f"The numerator {cells[num_at]} is larger than the denominator {cells[den_at]}"
                    + (f": {ind_code} is a proportion in {format_year(year)}." if measure == PROPORTION else "."),
                    "numerator_above_denominator"))
                counts_ok = False
            row_ok = row_ok and counts_ok

        value_text = cells[value_at]
        if not value_text:
            if numerator is not None or denominator is not None:
                problems.append(problem(line, "value",
                    "The value is missing but a numerator or denominator is given.", "missing"))
                row_ok = False
            elif row_ok:
                # A blank value means "not submitted": nothing is stored or
                # removed, so a partly filled template can be sent back.
                result.blank_values += 1
            continue
        try:
            value = parse_number(value_text)
        except ValueError as error:
            problems.append(problem(line, "value", str(error), "not_a_number"))
            continue

        if not row_ok:
            continue
        if measure in (PROPORTION, RATE) and numerator is not None and denominator is not None:
            inconsistency = _inconsistency(value, value_text, numerator, denominator, multiplier)
            if inconsistency:
                problems.append(problem(line, "value",
                    f"The value {value_text} is not {format_multiplier(multiplier)} × numerator / denominator "
                    f"({ind_code} is a {measure} in {format_year(year)}): {format_multiplier(multiplier)} × "
                    f"{cells[num_at]} / {cells[den_at]} is {inconsistency}.", "inconsistent_value"))
                continue
        key = (org_code, ind_code, year)
        first_line = first_line_of.setdefault(key, line)
        if first_line != line:
            problems.append(problem(line, None,
                f"Duplicate row: line {first_line} already gives {ind_code} for {org_code} in "
                f"{format_year(year)}.", "duplicate"))
            continue
        result.rows.append(ReturnRow(line, org_code, ind_code, year, value, numerator, denominator))
    problems.sort(key=lambda p: (p.line or 0))
    return result


def _inconsistency(value: float, value_text: str, numerator: float, denominator: float,
                   multiplier: float) -> str:
    """"" when the value is multiplier × numerator / denominator to within the
    rounding of the value as written (see RELATIVE_NOISE); otherwise that
    figure in words, with the rounding allowed."""
    expected = multiplier * numerator / denominator
    exponent = Decimal(value_text).as_tuple().exponent
    rounding = 0.5 * 10.0 ** exponent if isinstance(exponent, int) else 0.0
    # The noise term also lets a value exactly half a unit off pass (1.8 for 1.75: 1.8 - 1.75 > 0.05 in floats).
    if abs(value - expected) <= rounding + RELATIVE_NOISE * max(abs(expected), rounding):
        return ""
    places = max(-exponent, 0) if isinstance(exponent, int) else 0
    return (f"{expected:.{places + 2}f}, and a figure written as {value_text} may differ from it by at most "
            f"{rounding:.{places + 1}f} (its rounding)")


def format_multiplier(multiplier: float) -> str:
    return f"{multiplier:g}" if multiplier < 1e6 else f"{multiplier:.0f}"


def _unknown_code(code: str, what: str, known: dict) -> str:
    message = f"{quoted(code)} is not a known {what} code"
    strange = non_ascii(code)
    if strange:
        return f"{message}: it contains {strange}."
    close = ascii_upper(code)
    if close != code and close in known:
        return f"{message}: codes are matched exactly (did you mean {close}?)."
    return f"{message}."


def _optional_number(cells, at, column, line, problem, problems):
    """The number in an optional column: None when absent or blank, False when invalid."""
    if at is None or not cells[at]:
        return None
    try:
        return parse_number(cells[at])
    except ValueError as error:
        problems.append(problem(line, column, str(error), "not_a_number"))
        return False


def _not_open_message(code: str, organisation: OrganisationRef, year: int) -> str:
    if organisation.opened is not None and year < organisation.opened:
        return f"{code} was not open in {format_year(year)}: it opened in {format_year(organisation.opened)}."
    return f"{code} was not open in {format_year(year)}: it closed at the end of {format_year(organisation.closed)}."


FIELD_LABELS = {"organisation_code": "Organisation", "indicator_code": "Indicator", "year": "Year",
                "value": "Value", "numerator": "Numerator", "denominator": "Denominator"}


def number_text(number: float | None) -> str:
    """A number as a return file would write it ("3", not "3.0"), so that the
    rounding allowed is that of the figure as given; "" for none."""
    if number is None:
        return ""
    text = repr(float(number))
    return text[:-2] if text.endswith(".0") else text


def validate_correction(*, organisation_code: str, indicator_code: str, year: int, value: float,
                        numerator: float | None, denominator: float | None,
                        reference: ReturnsReference) -> ParsedReturn:
    """One corrected figure (an accepted fact-check challenge), checked as a
    row of a return is, and more strictly: a proportion's or rate's corrected
    figure must come with its numerator and denominator, since the figure
    replaces the held one whole and blank counts would empty the held counts."""
    cells = [organisation_code, indicator_code, str(year), number_text(value), number_text(numerator),
             number_text(denominator)]
    parsed = validate_return(Table(header=list(REQUIRED_COLUMNS + OPTIONAL_COLUMNS), rows=[(1, cells)]), reference)
    indicator = reference.indicators.get(indicator_code)
    measure, _ = indicator.measure_in(year) if indicator is not None else (OTHER, None)
    missing = [column for column, count in (("numerator", numerator), ("denominator", denominator))
               if count is None]
    if parsed.ok and measure in (PROPORTION, RATE) and missing:
        parsed.rows = []
        parsed.problems.append(Problem(1, missing[0], f"{indicator_code} is a {measure} in {format_year(year)}: "
                                       f"give the corrected numerator and denominator with its value.",
                                       "counts_missing"))
    return parsed
