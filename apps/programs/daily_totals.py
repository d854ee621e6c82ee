"""Daily totals: each patient's adherence figures per local day, kept beside the set logs.

``DailyTotal`` holds, for every patient-local day with at least one log, the units
prescribed and completed that day (the rule in ``apps.programs.adherence``), the sets logged
and their highest and summed pain. The dashboard, the reports, History and the progress
charts sum these rows instead of grouping a month or a year of set logs.

A row is a pure function of the patient's logs of that day and their program rows, so every
writer recomputes the rows it can change, in its own transaction:

- a log recorded (one or a batch), corrected or deleted: that patient's days of those logs
  (``daily_totals_refresh_days``);
- a program's items, dose, weekdays, dates or activity changed, or a program assigned: every
  logged day of that patient (``daily_totals_refresh_patient``; a year is a few hundred rows
  and programs change rarely).
- hip precautions set, changed or ended (the ``precautions_changed`` signal of the patients
  app, received in ``ProgramsConfig.ready``) or a ladder level changed: the same, because an
  exercise the precautions hold back prescribes nothing on those days.
- an exercise's hip movements changed (the exercises app's ``hip_movements_changed``):
  every logged day of each patient with precautions (any, past ones included) whose programs
  use it, on its own or as a ladder level (``daily_totals_refresh_exercises``). Patients
  without precautions are left alone: nothing is held back for them whatever its movements.

A time-zone change needs nothing: ``performed_on`` is stored as the local day the set was
done, so no log changes day, and each reader cuts its window at the patient's local today.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import Q

from apps.core.prepared import prepared_cursor
from apps.exercises.models import LadderLevel
from apps.patients.models import HipPrecaution, Patient, Side
from apps.programs.adherence import patient_schedules, prescribed_on_sql
from apps.programs.held_back import Window
from apps.programs.models import DailyTotal, Program, ProgramItem, SetLog

# One row per patient and day with logs. ``logged`` counts logs per item, day and side (all
# sides together for an unsided item); ``sided`` leaves out the unsided logs of a per-side
# item. ``completed`` caps each count at the item's sets on the days the item prescribes;
# ``due`` adds up everything prescribed on each logged day. The same grouping as the
# reference (``adherence.daily_adherence``), which the property test holds it to. A day whose
# row exists is overwritten (``WHERE TRUE`` lets SQLite parse ``ON CONFLICT`` after a
# ``SELECT``); a day left without logs keeps its row unless the caller deletes it first.
REBUILD_SQL = """
    WITH logged AS (
        SELECT l.patient_id, l.item_id, l.performed_on AS day, COUNT(*) AS n,
               SUM(l.pain) AS pain_sum, MAX(l.pain) AS pain_max, MAX(i.sets) AS sets,
               SUM(CASE WHEN i.per_side AND l.side NOT IN (%s, %s) THEN 0 ELSE 1 END) AS sided
        FROM {log} l
        JOIN {item} i ON i.id = l.item_id
        WHERE {where}
        GROUP BY l.patient_id, l.item_id, l.performed_on,
                 CASE WHEN i.per_side THEN l.side ELSE '' END
    ), days AS (
        SELECT patient_id, day, SUM(n) AS logs, SUM(pain_sum) AS pain_sum,
               MAX(pain_max) AS pain_max
        FROM logged GROUP BY patient_id, day
    ), completed AS (
        SELECT g.patient_id, g.day,
               SUM(CASE WHEN g.sided < g.sets THEN g.sided ELSE g.sets END) AS completed
        FROM logged g
        JOIN {item} i ON i.id = g.item_id
        JOIN {program} p ON p.id = i.program_id AND p.patient_id = g.patient_id
        WHERE {logged_day_prescribed}
        GROUP BY g.patient_id, g.day
    ), due AS (
        SELECT d.patient_id, d.day,
               SUM(i.sets * CASE WHEN i.per_side THEN 2 ELSE 1 END) AS prescribed
        FROM days d
        JOIN {program} p ON p.patient_id = d.patient_id
        JOIN {item} i ON i.program_id = p.id
        WHERE {due_day_prescribed}
        GROUP BY d.patient_id, d.day
    )
    INSERT INTO {total} (patient_id, day, prescribed, completed, logs, pain_sum, pain_max)
    SELECT d.patient_id, d.day, COALESCE(due.prescribed, 0), COALESCE(c.completed, 0),
           d.logs, d.pain_sum, d.pain_max
    FROM days d
    LEFT JOIN completed c ON c.patient_id = d.patient_id AND c.day = d.day
    LEFT JOIN due ON due.patient_id = d.patient_id AND due.day = d.day
    WHERE TRUE
    ON CONFLICT (patient_id, day) DO UPDATE SET
        prescribed = excluded.prescribed, completed = excluded.completed, logs = excluded.logs,
        pain_sum = excluded.pain_sum, pain_max = excluded.pain_max
