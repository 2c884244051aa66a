"""Reading an uploaded CSV or Excel file into a plain table, with every
problem located by line (or sheet and row) and column; and writing CSV that
people open in spreadsheets. Not the public site's browse table
(`public/browse_table.py`).

Pure: bytes in, a Table or a list of Problems out. No Django import, so the
command line and the web upload share it and it is tested without a database.

- `problems`: Problem, ProblemGroup, TableError.
- `table`: the Table every reader returns, and the checks of its columns.
- `csv_reader`, `xlsx_reader` and `sheet_xml` (a worksheet's XML, read in one pass).
- `csv_writer`: the one CSV writer, with its formula guard.
"""

from __future__ import annotations

from .csv_reader import read_csv
from .problems import Problem, ProblemGroup, TableError, group_problems
from .table import Table, check_columns, records
from .xlsx_reader import MAX_UNZIPPED_BYTES, OLE_SIGNATURE, ZIP_SIGNATURE, not_a_workbook, read_xlsx

__all__ = ["Problem", "ProblemGroup", "Table", "TableError", "check_columns", "group_problems", "read_table",
           "records"]


def read_table(content: bytes, filename: str, *, max_unzipped_bytes: int = MAX_UNZIPPED_BYTES) -> Table:
    """Read CSV or .xlsx bytes into a Table; raise TableError if it cannot be read."""
    if not content.strip():
        raise TableError([Problem(None, None, "The file is empty.", "empty")])
    if content.startswith(OLE_SIGNATURE):
        raise not_a_workbook(content)
    if filename.lower().endswith((".xlsx", ".xlsm")):
        return read_xlsx(content, max_unzipped_bytes)
    if content.startswith(ZIP_SIGNATURE):
        if not filename.lower().endswith((".csv", ".txt")):
            return read_xlsx(content, max_unzipped_bytes)  # it says what kind of spreadsheet it is
        raise TableError([Problem(None, None,
            "The file is an Excel workbook or other zip file, not CSV text: give it the .xlsx extension "
            "or save it as CSV.", "not_csv")])
    return read_csv(content)
