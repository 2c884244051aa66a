"""Strict reading of numbers typed by people into spreadsheets."""

import math
import re

_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")


def parse_number(text: str) -> float:
    """Return the float written in `text`, or raise ValueError saying why not.

    Deliberately stricter than float(): no thousands separators, percent
    signs, currency symbols, NaN or infinity, so nothing is read as a
    different number from the one the sender meant.
    """
    if _DECIMAL.match(text):
        number = float(text)
        if math.isfinite(number):
            return number
        raise ValueError(f"'{text}' is too large to be a number")
    if _THOUSANDS.match(text):
        raise ValueError(f"'{text}' is not a number: remove the thousands separators (write {text.replace(',', '')})")
    if text.endswith("%") and _DECIMAL.match(text[:-1].strip()):
        raise ValueError(f"'{text}' is not a number: leave out the % sign (write {text[:-1].strip()})")
    if text.lstrip("+-").lower() in ("nan", "inf", "infinity"):
        raise ValueError(f"'{text}' is not a finite number")
    if text[:1] in "£$€" and _DECIMAL.match(text[1:].replace(",", "")):
        raise ValueError(f"'{text}' is not a number: leave out the currency sign")
    raise ValueError(f"'{text}' is not a number")
