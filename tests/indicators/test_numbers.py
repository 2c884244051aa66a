import pytest

from indicators.numbers import parse_number


@pytest.mark.parametrize("text, number", [
    ("12", 12.0), ("-3.5", -3.5), ("+0.25", 0.25), (".5", 0.5), ("1e3", 1000.0), ("7.", 7.0),
])
def test_parse_number_accepts_plain_decimals(text, number):
    assert parse_number(text) == number


@pytest.mark.parametrize("text, message", [
    ("1,234", "'1,234' is not a number: remove the thousands separators (write 1234)"),
    ("45%", "'45%' is not a number: leave out the % sign (write 45)"),
    ("NaN", "'NaN' is not a finite number"),
    ("-inf", "'-inf' is not a finite number"),
    ("Infinity", "'Infinity' is not a finite number"),
    ("1e999", "'1e999' is too large to be a number"),
    ("£12", "'£12' is not a number: leave out the currency sign"),
    ("n/a", "'n/a' is not a number"),
    ("12 5", "'12 5' is not a number"),
    ("0x1A", "'0x1A' is not a number"),
])
def test_parse_number_rejects_with_reason(text, message):
    with pytest.raises(ValueError) as error:
        parse_number(text)
    assert str(error.value) == message