"""


@dataclass(frozen=True)
class Scope:
    """Which rows to recompute: these patients (or this clinic's; everyone when both are
    None) between ``start`` and ``end`` (unbounded when None)."""

    patient_ids: Sequence[int] | None = None
    clinic_id: int | None = None
    start: date | None = None
    end: date | None = None


def _filters(patient: str, day: str, scope: Scope) -> tuple[str, list[Any]]:
    """SQL true for a row inside ``scope``."""
    tests: list[str] = ["1 = 1"]
    params: list[Any] = []
    adapt = connection.ops.adapt_datefield_value
    start, end = scope.start, scope.end
    if scope.patient_ids is not None:
        tests.append(f"{patient} IN ({', '.join(['%s'] * len(scope.patient_ids))})")
        params.extend(scope.patient_ids)
    if scope.clinic_id is not None:
        table = Patient._meta.db_table
        clinic_patients = f"SELECT id FROM {table} WHERE clinic_id = %s"  # noqa: S608  # nosec B608
        tests.append(f"{patient} IN ({clinic_patients})")
        params.append(scope.clinic_id)
    if start is not None:
        tests.append(f"{day} >= %s")
        params.append(adapt(start))
    if end is not None:
        tests.append(f"{day} <= %s")
        params.append(adapt(end))
    return " AND ".join(tests), params


def _lock_patients(cursor: Any, patient_ids: Sequence[int] | None, *, bump: bool) -> None:
    """Take these patients' rows ``FOR NO KEY UPDATE`` until the transaction ends; with
    ``bump``, in the same statement, raise their ``today_version``: every writer that
    refreshes the totals (logs, programs, levels, precautions) changed what Today shows, and
    the bump commits with it, so a cached Today page misses from that commit
    (``apps/portal/today_cache.py``).

    A row is recomputed from the logs the statement sees; under READ COMMITTED two writers
    for the same patient would each miss the other's uncommitted log, and the second upsert
    would overwrite the first with a count lacking it. The lock makes the second writer wait
    for the first to commit, so its next statement sees both logs. ``NO KEY`` because each
    writer already holds ``KEY SHARE`` on the patient (the foreign key check of its own
    insert), which ``FOR UPDATE`` would conflict with: a deadlock (an ``UPDATE`` of a
    non-key column takes the same lock). Rows are locked in id order, so two writers of the
    same patients cannot deadlock. SQLite takes the whole database for each write
    transaction, and a rebuild of everyone is maintenance."""
    if patient_ids is None or (not bump and connection.vendor != "postgresql"):
        return
    marks = ", ".join(["%s"] * len(patient_ids))
    table = Patient._meta.db_table
    chosen = f"SELECT id FROM {table} WHERE id IN ({marks})"  # noqa: S608  # nosec B608
    if connection.vendor == "postgresql":
        chosen += " ORDER BY id FOR NO KEY UPDATE"
    if bump:
        chosen = f"UPDATE {table} SET today_version = today_version + 1 WHERE id IN ({chosen})"  # noqa: S608  # nosec B608
    cursor.execute(chosen, list(patient_ids))


def _held_back(scope: Scope) -> dict[int, list[Window]]:
    """Per item row, the days in scope its exercise is held back by hip precautions (no
    override): it prescribes nothing then, as in the reference. One query when no patient in
    scope has precautions, the usual case."""
    precautions = HipPrecaution.objects.all()
    if scope.patient_ids is not None:
        precautions = precautions.filter(patient_id__in=list(scope.patient_ids))
    if scope.clinic_id is not None:
        precautions = precautions.filter(patient__clinic_id=scope.clinic_id)
    patient_ids = set(precautions.values_list("patient_id", flat=True))
    if not patient_ids:
        return {}
    schedules = patient_schedules(
        patient_ids=patient_ids, start=scope.start or date.min, end=scope.end or date.max
    )
    return {pk: days for s in schedules.values() for pk, days in s.held_back.items()}


def _cursor(scope: Scope, held: dict[int, list[Window]]) -> AbstractContextManager[Any]:
    """A prepared cursor for the writers' usual scope, a few days of one patient with
    nothing held back (the one-tap log's upsert, the same text every time), on its generic
    plan: index reads of one patient's rows, whatever the values, which PostgreSQL would
    otherwise plan afresh on every run for three times what running it costs. A plain
    cursor for the rest, whose text changes with the number of patients."""
    ids = scope.patient_ids
    few_days = scope.start is not None and scope.end is not None
    if ids is not None and len(ids) == 1 and scope.clinic_id is None and few_days and not held:
        return prepared_cursor(generic=True)
    return connection.cursor()


def _rebuild(
    scope: Scope,
    *,
    grown: bool = False,
    precautions: Sequence[HipPrecaution] | None = None,
    bump: bool = True,
    locked: bool = False,
) -> int:
    """Recompute the rows in scope. ``grown`` (logs were only added) skips deleting rows
    first: every day that had logs still has them, so the upsert alone is exact. An empty
    ``precautions`` (the caller read them for the scope and found none) spares looking
    them up: nothing is held back. ``bump``: the writer changed what the patients' Today
    shows (``_lock_patients``). ``locked``: the writer took the lock (and the bump) itself
    first (``daily_totals_lock_patient``)."""
    if scope.patient_ids is not None and not scope.patient_ids:
        return 0
    where, params = _filters("l.patient_id", "l.performed_on", scope)
    held = {} if precautions is not None and not precautions else _held_back(scope)
    total = DailyTotal._meta.db_table
    # Only table names from the models and SQL built here are interpolated; every value is a
    # query parameter.
    insert = REBUILD_SQL.format(  # nosec B608
        total=total,
        log=SetLog._meta.db_table,
        item=ProgramItem._meta.db_table,
        program=Program._meta.db_table,
        where=where,
        logged_day_prescribed=prescribed_on_sql("g.day", held),
        due_day_prescribed=prescribed_on_sql("d.day", held),
    )
    with _cursor(scope, held) as cursor:
        if not locked:
            _lock_patients(cursor, scope.patient_ids, bump=bump)
        if not grown:
            gone, gone_params = _filters("patient_id", "day", scope)
            delete = f"DELETE FROM {total} WHERE {gone}"  # noqa: S608  # nosec B608
            cursor.execute(delete, gone_params)
        cursor.execute(insert, [Side.LEFT.value, Side.RIGHT.value, *params])
        return int(cursor.rowcount)


def daily_totals_lock_patient(*, patient_id: int) -> None:
    """Take the lock every writer of this patient's totals takes (``_lock_patients``, with
    the Today bump) now, at the start of the writer's transaction, for a writer that counts
    the patient's rows before it writes: a set's number is one more than the sets already
    logged, and two writers counting at once would both give the same number. Taken first,
    the second writer waits for the first to commit and counts its set too. The writer
    then refreshes with ``locked=True``."""
    with prepared_cursor() as cursor:
        _lock_patients(cursor, [patient_id], bump=True)


def daily_totals_refresh_days(
    *,
    patient_id: int,
    days: Iterable[date],
    grown: bool = False,
    precautions: Sequence[HipPrecaution] | None = None,
    locked: bool = False,
) -> None:
    """Recompute one patient's rows for the days of logs just written (``grown``: one
    statement), corrected or deleted (two), whatever the number of days. Call inside the
    writer's transaction. A writer that has read the patient's precautions in force on any
    day from the first of these days to the last passes them as ``precautions``: none
    spares a query. ``locked``: the writer took ``daily_totals_lock_patient`` already."""
    wanted = sorted(set(days))
    if wanted:
        # A batch is usually a day or two; recomputing the days between gives the same rows.
        scope = Scope([patient_id], start=wanted[0], end=wanted[-1])
        _rebuild(scope, grown=grown, precautions=precautions, locked=locked)


def daily_totals_refresh_patient(*, patient_id: int | None) -> None:
    """Recompute every row of a patient whose prescription changed (nothing for a template,
    which has no patient). Call inside the writer's transaction."""
    if patient_id is not None:
        _rebuild(Scope([patient_id]))


