"""One escaping rule for every file a spreadsheet may open (CSV and XLSX exports, payment files, open data).

Spreadsheet programs run a cell that starts with `=`, `+`, `-` or `@` as a formula (and tab or carriage return can
hide one), so a name typed by a donor or grantee such as `=HYPERLINK("https://evil.example", "Click")` would run on a
finance officer's machine. Every such text cell gets a leading apostrophe, which spreadsheets show as text.

Numbers stay numbers: ints, Decimals and floats pass through untouched, and so does text that is only a number
("-12.50", "+3"), so a negative amount written as text still reads as a negative amount.
"""

import re
from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")


def safe_cell(value):
    """The value as it may go into a spreadsheet cell: text that a spreadsheet would run is prefixed with `'`."""
    return "'" + value if is_formula(value) else value


def safe_row(row: Iterable) -> list:
    """Every cell of a row through `safe_cell`."""
    return [safe_cell(value) for value in row]


def is_formula(value) -> bool:
    """True when a spreadsheet would run this cell (what the tests check every export against)."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value)
