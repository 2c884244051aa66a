import pytest

from indicators.years import FinancialYearConverter, format_year, is_open_in, parse_year


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


@pytest.mark.parametrize("opened, closed, open_years", [
    (None, None, {1997, 1998, 1999, 2000}),
    (1999, None, {1999, 2000}),
    (None, 1998, {1997, 1998}),
    (1998, 1998, {1998}),
])
def test_an_organisation_is_open_from_its_first_year_to_its_last(opened, closed, open_years):
    assert {year for year in range(1997, 2001) if is_open_in(year, opened=opened, closed=closed)} == open_years


@pytest.mark.parametrize("text, year", [("2000-01", 2000), ("1999-00", 1999)])
def test_the_year_converter_reads_and_writes_financial_years(text, year):
    converter = FinancialYearConverter()
    assert converter.to_python(text) == year
    assert converter.to_url(year) == converter.to_url(text) == text


def test_the_year_converter_refuses_what_is_not_a_financial_year():
    with pytest.raises(ValueError):
        FinancialYearConverter().to_python("2000-02")
