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


@pytest.mark.parametrize("text, message", [
    ("１２", "'１２' is not a number: it contains a non-ASCII character '１' (FULLWIDTH DIGIT ONE); numbers are "
            "written with the digits 0 to 9"),
    ("١٢", "'١٢' is not a number: it contains a non-ASCII character '١' (ARABIC-INDIC DIGIT ONE); numbers are "
           "written with the digits 0 to 9"),
    ("1２", "'1２' is not a number: it contains a non-ASCII character '２' (FULLWIDTH DIGIT TWO); numbers are "
            "written with the digits 0 to 9"),
    ("\u00a012", "'\u00a012' is not a number: it contains a non-ASCII character (NO-BREAK SPACE); numbers are "
                 "written with the digits 0 to 9"),
    ("1e-400", "'1e-400' is too small to be a number (it would be read as 0)"),
    ("-1e-400", "'-1e-400' is too small to be a number (it would be read as 0)"),
    ("1e-310", "'1e-310' is too small to be a number"),
    ("1e400", "'1e400' is too large to be a number"),
    ("-1e400", "'-1e400' is too large to be a number"),
    ("1_000", "'1_000' is not a number: remove the underscores (write 1000)"),
    ("+", "'+' is not a number"),
    ("-nan", "'-nan' is not a finite number"),
    ("x" * 100, "'" + "x" * 60 + "…' (100 characters) is not a number"),
])
def test_parse_number_is_ascii_only_and_within_a_double(text, message):
    with pytest.raises(ValueError) as error:
        parse_number(text)
    assert str(error.value) == message


@pytest.mark.parametrize("text, number", [("0e400", 0.0), ("0.000e-999", 0.0), ("-0", 0.0), ("2.3e-308", 2.3e-308)])
def test_zeros_and_the_smallest_normal_numbers_are_kept(text, number):
    assert parse_number(text) == number


def test_ascii_case_changes_only_a_to_z():
    from indicators.numbers import ascii_lower, ascii_upper
    assert ascii_upper("ıp18m ß") == "ıP18M ß" and ascii_lower("VALUE\u212a") == "value\u212a"
