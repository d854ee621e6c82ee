"""The detailed export on PostgreSQL: the CSV written by the database, a patient at a time.

Each query covers a batch of the report's patients (in report order) and returns one row per
patient and therapist's part of their days (``care``: a patient handed over is named with
each therapist for their own days; a report of one therapist has only theirs): all of its
lines, already CSV, and how many. Python only writes bytes,
so its cost no longer grows with the number of sets. What made the database slow is gone
too: no sort of every set by patient name (the patients are sorted, then each one's sets
are read through the ``(patient, performed_on)`` index and ordered inside the aggregate),
and the names are quoted once per patient, program item and exercise (memoized lookups),
not once per set.

Two connections work at once on alternate batches (the database does nearly all the work,
so a second backend puts a second core to use); their results are written strictly in batch
order, each held in a queue of at most ``DETAIL_PATIENT_BATCH`` patients, so memory stays
flat. Both read one snapshot of the database (``pg_export_snapshot``, imported by the
other): the file is the clinic at one moment, however long it takes; a set logged meanwhile
is in no batch rather than in a later one only.

The cell rules are those of ``apps.reports.exports.cells`` and the csv module's (excel
dialect, minimal quoting), in SQL; ``tests/reports/test_export_detail_copy.py`` checks the
bytes against the Python writer and ``test_export_detail_reference.py`` against the file
the previous implementation wrote.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Generator, Iterator
from contextlib import closing
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import connections

from apps.core.db_router import read_alias
from apps.core.spreadsheet import FORMULA_TRIGGERS
from apps.patients.models import Side
from apps.reports.exports.scope import report_patients

if TYPE_CHECKING:
    from apps.clinics.models import User
    from apps.reports.exports.filters import ReportFilters

# Patients per query: a batch's rows wait in memory (about 130 KB a patient-year) until it
# is its turn, and each query costs a few milliseconds of planning.
DETAIL_PATIENT_BATCH = 64
# Connections reading at once; 1 reads every batch on the caller's connection.
DETAIL_STREAMS = 2

Batch = list[int]
Row = tuple[bytes, int]
# Each batch's rows, in batch order.
Results = Generator[Iterator[Row], None, None]


def _csv_text(column: str) -> str:
    """SQL for a text cell: ``safe_text`` (a ``'`` before a formula character), then quoted
    like the csv module: in double quotes, doubled inside, when it holds ``,``, ``"``, CR or
    LF. Empty text stays empty (the csv module writes ``''`` and ``None`` alike)."""
    triggers = ", ".join(str(ord(trigger)) for trigger in FORMULA_TRIGGERS)
    safe = f"CASE WHEN ascii({column}) IN ({triggers}) THEN '''' || {column} ELSE {column} END"
    return (
        f"CASE WHEN {column} ~ '[\",\\r\\n]' "
        f"THEN '\"' || replace({safe}, '\"', '\"\"') || '\"' ELSE {safe} END"
    )


# The therapist's cell: the full name, else the email, as the summary names them
# (``detail.THERAPIST_NAME``).
THERAPIST = "coalesce(nullif(t.full_name, ''), t.email, '')"


def _side() -> str:
    # The choices never need quoting or a prefix: one comparison instead of the full rule.
    plain = ", ".join(f"'{value}'" for value in Side.values)
    return f"CASE WHEN l.side IN ({plain}) THEN l.side ELSE {_csv_text('l.side')} END"


def _number(column: str) -> str:
    return f"coalesce({column}::text, '')"


def _statement(*, iso_dates: bool) -> str:
    """The query, its cells in the order of ``DETAIL_FIELDS``; parameters ``patients``
    (ids), ``therapist`` (an id, or None for all), ``start`` and ``end``. The set logs are a
    ``LATERAL`` subquery so each part's are read through the index: joined plainly, a batch
    of patients was planned as a scan of every set log of the database.

    A patient's parts are their care spells (``CareSpell``: ``starts_on`` up to, not
    including, ``ends_on``; none: from the start, or for good) or, with none recorded, one
    part of their current therapist; ordered by their days, so the lines of a patient come in
    the order of their days as before."""
    day = "l.performed_on::text" if iso_dates else "to_char(l.performed_on, 'YYYY-MM-DD')"
    cells = " || ',' || ".join(
        [
            day,
            "it.cells",  # program, then exercise: quoted once per item and exercise
            "ex.cells",
            _number("l.ladder_level"),
            _side(),
            "l.target_sets::text",
            _number("l.target_reps"),
            _number("l.target_reps_up_to"),
            _number("l.target_hold_seconds"),
            _number("l.target_hold_up_to"),
            "CASE WHEN l.target_per_side THEN 'yes' ELSE 'no' END",
            "l.set_number::text",
            _number("l.reps"),
            _number("l.hold_seconds"),
            "l.pain::text",
            _number("l.difficulty"),
        ]
    )
    return f"""
