"""Cell values safe to open in a spreadsheet.

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return can be
run as a formula by Excel, LibreOffice or Google Sheets (CSV injection). Patient, program and
exercise names are typed by people, so every text cell is prefixed with ``'`` when it starts
with one of those characters; numbers and dates are written as such and never prefixed.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | Decimal | date | None


def safe_text(value: str) -> str:
    """The text, prefixed with an apostrophe when a spreadsheet could read it as a formula."""
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def safe_cell(value: Cell) -> Cell:
    return safe_text(value) if isinstance(value, str) else value


def csv_cell(value: Cell) -> str:
    """A cell as CSV text: ISO dates, plain numbers, empty for no value, safe text."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return safe_text(value)
    return str(value)
