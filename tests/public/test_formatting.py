"""Numbers and words as the site writes them (no database)."""

import pytest

from public import formatting


@pytest.mark.parametrize("value, text", [
    (None, "–"), (0.0, "0"), (-0.001, "0"), (1.5, "1.5"), (2.0, "2"), (12345.678, "12,345.68"), (-0.12, "−0.12"),
    (float("nan"), "–"),
])
def test_format_number(value, text):
    assert formatting.format_number(value) == text


@pytest.mark.parametrize("number, text", [(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"),
                                          (12, "12th"), (13, "13th"), (21, "21st"), (102, "102nd"), (111, "111th")])
def test_ordinal(number, text):
    assert formatting.ordinal(number) == text


@pytest.mark.parametrize("value, text", [
    (0, "0"), (0.25, "0.25"), (1.0, "1"), (-0.5, "-0.5"), (1234.5678, "1234.568"), (9999.5, "9999.5"),
    (12345, "12,345"), (-1234567.25, "-1,234,567.25"), (0.30000000000000004, "0.3"), (0.000123456, "0.000123"),
    (0.05, "0.05"), (-0.0, "0"), (-1e-20, "0"), (2.5, "2.5")])
def test_format_tick(value, text):
    assert formatting.format_tick(value) == text


def test_a_position_says_its_ties_under_the_one_rule():
    from public.formatting import position_words

    assert position_words(12, 98, 0) == "12th of 98"
    assert position_words(12, 98) == "12th of 98"  # stored before ties were kept: the position alone
    assert position_words(1, 93, 71) == "joint 1st of 93, with 71 others"
    assert position_words(3, tied_with=1) == "joint 3rd with 1 other"
    assert position_words(1, tied_with=71) == "joint 1st with 71 others"
