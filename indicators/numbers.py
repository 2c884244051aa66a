"""Strict reading of numbers typed by people into spreadsheets, and the plain
ASCII text rules shared by every file reader."""

import math
import re
import unicodedata

# re.ASCII: Python's \d also matches every other script's digits ('١٢', '１２').
_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$", re.ASCII)
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$", re.ASCII)
_NON_ZERO_DIGIT = re.compile(r"[1-9]")

# The spaces trimmed around a cell: ASCII only, so that a no-break space or an
# ideographic space is reported rather than silently dropped.
ASCII_SPACES = " \t\r\n\f\v"
_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def ascii_upper(text: str) -> str:
    """Upper-case a-z only: str.upper() turns 'ı' into 'I' and 'ß' into 'SS'."""
    return text.translate(_ASCII_UPPER)


def ascii_lower(text: str) -> str:
    """Lower-case A-Z only: str.lower() turns the Kelvin sign 'K' into 'k'."""
    return text.translate(_ASCII_LOWER)


def non_ascii(text: str) -> str | None:
    """Describe the first character of `text` outside printable ASCII, or None:
    "a non-ASCII character '１' (FULLWIDTH DIGIT ONE)"."""
    for character in text:
        if not " " <= character <= "~":
            name = unicodedata.name(character, f"U+{ord(character):04X}")
            shown = character if character.isprintable() and not character.isspace() else ""
            kind = "non-ASCII character" if ord(character) > 127 else "control character"
            return f"a {kind} '{shown}' ({name})" if shown else f"a {kind} ({name})"
    return None


def quoted(text: str, limit: int = 60) -> str:
    """A value as shown in a message: in quotes, and cut short when very long."""
    if len(text) <= limit:
        return f"'{text}'"
    return f"'{text[:limit]}…' ({len(text):,} characters)"


def parse_number(text: str) -> float:
    """Return the float written in `text`, or raise ValueError saying why not.

    Deliberately stricter than float(): ASCII digits only, no thousands
    separators, underscores, percent signs, currency symbols, NaN or infinity,
    and nothing too large or too small for a double, so nothing is read as a
    different number from the one the sender meant.
    """
    if _DECIMAL.match(text):
        number = float(text)
        if not math.isfinite(number):
            raise ValueError(f"{quoted(text)} is too large to be a number")
        mantissa = text.lower().split("e")[0]
        if number == 0 and _NON_ZERO_DIGIT.search(mantissa):
            # float('1e-400') is 0.0 without a word.
            raise ValueError(f"{quoted(text)} is too small to be a number (it would be read as 0)")
        if number != 0 and abs(number) < 2.2250738585072014e-308:
            # A subnormal double keeps only a few digits of what was written.
            raise ValueError(f"{quoted(text)} is too small to be a number")
        return number
    if _THOUSANDS.match(text):
        raise ValueError(f"{quoted(text)} is not a number: remove the thousands separators (write {text.replace(',', '')})")
    if text.endswith("%") and _DECIMAL.match(text[:-1].strip()):
        raise ValueError(f"{quoted(text)} is not a number: leave out the % sign (write {text[:-1].strip()})")
    if text.lstrip("+-").lower() in ("nan", "inf", "infinity"):
        raise ValueError(f"{quoted(text)} is not a finite number")
    if text[:1] in "£$€" and _DECIMAL.match(text[1:].replace(",", "")):
        raise ValueError(f"{quoted(text)} is not a number: leave out the currency sign")
    strange = non_ascii(text)
    if strange:
        raise ValueError(f"{quoted(text)} is not a number: it contains {strange}; numbers are written "
                         "with the digits 0 to 9")
    if "_" in text and _DECIMAL.match(text.replace("_", "")):
        raise ValueError(f"{quoted(text)} is not a number: remove the underscores (write {text.replace('_', '')})")
    raise ValueError(f"{quoted(text)} is not a number")
