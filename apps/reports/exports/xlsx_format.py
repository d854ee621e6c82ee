"""Excel output with openpyxl's write-only mode, so memory stays flat however many rows.

Two sheets: "Patients" (one row per patient) and "Totals" (each therapist, then the
clinic). Numbers and dates are typed cells, the header row is bold and frozen.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from apps.reports.exports.cells import Cell, safe_cell
from apps.reports.exports.report import (
    PATIENT_COLUMNS,
    TOTAL_COLUMNS,
    PatientRow,
    ReportTotals,
    patient_cells,
    total_cells,
    total_rows,
)

DATE_FORMAT = "yyyy-mm-dd"
DECIMAL_FORMAT = "0.0"
WIDE_TEXT = 28
NARROW = 14


def _cell(sheet: Any, value: Cell) -> Any:
    cell = WriteOnlyCell(sheet, value=safe_cell(value))
    if isinstance(value, date):
        cell.number_format = DATE_FORMAT
    elif isinstance(value, Decimal):
        cell.number_format = DECIMAL_FORMAT
    return cell


def _header(sheet: Any, headers: Sequence[str]) -> list[Any]:
    bold = Font(bold=True)
    cells = []
    for text in headers:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        cells.append(cell)
    return cells


def write_sheet(
    workbook: Workbook, title: str, headers: Sequence[str], rows: Iterable[Sequence[Cell]]
) -> None:
    """Add a sheet with a bold frozen header row and typed cells."""
    sheet = workbook.create_sheet(title=title)
    sheet.freeze_panes = "A2"
    for index, header in enumerate(headers, start=1):
        width = WIDE_TEXT if index <= 3 else max(NARROW, len(header) + 2)
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.append(_header(sheet, headers))
    for row in rows:
        sheet.append([_cell(sheet, value) for value in row])


def summary_xlsx(rows: Iterable[PatientRow], out: IO[bytes]) -> None:
    """The workbook, its patient rows written as they come (``rows`` can be a stream)."""
    workbook = Workbook(write_only=True)
    totals = ReportTotals()
    write_sheet(
        workbook,
        "Patients",
        [column.header for column in PATIENT_COLUMNS],
        (patient_cells(row) for row in totals.counted(rows)),
    )
    # write_sheet has drained the rows, so every patient is in the totals by now.
    write_sheet(
        workbook,
        "Totals",
        [column.header for column in TOTAL_COLUMNS],
        (total_cells(total) for total in total_rows(totals)),
    )
    workbook.save(out)
