import pytest

from indicators.years import format_year, parse_year


@pytest.mark.parametrize("year, text", [(2000, "2000-01"), (1999, "1999-00"), (2009, "2009-10")])
def test_format_year(year, text):
    assert format_year(year) == text


@pytest.mark.parametrize("text, year", [
    ("2000-01", 2000), ("2000", 2000), (" 2000-01 ", 2000), ("1999-00", 1999), ("2000/01", 2000),
    ("2000-2001", 2000), ("2000.0", 2000),
])
def test_parse_year_accepts(text, year):
    assert parse_year(text) == year


@pytest.mark.parametrize("text, message", [
    ("2000-02", "'2000-02' is not a financial year: the year after 2000 is 2000-01"),
    ("00-01", "'00-01' is not a financial year: write it as 2000-01 (or 2000)"),
    ("FY2000", "'FY2000' is not a financial year: write it as 2000-01 (or 2000)"),
    ("1850", "'1850' is outside the years this service holds (1900 to 2099)"),
])
def test_parse_year_rejects_with_reason(text, message):
    with pytest.raises(ValueError) as error:
        parse_year(text)
    assert str(error.value) == message


def test_years_are_written_in_ascii_digits():
    import pytest

    from indicators.years import parse_year
    assert int("２０００") == 2000  # what a plain int() or \d would have accepted
    with pytest.raises(ValueError, match=r"contains a non-ASCII character '２' \(FULLWIDTH DIGIT TWO\)"):
        parse_year("２０００-０１")
    with pytest.raises(ValueError, match="not a financial year"):
        parse_year("2000\u00a0-\u00a001")
