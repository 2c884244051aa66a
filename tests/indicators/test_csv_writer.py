"""The one CSV writer: every download and command writes through it. No database."""

import io

from indicators.spreadsheets.csv_writer import csv_chunks, csv_text, neutralise, safe_cells, write_csv

ROWS = [["=SUM(A1)", 1.5, None, "-2", "plain"], ["+x", "@y", "\tz", "\rw", 0]]
EXPECTED = "code,value,blank,minus,text\n'=SUM(A1),1.5,,'-2,plain\n'+x,'@y,'\tz,'\rw,0\n"


def test_text_that_a_spreadsheet_would_run_is_quoted_and_numbers_are_not():
    assert [neutralise(cell) for cell in ROWS[0]] == ["'=SUM(A1)", 1.5, None, "'-2", "plain"]
    assert safe_cells(ROWS[0]) == [neutralise(cell) for cell in ROWS[0]]
    assert neutralise(-2) == -2


def test_a_file_a_stream_and_a_string_hold_the_same_text():
    handle = io.StringIO()
    assert write_csv(iter(ROWS), handle, ["code", "value", "blank", "minus", "text"]) == 2
    assert handle.getvalue() == EXPECTED
    assert csv_text(ROWS, ["code", "value", "blank", "minus", "text"]) == EXPECTED
    pieces = list(csv_chunks(iter(ROWS * 50), ["code", "value", "blank", "minus", "text"], chunk_characters=100))
    assert len(pieces) > 10 and "".join(pieces) == EXPECTED + EXPECTED.split("\n", 1)[1] * 49
