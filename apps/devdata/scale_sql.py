"""The SQL behind ``apps.devdata.scale``: statements that generate rows inside PostgreSQL, and
the helpers that build them from the models so new columns get their defaults."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, models
from django.db.backends.utils import CursorWrapper
from django.utils import timezone

# One row per patient with everything the later steps derive from the patient number n:
# therapist, time zone, start (a tenth start late), weekdays and chance of a session (q).
PLAN_SQL = """
        CREATE TEMP TABLE scale_plan ON COMMIT DROP AS
        SELECT u.id AS user_id, NULL::bigint AS patient_id, NULL::bigint AS program_id, u.n,
               u.full_name,
               (%(therapists)s::bigint[])[((u.n - 1) / %(panel)s) %% %(count)s + 1]
                   AS therapist_id,
               coalesce(%(zone)s, (%(zones)s::text[])[u.n %% %(zone_count)s + 1]) AS tz,
               CASE WHEN u.n %% 10 = 0 THEN %(today)s::date - %(days)s / 10
                    ELSE %(today)s::date - %(days)s END AS start_date,
               coalesce(%(mask)s, CASE WHEN u.n %% 100 < %(every_day)s THEN %(mask0)s
                    WHEN u.n %% 100 < %(weekdays)s THEN %(mask1)s ELSE %(mask2)s END)
                   AS weekdays,
               least(1.0, greatest(0.0, %(on_day)s - 0.25 + 0.5 * ((u.n * 0.618034) %% 1)))
                   AS q,
               7 + u.n %% 14 AS hour
        FROM (SELECT id, full_name, row_number() OVER (ORDER BY id) AS n
              FROM clinics_user WHERE clinic_id = %(clinic)s AND role = %(role)s) AS u
"""

# Three items a patient; one patient in twenty had the second item's dose raised part-way.
ITEM_PLAN_SQL = """
        CREATE TEMP TABLE scale_item ON COMMIT DROP AS
        WITH base AS (
            SELECT p.*, p.start_date + ((%(today)s::date - p.start_date) * 6 / 10) AS mid
            FROM scale_plan p
        ), items AS (
            SELECT b.*, 0 AS pos, NULL::bigint AS exercise_id, %(ladder)s::bigint AS ladder_id,
                   least(%(top)s, 1 + b.n %% 3) AS current_level, 2 AS sets, 15 AS reps,
                   NULL::int AS hold, true AS per_side, b.start_date AS active_from,
                   NULL::date AS active_until
            FROM base b
            UNION ALL
            SELECT b.*, 1, %(single)s, NULL, NULL, 2, %(single_reps)s, NULL, true, b.start_date,
                   CASE WHEN b.n %% 20 = 1 AND b.mid > b.start_date THEN b.mid - 1 END
            FROM base b
            UNION ALL
            SELECT b.*, 1, %(single)s, NULL, NULL, 3, %(single_reps)s, NULL, true, b.mid, NULL
            FROM base b WHERE b.n %% 20 = 1 AND b.mid > b.start_date
            UNION ALL
            SELECT b.*, 2, CASE WHEN b.n %% 2 = 0 THEN %(two_sided)s ELSE %(hold)s END,
                   NULL, NULL, 2,
                   CASE WHEN b.n %% 2 = 0 THEN %(two_reps)s END,
                   CASE WHEN b.n %% 2 = 1 THEN %(hold_seconds)s END,
                   false, b.start_date, NULL
            FROM base b
        )
        SELECT i.n, i.patient_id, i.program_id, i.therapist_id, i.tz, i.start_date,
               i.weekdays, i.q, i.hour, i.pos, i.exercise_id, i.ladder_id, i.sets, i.reps,
               i.hold, i.per_side, i.active_from, i.active_until,
               NULL::bigint AS item_id,
               CASE WHEN i.pos = 1 THEN md5(i.patient_id || ':track')::uuid
                    ELSE gen_random_uuid() END AS track,
               i.current_level,
               CASE WHEN i.current_level > 1 THEN i.current_level - 1 END AS previous_level,
               CASE WHEN i.current_level > 1 THEN i.mid END AS level_since
        FROM items i
"""

# Whether a patient trained on a day is a hash of the patient number n and the day, never of
# the database id: ids come from a sequence that other inserts (other tests, an earlier seed)
# have moved on, and the same arguments must give the same sessions.
SESSIONS_SQL = """
    CREATE TEMP TABLE scale_session ON COMMIT DROP AS
    SELECT p.patient_id, p.tz, p.hour, d::date AS day
    FROM scale_plan p
    CROSS JOIN LATERAL generate_series(p.start_date, %(today)s::date - 1, '1 day') AS d
    WHERE (hashint8(p.n * 100003 + (d::date - date '2000-01-01'))
           & 2147483647) / 2147483647.0
          < CASE WHEN (p.weekdays >> (extract(isodow FROM d)::int - 1)) & 1 = 1 THEN p.q
                 ELSE %(bonus)s END
