"""Financial years: stored as their first calendar year (2000), shown as "2000-01"."""

import re

from .numbers import ASCII_SPACES, non_ascii

FIRST_YEAR = 1900
LAST_YEAR = 2099

# re.ASCII: Python's \d and \s also match other scripts' digits and spaces.
_FINANCIAL_YEAR = re.compile(r"^(\d{4})(?:\s*[-/]\s*(\d{2}|\d{4}))?$", re.ASCII)


def format_year(year: int) -> str:
    """2000 -> "2000-01"."""
    return f"{year}-{(year + 1) % 100:02d}"


def is_open_in(year: int, *, opened: int | None, closed: int | None) -> bool:
    """Whether an organisation that opened in its first financial year `opened`
    and closed at the end of its last, `closed`, was open in `year` (a blank
    `opened` or `closed`: no limit that way). The one definition: the
    database's twin is `Organisation.objects.open_in`."""
    return (opened is None or opened <= year) and (closed is None or year <= closed)


def parse_year(text: str) -> int:
    """Parse "2000-01", "2000/01", "2000-2001" or "2000" into 2000.

    Raises ValueError with a message fit to show a person.
    """
    cleaned = text.strip(ASCII_SPACES)
    if cleaned.endswith(".0") and cleaned[:-2].isascii() and cleaned[:-2].isdigit():
        # A spreadsheet that stored the year as a number.
        cleaned = cleaned[:-2]
    match = _FINANCIAL_YEAR.match(cleaned)
    if not match and non_ascii(cleaned):
        raise ValueError(f"'{text}' is not a financial year: it contains {non_ascii(cleaned)}; write it as "
                         "2000-01 with the digits 0 to 9")
    if not match:
        raise ValueError(f"'{text}' is not a financial year: write it as 2000-01 (or 2000)")
    start = int(match.group(1))
    end = match.group(2)
    if end is not None:
        expected = start + 1 if len(end) == 4 else (start + 1) % 100
        if int(end) != expected:
            raise ValueError(
                f"'{text}' is not a financial year: the year after {start} is {format_year(start)}"
            )
    if not FIRST_YEAR <= start <= LAST_YEAR:
        raise ValueError(f"'{text}' is outside the years this service holds ({FIRST_YEAR} to {LAST_YEAR})")
    return start


class FinancialYearConverter:
    """The <year:...> path converter of every app's URLs (registered once, in
    trafficlights/urls.py): 2000-01 in the URL, 2000 in the view; anything else is a 404."""

    regex = r"[0-9]{4}-[0-9]{2}"

    def to_python(self, value):
        try:
            return parse_year(value)
        except ValueError:
            raise ValueError(value) from None

    def to_url(self, value):
        # Templates pass either the stored year (2000) or its display ("2000-01").
        return format_year(parse_year(value) if isinstance(value, str) else value)
