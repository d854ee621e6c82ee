"""CSV output, produced line by line so a response or a file can stream it.

Files start with a UTF-8 byte order mark: Excel, which most clinics open CSV files with,
otherwise reads UTF-8 names (é, ø, ł) as Latin-1. Every other tool ignores the mark.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence

from apps.reports.exports.cells import Cell, csv_cell
from apps.reports.exports.report import (
    PATIENT_COLUMNS,
    PatientRow,
    ReportTotals,
    Total,
    patient_cells,
)

BOM = "\ufeff"
ROW_TYPE_HEADER = "Row"


class _Echo:
    """A file-like object whose write returns the line, for csv.writer in a generator."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> Iterator[str]:
    """The BOM and header, then one CSV line per row, each cell made safe for spreadsheets."""
    writer = csv.writer(_Echo())
    yield BOM + writer.writerow(header)
    for row in rows:
        yield writer.writerow([csv_cell(cell) for cell in row])


def summary_header() -> list[str]:
    return [ROW_TYPE_HEADER, *(column.header for column in PATIENT_COLUMNS)]


def _total_cells(kind: str, total: Total, therapist: str) -> list[Cell]:
    """A total in the patient columns: the patient cell counts patients, no program names."""
    as_row = PatientRow(**{name: getattr(total, name) for name in _COUNT_FIELDS})
    cells = patient_cells(as_row)
    cells[0] = f"{total.patients} patients"
    cells[1] = therapist
    return [kind, *cells]


_COUNT_FIELDS = (
    "scheduled_days",
    "prescribed",
    "completed",
    "active_days",
    "complete_days",
    "last_activity",
    "pain_sum",
    "pain_count",
    "max_pain",
    "progressions",
)


def summary_rows(rows: Iterable[PatientRow]) -> Iterator[list[Cell]]:
    """Patient rows, then one total per therapist, then the clinic total, in one table.

    The first column says which kind each row is, so a spreadsheet filter (or a script) can
    keep the patients and drop the totals. Rows are written as they come and only counted,
    so ``rows`` can be a stream of any length.
    """
    totals = ReportTotals()
    for row in totals.counted(rows):
        yield ["patient", *patient_cells(row)]
    for total in totals.therapists:
        yield _total_cells("therapist total", total, total.label)
    yield _total_cells("clinic total", totals.clinic, "All therapists")


def summary_csv(rows: Iterable[PatientRow]) -> Iterator[str]:
    return csv_lines(summary_header(), summary_rows(rows))
