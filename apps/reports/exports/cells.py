"""Cell values safe to open in a spreadsheet: text goes through ``apps.core.spreadsheet``
(shared with the other apps' exports); numbers and dates are written as such and never
prefixed.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from apps.core.spreadsheet import safe_text

Cell = str | int | Decimal | date | None


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
