"""The detailed export: one CSV row per logged set, streamed in bounded memory.

On PostgreSQL the rows are written by the database itself: ``COPY (the queryset's SQL) TO
STDOUT (FORMAT csv)`` through psycopg's ``cursor.copy()``, with the cell rules of
``apps.reports.exports.cells`` expressed in SQL, so Python only joins bytes. Elsewhere
(SQLite) rows come from a ``values_list`` iterator read ``DETAIL_CHUNK_ROWS`` at a time and
are formatted by ``csv_lines``. Both paths produce byte-identical files.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from django.db import connection, connections
from django.db.models import Case, CharField, F, Func, Q, QuerySet, Value, When
from django.db.models.functions import Concat, NullIf, Ord
from django.db.models.lookups import In

from apps.core.db_router import read_alias
from apps.reports.exports.cells import FORMULA_TRIGGERS, Cell
from apps.reports.exports.csv_format import csv_lines
from apps.reports.exports.filters import ReportFilters
from apps.reports.exports.scope import report_patients, report_set_logs

if TYPE_CHECKING:
    from django.db.models import Expression

    from apps.clinics.models import User
    from apps.programs.models import SetLog

DETAIL_CHUNK_ROWS = 2000
# Bytes gathered from COPY before a chunk is handed to the response or the file.
COPY_CHUNK_BYTES = 64 * 1024
# Patients per COPY when the caller follows progress (a background job).
DETAIL_PATIENT_BATCH = 250

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
TEXT_FIELDS = frozenset(
    {"patient__full_name", "patient__therapist__full_name", "item__program__name"}
    | {"exercise__name", "side"}
)
DATE_FIELDS = frozenset({"performed_on"})
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
) -> Iterator[str]:
    """The detailed export as CSV text in chunks: COPY on PostgreSQL, Python elsewhere."""
    if connection.vendor == "postgresql":
        return detail_csv_copy(user=user, filters=filters, on_row=on_row)
    return detail_csv_python(user=user, filters=filters, on_row=on_row)


def detail_csv_python(
    *, user: User, filters: ReportFilters, on_row: Callable[[int], None] | None = None
) -> Iterator[str]:
    """The detailed export formatted cell by cell in Python (any database)."""
    return csv_lines(DETAIL_HEADERS, detail_rows(user=user, filters=filters, on_row=on_row))


# --- PostgreSQL: COPY ---------------------------------------------------------------------


def _safe_text_sql(field: str) -> Expression:
    """``safe_text`` in SQL: a ``'`` before text starting with a formula character.

    Empty text becomes NULL because COPY quotes empty strings (``""``) and the csv module
    writes them bare, like None.
    """
    # ASCII() of the first character compares integers: cheaper than LEFT(…, 1) IN (texts).
    starts_like_formula = In(Ord(F(field)), [ord(trigger) for trigger in FORMULA_TRIGGERS])
    return Case(
        When(starts_like_formula, then=Concat(Value("'"), F(field))),
        default=NullIf(F(field), Value("")),
        output_field=CharField(),
    )


def _iso_dates() -> bool:
    """Whether the session prints dates as ``date.isoformat()`` does (DateStyle ISO)."""
    reader = connections[read_alias()]
    reader.ensure_connection()
    style = reader.connection.info.parameter_status("DateStyle") or ""
    return style.startswith("ISO")


def _copy_column(field: str, *, iso_dates: bool) -> Expression | F:
    if field in TEXT_FIELDS:
        return _safe_text_sql(field)
    if field in DATE_FIELDS and not iso_dates:
        # to_char costs about a tenth of the export: only when DateStyle is not ISO.
        return Func(F(field), Value("YYYY-MM-DD"), function="to_char", output_field=CharField())
    if field == "target_per_side":
        return Case(When(Q(target_per_side=True), then=Value("yes")), default=Value("no"))
    return F(field)


def _copy_statement(logs: QuerySet[SetLog]) -> tuple[str, tuple[Any, ...]]:
    """The ``COPY … TO STDOUT`` statement and its parameters (merged and quoted by psycopg)."""
    iso_dates = _iso_dates()
    columns = {
        f"detail_{n}": _copy_column(name, iso_dates=iso_dates)
        for n, (_, name) in enumerate(DETAIL_FIELDS)
    }
    sql, params = logs.annotate(**columns).values_list(*columns).query.sql_with_params()
    return f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", tuple(params)


def detail_csv_copy(
    *, user: User, filters: ReportFilters, on_row: Callable[[int], None] | None = None
) -> Iterator[str]:
    """The detailed export written by PostgreSQL, in chunks of about ``COPY_CHUNK_BYTES``.

    Without ``on_row``, one COPY. With it, one COPY per ``DETAIL_PATIENT_BATCH`` patients
    (in report order, so the file is the same) and ``on_row(rows so far)`` between them:
    the connection cannot run the caller's progress UPDATE while a COPY is under way.
    """
    yield next(csv_lines(DETAIL_HEADERS, ()))
    logs = _ordered_logs(user=user, filters=filters)
    if on_row is None:
        yield from (text for text, _ in _copy_chunks(logs))
        return
    patients = list(report_patients(user=user, filters=filters).values_list("pk", flat=True))
    done = 0
    for start in range(0, len(patients), DETAIL_PATIENT_BATCH):
        batch = patients[start : start + DETAIL_PATIENT_BATCH]
        for text, rows in _copy_chunks(logs.filter(patient_id__in=batch)):
            done += rows
            yield text
        on_row(done)


def _copy_chunks(logs: QuerySet[SetLog]) -> Iterator[tuple[str, int]]:
    """(CSV text, row count) chunks of one COPY.

    Relies on the protocol's guarantee that each CopyData message from the server is one
    row ending in ``\\n``; that ending becomes ``\\r\\n`` as the csv module writes it
    (line breaks inside quoted names are left alone, as the csv module leaves them).
    """
    statement, params = _copy_statement(logs)
    # On the replica inside ``replica_reads()`` (a report job), else on ``default``.
    reader = connections[read_alias()]
    with reader.cursor() as cursor, cursor.cursor.copy(statement, params) as copy:
        parts: list[Any] = []
        size = 0
        for row in copy:
            parts.append(row[:-1])
            size += len(row)
            if size >= COPY_CHUNK_BYTES:
                yield _joined(parts), len(parts)
                parts, size = [], 0
        if parts:
            yield _joined(parts), len(parts)


def _joined(rows: list[Any]) -> str:
    return (b"\r\n".join(rows) + b"\r\n").decode("utf-8")