SELECT convert_to(
           string_agg(pt.cells || {cells} || E'\\r\\n', ''
                      ORDER BY l.performed_on, l.logged_at, l.id),
           'UTF8'),
       count(*)
FROM (
    SELECT p.id, p.full_name, part.starts_on, part.ends_on,
           greatest(part.starts_on, %(start)s::date) AS first_day,
           least(part.ends_on - 1, %(end)s::date) AS last_day,
           {_csv_text("p.full_name")} || ',' || {_csv_text(THERAPIST)} || ',' AS cells
    FROM patients_patient p
    CROSS JOIN LATERAL (
        SELECT s.therapist_id, s.starts_on, s.ends_on
        FROM patients_carespell s WHERE s.patient_id = p.id
        UNION ALL
        SELECT p.therapist_id, NULL::date, NULL::date
        WHERE NOT EXISTS (SELECT FROM patients_carespell s WHERE s.patient_id = p.id)
    ) part
    JOIN clinics_user t ON t.id = part.therapist_id
    WHERE p.id = ANY(%(patients)s::bigint[])
      AND (%(therapist)s::bigint IS NULL OR part.therapist_id = %(therapist)s::bigint)
    ORDER BY p.full_name, p.id, part.starts_on NULLS FIRST, part.ends_on NULLS LAST
    OFFSET 0
) pt
CROSS JOIN LATERAL (
    SELECT * FROM patients_setlog
    WHERE patient_id = pt.id AND performed_on BETWEEN pt.first_day AND pt.last_day
    OFFSET 0
) l
CROSS JOIN LATERAL (
    SELECT {_csv_text("pr.name")} AS cells
    FROM programs_programitem i JOIN programs_program pr ON pr.id = i.program_id
    WHERE i.id = l.item_id
    OFFSET 0
) it
CROSS JOIN LATERAL (
    SELECT {_csv_text("e.name")} AS cells FROM exercises_exercise e WHERE e.id = l.exercise_id
    OFFSET 0
) ex
GROUP BY pt.full_name, pt.id, pt.starts_on, pt.ends_on
ORDER BY pt.full_name, pt.id, pt.starts_on NULLS FIRST, pt.ends_on NULLS LAST
"""  # noqa: S608  # nosec B608: only this module's constant SQL is interpolated


def _iso_dates(alias: str) -> bool:
    """Whether the session prints dates as ``date.isoformat()`` does (DateStyle ISO)."""
    reader = connections[alias]
    reader.ensure_connection()
    style = reader.connection.info.parameter_status("DateStyle") or ""
    return style.startswith("ISO")


def detail_csv_sql(
    *, user: User, filters: ReportFilters, on_row: Callable[[int], None] | None = None
) -> Iterator[bytes]:
    """The detailed export's lines after the header, a patient at a time, in report order.

    ``on_row(rows so far)`` is called after each batch of patients, on the caller's thread
    and connection (a job's progress UPDATE), never while a query of its own is under way.
    """
    patients = list(report_patients(user=user, filters=filters).values_list("pk", flat=True))
    batches = [
        patients[start : start + DETAIL_PATIENT_BATCH]
        for start in range(0, len(patients), DETAIL_PATIENT_BATCH)
    ]
    if not batches:
        return
    alias = read_alias()
    therapist = filters.therapist.pk if filters.therapist is not None else None
    statement = _statement(iso_dates=_iso_dates(alias))
    query = _Query(statement, filters.start, filters.end, therapist)
    # Inside a transaction (a test, a caller that wrote first) other connections would not
    # see what it wrote: stay on its connection.
    alone = DETAIL_STREAMS < 2 or len(batches) < 2 or connections[alias].in_atomic_block
    results = _one_stream(query, alias, batches) if alone else _streams(query, alias, batches)
    # Closed here, not when collected: a failed batch or a download closed early stops the
    # other connection's worker now.
    with closing(results):
        done = 0
        for rows in results:
            for text, count in rows:
                done += count
                yield text
            if on_row is not None:
                on_row(done)


class _Query:
    """The statement and period, run for one batch on one connection."""

    def __init__(self, statement: str, start: date, end: date, therapist: int | None) -> None:
        self.statement = statement
        self.start = start
        self.end = end
        self.therapist = therapist

    def rows(self, alias: str, batch: Batch) -> Iterator[Row]:
        """(CSV lines, count) for each part of a patient of the batch with a set in the
        period."""
        params = {
            "patients": list(batch), "start": self.start, "end": self.end,
            "therapist": self.therapist,
        }  # fmt: skip
        with connections[alias].cursor() as cursor:
            raw = cursor.cursor  # psycopg's own cursor: Django's wrapper has no copy()
            copy_sql = f"COPY ({self.statement}) TO STDOUT (FORMAT binary)"
            with raw.copy(copy_sql, params) as copy:
                copy.set_types(["bytea", "int8"])
                for text, count in copy.rows():
                    yield bytes(text), int(count)


def _one_stream(query: _Query, alias: str, batches: list[Batch]) -> Results:
    for batch in batches:
        yield query.rows(alias, batch)


_END = object()


def _streams(query: _Query, alias: str, batches: list[Batch]) -> Results:
    """Batch results in batch order, batch ``n`` read by worker ``n % DETAIL_STREAMS``.

    Each worker has its own connection (Django's are per thread) and a queue of at most a
    batch of patients, so a worker runs ahead by one batch, no more.
    """
    stop = threading.Event()
    snapshot = _Snapshot(readers=DETAIL_STREAMS, stop=stop)
    queues: list[queue.Queue[Any]] = [
        queue.Queue(maxsize=DETAIL_PATIENT_BATCH) for _ in range(DETAIL_STREAMS)
    ]
    workers = [
        threading.Thread(
            target=_work,
            args=(query, alias, batches[n::DETAIL_STREAMS], queues[n], stop, snapshot, n),
            name=f"detail-export-{n}",
            daemon=True,
        )
        for n in range(DETAIL_STREAMS)
    ]
    for worker in workers:
        worker.start()
    try:
        for number in range(len(batches)):
            yield _drain(queues[number % DETAIL_STREAMS])
    finally:
        stop.set()
        for worker in workers:
            worker.join()


def _drain(results: queue.Queue[Any]) -> Iterator[Row]:
    while (item := results.get()) is not _END:
        if isinstance(item, BaseException):
            raise item
        yield item


class _Snapshot:
    """One database snapshot for every reading connection: the first exports it in a
    read-only REPEATABLE READ transaction, the others import it, and the first keeps its
    transaction open until they have (an exported snapshot lives only as long as that)."""

    def __init__(self, *, readers: int, stop: threading.Event) -> None:
        self.stop = stop
        self.name: str | None = None
        self.exported = threading.Event()
        self.imported = threading.Semaphore(0)
        self.importers = readers - 1

    def begin(self, alias: str, number: int) -> bool:
        """Start reader ``number``'s transaction on the shared snapshot; False when stopped."""
        with connections[alias].cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            if number == 0:
                cursor.execute("SELECT pg_export_snapshot()")
                self.name = str(cursor.fetchone()[0])
                self.exported.set()
                return True
            while not self.exported.wait(0.1):
                if self.stop.is_set():
                    return False
            cursor.execute("SET TRANSACTION SNAPSHOT %s", [self.name])
        self.imported.release()
        return True

    def end(self, alias: str, number: int) -> None:
        """Close reader ``number``'s transaction: the exporter only once every importer has
        imported (or the export stopped)."""
        if number == 0:
            for _ in range(self.importers):
                while not self.imported.acquire(timeout=0.1):
                    if self.stop.is_set():
                        break
        with connections[alias].cursor() as cursor:
            cursor.execute("COMMIT")


def _work(
    query: _Query,
    alias: str,
    batches: list[Batch],
    results: queue.Queue[Any],
    stop: threading.Event,
    snapshot: _Snapshot,
    number: int,
) -> None:
    try:
        if not snapshot.begin(alias, number):
            return
        for batch in batches:
            for row in query.rows(alias, batch):
                if not _put(results, row, stop):
                    return
            if not _put(results, _END, stop):
                return
        snapshot.end(alias, number)
    except Exception as error:  # handed to the writing thread, which raises it
        _put(results, error, stop)
    finally:
        connections[alias].close()


def _put(results: queue.Queue[Any], item: object, stop: threading.Event) -> bool:
    """Queue ``item`` unless the reader has stopped (closed early or failed)."""
    while not stop.is_set():
        try:
            results.put(item, timeout=0.1)
        except queue.Full:
            continue
        return True
    return False
