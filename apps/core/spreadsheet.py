"""Text safe to open in a spreadsheet, for every export of every app (core: any app may use it).

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return can be
run as a formula by Excel, LibreOffice or Google Sheets (CSV injection), and openpyxl itself
writes such a string as a formula. Patient, program and exercise names are typed by people,
so every text cell is prefixed with ``'`` when it starts with one of those characters.
"""

from __future__ import annotations

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: str) -> str:
    """The text, prefixed with an apostrophe when a spreadsheet could read it as a formula."""
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value