def daily_totals_refresh_exercises(*, exercise_ids: Sequence[int]) -> None:
    """Recompute every row of the patients whose hip precautions meet these exercises: those
    with precautions whose assigned programs use one, as an item or as any level of an
    item's ladder (a level reached later, or the one before a step back, counts on its
    days). Call inside the writer's transaction. One query finds them and one rebuild
    covers them all, however many: only patients with precautions who use it pay."""
    ladders = LadderLevel.objects.filter(exercise_id__in=list(exercise_ids)).values("ladder_id")
    using = ProgramItem.objects.filter(
        Q(exercise_id__in=list(exercise_ids)) | Q(ladder_id__in=ladders),
        program__is_template=False,
        program__patient_id__in=HipPrecaution.objects.values("patient_id"),
    )
    patient_ids = sorted(set(using.values_list("program__patient_id", flat=True)))
    if patient_ids:
        _rebuild(Scope(patient_ids))


def daily_totals_rebuild(
    *,
    patient_ids: Sequence[int] | None = None,
    clinic_id: int | None = None,
    start: date | None = None,
    end: date | None = None,
) -> int:
    """Recompute the rows of these patients, or this clinic's (everyone's when neither is
    given), between ``start`` and ``end`` (unbounded when None): the repair and back-fill
    path (``manage.py rebuild_daily_totals``, ``seed_scale``). Returns the rows written.

    No Today version is bumped: Today does not show the totals. The last programs migration
    (``0025_daily_totals_rebuild``) runs this on upgrade, after the latest migration of each
    app it reads: a change here that reads a new column needs a new rebuild migration after
    the one that adds it (that migration's docstring)."""
    ids = None if patient_ids is None else list(patient_ids)
    return _rebuild(Scope(ids, clinic_id, start, end), bump=False)