"""

SET_LOG_COLUMNS = {
    "public_id": "gen_random_uuid()",
    "client_id": "gen_random_uuid()",
    "patient_id": "s.patient_id",
    "item_id": "i.item_id",
    "performed_on": "s.day",
    "logged_at": "l.at",
    "set_number": "k.n",
    "side": "sd.side",
    "reps": "CASE WHEN i.reps IS NOT NULL THEN greatest(1, i.reps - 3 + (random() * 6)::int) END",
    # Held a little short of the target now and then, never below one second.
    "hold_seconds": "CASE WHEN i.hold IS NOT NULL THEN greatest(1, i.hold - (random() * 8)::int)"
    " END",
    "pain": "CASE WHEN random() < 0.9 THEN (random() * 3)::int ELSE (random() * 8)::int END",
    "difficulty": "CASE WHEN random() < 0.5 THEN 1 + (random() * 4)::int END",
    "note": "''",
    "exercise_id": "coalesce(i.exercise_id, CASE WHEN s.day < i.level_since "
    "THEN i.prev_exercise ELSE i.cur_exercise END)",
    "ladder_level": "CASE WHEN i.ladder_id IS NOT NULL THEN CASE WHEN s.day < i.level_since "
    "THEN i.previous_level ELSE i.current_level END END",
    "target_sets": "i.sets",
    "target_reps": "i.reps",
    "target_hold_seconds": "i.hold",
    "target_per_side": "i.per_side",
    "evaluated_at": "l.at + interval '2 seconds'",
}

SET_LOG_FROM = """
    FROM scale_session s
    JOIN scale_item i ON i.patient_id = s.patient_id
         AND (i.active_from IS NULL OR i.active_from <= s.day)
         AND (i.active_until IS NULL OR s.day <= i.active_until)
    CROSS JOIN LATERAL generate_series(1, i.sets + 1) AS k(n)
    CROSS JOIN LATERAL unnest(CASE WHEN i.per_side THEN ARRAY['left', 'right']
                                   ELSE ARRAY['both'] END) WITH ORDINALITY AS sd(side, o)
    CROSS JOIN LATERAL (
        SELECT (s.day + make_time(s.hour::int, (i.pos * 12 + k.n * 2)::int, sd.o * 20.0::float8))
               AT TIME ZONE s.tz AS at
    ) AS l
    -- Whether a set was done is a hash of (patient number, day, item position, set, side),
    -- like the sessions: random() would hand its draws out in the order the join produces
    -- rows, which follows the plan and the ids, so the same arguments drew different sets.
    WHERE (hashint8((((i.n * 100003 + (s.day - date '2000-01-01')) * 16 + i.pos) * 16 + k.n)
                    * 4 + sd.o) & 2147483647) / 2147483647.0
          < CASE WHEN k.n <= i.sets THEN %(set_rate)s ELSE %(extra)s END
      -- Yesterday on the server's calendar can still be today in a patient's time zone: a set
      -- is never logged in the future.
      AND l.at <= %(now)s
"""


CLEAR_SQL = (
    "DELETE FROM patients_setlog WHERE patient_id IN "
    "(SELECT id FROM patients_patient WHERE clinic_id = %(clinic)s)",
    "DELETE FROM programs_dailytotal WHERE patient_id IN "
    "(SELECT id FROM patients_patient WHERE clinic_id = %(clinic)s)",
)


@contextmanager
def indexes_dropped(
    cursor: CursorWrapper, model: type[models.Model], *, enabled: bool
) -> Iterator[None]:
    """Drop a table's secondary indexes, unique and foreign keys; rebuild them on the way out.

    The definitions come from the catalogue, so whatever the migrations created is rebuilt
    exactly (same names), inside the same transaction: on error everything rolls back.
    """
    if not enabled:
        yield
        return
    table = model._meta.db_table
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('u', 'f')",
        [table],
    )
    constraints = list(cursor.fetchall())
    cursor.execute(
        "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
        "JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = %s::regclass "
        "AND NOT x.indisprimary AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
        [table],
    )
    indexes = list(cursor.fetchall())
    quoted = connection.ops.quote_name
    # Foreign keys are deferred: check the rows inserted so far now, or the tables they
    # point at could not be altered ("pending trigger events").
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for name, _ in constraints:
        cursor.execute(f"ALTER TABLE {quoted(table)} DROP CONSTRAINT {quoted(name)}")
    for name, _ in indexes:
        cursor.execute(f"DROP INDEX {quoted(name)}")
    yield
    cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
    for _, definition in indexes:
        cursor.execute(definition)
    for name, definition in constraints:
        cursor.execute(f"ALTER TABLE {quoted(table)} ADD CONSTRAINT {quoted(name)} {definition}")
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def insert_select_sql(model: type[models.Model], columns: dict[str, str], source: str) -> str:
    """``INSERT INTO table (…) SELECT … <source>`` with every other column at its default.

    Columns the generator does not name get the model field's default, so a field another
    app adds later (with a default or NULL allowed) does not break the generator.
    """
    names = dict(columns)
    for model_field in model._meta.concrete_fields:
        column = model_field.column
        if model_field.primary_key or column is None or column in names:
            continue
        names[column] = _default_sql(model, model_field)
    quoted = connection.ops.quote_name
    column_list = ", ".join(quoted(name) for name in names)
    return (
        f"INSERT INTO {quoted(model._meta.db_table)} ({column_list}) "
        f"SELECT {', '.join(names.values())} {source}"
    )


def _default_sql(model: type[models.Model], model_field: models.Field[Any, Any]) -> str:
    if model_field.has_default():
        default = model_field.default
        if default is uuid.uuid4:
            return "gen_random_uuid()"
        if default is timezone.now:
            return "now()"
        value = default() if callable(default) else default
        prepared = model_field.get_db_prep_save(value, connection)
        return _literal(prepared)
    if model_field.null:
        return "NULL"
    if isinstance(model_field, models.CharField | models.TextField) and model_field.blank:
        return "''"
    raise RuntimeError(f"seed_scale cannot fill {model.__name__}.{model_field.name}: no default")


def _literal(value: Any) -> str:
    """A SQL literal for a field default (a bool, number, string, time or JSON adapter)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    adapted = getattr(value, "dumps", None)
    text = adapted(value.obj) if adapted else str(value)
    return "'" + text.replace("'", "''").replace("%", "%%") + "'"
