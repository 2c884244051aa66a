"""Opening an .xlsx workbook: refusing, in words its sender knows, what is not
one (an old .xls, .xlsb, .ods, a zip of something else, a zip bomb), and
reading its first visible sheet through `sheet_xml`. Pure (openpyxl)."""

from __future__ import annotations

import io
import zipfile

from .problems import Problem, TableError, refusal
from .sheet_xml import SheetReader
from .table import Table

# An .xlsx is a zip: refuse one that would expand past this before parsing it.
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
ZIP_SIGNATURE = b"PK\x03\x04"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls, and any password-protected workbook


def not_a_workbook(content: bytes) -> TableError | None:
    """What a file that is not an .xlsx workbook is, in words its sender knows."""
    if content.startswith(OLE_SIGNATURE):
        return refusal("The file is an old-style Excel workbook (.xls) or a password-protected one: open it in "
                       "Excel, remove any password, and save it as .xlsx (Excel Workbook) or CSV.", "old_excel")
    if not content.startswith(ZIP_SIGNATURE):
        return refusal("The file has the .xlsx extension but is not an Excel workbook (it may be a CSV file "
                       "renamed): save it from Excel as .xlsx, or give it the .csv extension.", "not_xlsx")
    return None


def read_xlsx(content: bytes, max_unzipped_bytes: int) -> Table:
    not_one = not_a_workbook(content)
    if not_one:
        raise not_one
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise refusal("The Excel file is damaged and cannot be opened: save it again from Excel as .xlsx.",
                      "bad_xlsx") from None
    unzipped = sum(member.file_size for member in members)
    if unzipped > max_unzipped_bytes:
        raise refusal(f"The Excel file would expand to {unzipped / 1e6:.0f} MB when opened, more than the "
                      f"{max_unzipped_bytes / 1e6:.0f} MB allowed: save it as CSV instead.", "too_large_unzipped")
    names = {member.filename for member in members}
    if "xl/workbook.bin" in names:
        raise refusal("The file is an Excel binary workbook (.xlsb): save it from Excel as .xlsx (Excel "
                      "Workbook) or CSV.", "xlsb")
    if "mimetype" in names and b"opendocument" in _member(archive, "mimetype", 200):
        raise refusal("The file is an OpenDocument spreadsheet (.ods): save it as .xlsx (Excel Workbook) or CSV.",
                      "ods")
    if "[Content_Types].xml" not in names or not any(name.startswith("xl/") for name in names):
        raise refusal("The file is a zip archive, not an Excel workbook: upload the .xlsx file itself, or save "
                      "the return as CSV.", "not_a_workbook")

    if not any(name.startswith("xl/worksheets/") for name in names):
        charts = " (only charts)" if any(name.startswith("xl/chartsheets/") for name in names) else ""
        raise refusal(f"The workbook has no worksheet{charts}: put the return on a worksheet.", "no_sheet")

    import openpyxl  # imported here: loading it costs time the CSV path does not need

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged file; none of their names help a person
        raise refusal("The Excel file is damaged or is not a workbook Excel wrote, so it cannot be read: open it "
                      "in Excel and save it again as .xlsx, or save it as CSV.", "bad_xlsx") from None
    try:
        return _read_sheet(workbook)
    finally:
        workbook.close()


def _member(archive: zipfile.ZipFile, name: str, limit: int) -> bytes:
    try:
        with archive.open(name) as member:
            return member.read(limit)
    except (KeyError, zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError):
        return b""


def _read_sheet(workbook) -> Table:
    if not workbook.worksheets:
        raise refusal("The workbook has no worksheet: put the return on a worksheet.", "no_sheet")
    visible = [ws for ws in workbook.worksheets if getattr(ws, "sheet_state", "visible") == "visible"]
    if not visible:
        raise refusal("The workbook has no visible sheet: unhide the sheet holding the return.", "no_sheet")
    sheet = visible[0]
    notes = []
    if len(workbook.worksheets) > 1:
        notes.append(f"Read the sheet '{sheet.title}' only; the workbook's other "
                     f"{len(workbook.worksheets) - 1} sheet(s) were ignored.")
    reader = SheetReader(sheet, workbook)
    try:
        # openpyxl's private path to the sheet's part: stable across 3.1 (pinned in pyproject). The sheet is
        # read here rather than through openpyxl's row iterator, which trusts the declared <dimension>
        # (dropping rows and columns beyond it) and stops at the first cell it cannot convert.
        with workbook._archive.open(sheet._worksheet_path) as stream:
            reader.read(stream)
    except TableError:
        raise
    except Exception:  # a damaged part: bad XML, a bad zip entry, a document type declaration
        raise TableError([Problem(None, None, f"The sheet '{sheet.title}' is damaged and cannot be read: open "
                                  "the file in Excel and save it again as .xlsx, or save it as CSV.", "bad_sheet",
                                  sheet=sheet.title)]) from None
    return reader.table(notes)
