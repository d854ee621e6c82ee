"""The detailed export: one CSV row per logged set, streamed in bounded memory.

Rows come from a ``values_list`` iterator read ``DETAIL_CHUNK_ROWS`` at a time (a server-side
cursor on PostgreSQL), so neither the web process nor the worker holds the whole table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from apps.reports.exports.cells import Cell
from apps.reports.exports.csv_format import csv_lines
from apps.reports.exports.filters import ReportFilters
from apps.reports.exports.scope import report_set_logs

if TYPE_CHECKING:
    from apps.clinics.models import User

DETAIL_CHUNK_ROWS = 2000

DETAIL_FIELDS: tuple[tuple[str, str], ...] = (
    ("Patient", "patient__full_name"),
    ("Therapist", "patient__therapist__full_name"),
    ("Date", "performed_on"),
    ("Program", "item__program__name"),
    ("Exercise", "exercise__name"),
    ("Level", "ladder_level"),
    ("Side", "side"),
    ("Target sets", "target_sets"),
    ("Target reps", "target_reps"),
    ("Target hold (s)", "target_hold_seconds"),
    ("Per side", "target_per_side"),
    ("Set", "set_number"),
    ("Reps", "reps"),
    ("Hold (s)", "hold_seconds"),
    ("Pain (0-10)", "pain"),
    ("Difficulty (1-5)", "difficulty"),
)
DETAIL_HEADERS = [header for header, _ in DETAIL_FIELDS]
PER_SIDE_COLUMN = DETAIL_HEADERS.index("Per side")


def detail_rows(
    *, user: User, filters: ReportFilters, on_row: Callable[[int], None] | None = None
) -> Iterator[list[Cell]]:
    """Each logged set as cells, ordered by patient, day and time logged.

    ``on_row(n)`` is called after every ``DETAIL_CHUNK_ROWS`` rows (for progress bars).
    """
    logs = (
        report_set_logs(user=user, filters=filters)
        .order_by("patient__full_name", "patient_id", "performed_on", "logged_at", "pk")
        .values_list(*(name for _, name in DETAIL_FIELDS))
    )
    for count, values in enumerate(logs.iterator(chunk_size=DETAIL_CHUNK_ROWS), start=1):
        yield _cells(values)
        if on_row is not None and count % DETAIL_CHUNK_ROWS == 0:
            on_row(count)


def _cells(values: tuple[Any, ...]) -> list[Cell]:
    cells: list[Cell] = list(values)
    cells[PER_SIDE_COLUMN] = "yes" if values[PER_SIDE_COLUMN] else "no"
    return cells


def detail_csv(
    *, user: User, filters: ReportFilters, on_row: Callable[[int], None] | None = None
) -> Iterator[str]:
    return csv_lines(DETAIL_HEADERS, detail_rows(user=user, filters=filters, on_row=on_row))
