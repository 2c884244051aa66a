"""Writing CSV that people open in spreadsheets."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\x00")


def neutralise(cell):
    """Stop a spreadsheet reading a text cell as a formula (OWASP); numbers pass untouched."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell
