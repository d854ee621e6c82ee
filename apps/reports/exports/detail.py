"""The detailed export: one CSV row per logged set, streamed in bounded memory.

On PostgreSQL the lines are written by the database itself (``detail_sql``), so Python only
passes bytes on. Elsewhere (SQLite) rows come from a ``values_list`` iterator read
``DETAIL_CHUNK_ROWS`` at a time and are formatted by ``csv_lines``. Both paths produce
byte-identical files.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import QuerySet
from django.db.models.functions import Coalesce

from apps.reports.exports.care import therapist_on_log_day
from apps.reports.exports.cells import Cell
from apps.reports.exports.csv_format import csv_lines
from apps.reports.exports.detail_sql import detail_csv_sql
from apps.reports.exports.filters import ReportFilters
from apps.reports.exports.scope import report_set_logs

if TYPE_CHECKING:
    from apps.clinics.models import User
    from apps.programs.models import SetLog

DETAIL_CHUNK_ROWS = 2000

# The therapist whose day the set was logged on (a patient handed over is named with each
# therapist for their own days), as the summary names them: the full name, else the email.
# ``detail_sql`` writes the same rules in its SQL.
THERAPIST_NAME = therapist_on_log_day()

DETAIL_FIELDS: tuple[tuple[str, str | Coalesce], ...] = (
    ("Patient", "patient__full_name"),
    ("Therapist", THERAPIST_NAME),
    ("Date", "performed_on"),
    ("Program", "item__program__name"),
    ("Exercise", "exercise__name"),
    ("Level", "ladder_level"),
    ("Side", "side"),
    ("Target sets", "target_sets"),
    ("Target reps", "target_reps"),
    ("Target reps up to", "target_reps_up_to"),
    ("Target hold (s)", "target_hold_seconds"),
    ("Target hold up to (s)", "target_hold_up_to"),
    ("Per side", "target_per_side"),
    ("Set", "set_number"),
    ("Reps", "reps"),
    ("Hold (s)", "hold_seconds"),
    ("Pain (0-10)", "pain"),
    ("Difficulty (1-5)", "difficulty"),
)
DETAIL_HEADERS = [header for header, _ in DETAIL_FIELDS]
PER_SIDE_COLUMN = DETAIL_HEADERS.index("Per side")
DETAIL_ORDER = ("patient__full_name", "patient_id", "performed_on", "logged_at", "pk")


def _ordered_logs(*, user: User, filters: ReportFilters) -> QuerySet[SetLog]:
    return report_set_logs(user=user, filters=filters).order_by(*DETAIL_ORDER)


def detail_rows(
    *, user: User, filters: ReportFilters, on_row: Callable[[int], None] | None = None
) -> Iterator[list[Cell]]:
    """Each logged set as cells, ordered by patient, day and time logged.

    ``on_row(n)`` is called after every ``DETAIL_CHUNK_ROWS`` rows (for progress bars).
    """
    logs = _ordered_logs(user=user, filters=filters).values_list(
        *(name for _, name in DETAIL_FIELDS)
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
) -> Iterator[bytes]:
    """The detailed export as UTF-8 CSV in chunks: written by PostgreSQL when it is the
    database (``detail_sql``), by the csv module elsewhere; the bytes are the same."""
    if connection.vendor == "postgresql":
        return detail_csv_postgres(user=user, filters=filters, on_row=on_row)
    return detail_csv_python(user=user, filters=filters, on_row=on_row)


def detail_csv_python(
    *, user: User, filters: ReportFilters, on_row: Callable[[int], None] | None = None
) -> Iterator[bytes]:
    """The detailed export formatted cell by cell in Python (any database)."""
    rows = detail_rows(user=user, filters=filters, on_row=on_row)
    return (line.encode("utf-8") for line in csv_lines(DETAIL_HEADERS, rows))


def detail_csv_postgres(
    *, user: User, filters: ReportFilters, on_row: Callable[[int], None] | None = None
) -> Iterator[bytes]:
    """The BOM and header (the csv module's), then the lines PostgreSQL writes."""
    yield next(csv_lines(DETAIL_HEADERS, ())).encode("utf-8")
    yield from detail_csv_sql(user=user, filters=filters, on_row=on_row)
