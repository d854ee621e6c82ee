"""The therapist dashboard's figures, computed by the database (which patients it shows,
their flags and the sorting are in ``dashboard_selectors``).

A panel is 200 patients. The database computes every figure per patient in one statement
(``FIGURES_SQL``: the week's and month's prescribed and completed units, the week's pain, the
last activity, missed days, waiting prompts, the latest worse morning) and the ladder levels
in another (``LADDERS_SQL``); Python only reads the rows into small tuples. The rule is the
shared one of ``apps.programs.adherence``: what a day prescribes is its ``prescribed_on_sql``
over the program item rows (on PostgreSQL, counted a window at a time by
``scheduled_days_sql`` with the same dates and weekdays), what was done comes from the daily
totals (``DailyTotal``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

from django.db import connection

from apps.core.db_router import read_alias
from apps.core.prepared import prepared_cursor
from apps.exercises.models import Ladder, LadderLevel
from apps.programs.adherence import (
    held_back_sql,
    held_back_windows,
    percent,
    prescribed_on_sql,
    ratio,
    ratio_units,
    scheduled_days_sql,
    sql_date,
    weekday_sql,
)
from apps.programs.held_back import Window
from apps.programs.models import (
    Compared,
    DailyTotal,
    MorningCheck,
    Program,
    ProgramItem,
    ProgressionPrompt,
    PromptStatus,
)

WEEK_DAYS = 7
MONTH_DAYS = 30


class LadderStatus(NamedTuple):
    ladder: str
    level: int
    top: int


class Adherence(NamedTuple):
    """Units prescribed and completed over a window ending today, and its highest pain."""

    prescribed: int
    completed: int
    pain_max: int | None = None

    @property
    def adherence(self) -> Decimal | None:
        return ratio(self.completed, self.prescribed)

    @property
    def adherence_percent(self) -> int | None:
        return percent(self.completed, self.prescribed)

    @property
    def sort_key(self) -> int | None:
        """``adherence`` as an integer, for sorting."""
        return ratio_units(self.completed, self.prescribed)


# Per patient (``pt``: id and local today, for the patients of the page): what the daily
# totals say was done over the last 31 days (``done``; ``last`` is the newest logged day,
# looked up in the index only for a patient with no log in that time), the units prescribed
# over each window and the missed days (``expected``, from the patients' few item rows read
# once in ``items``; every item prescribes at least one set; the CTE differs by database:
# ``EXPECTED_WALKED_SQL``, ``EXPECTED_COUNTED_SQL``). Missed days are the scheduled days in
# the 30 before today after the last log (today may still be done).
# Prompts and worse mornings are a lookup each in their (partial) indexes. Each per-patient
# aggregate is MATERIALIZED: the planner, expecting a therapist's average of a dozen
# patients, may join them in a nested loop, which would compute an aggregate again for every
# patient (20 patients: 8.9 ms instead of 3.7; bench/README.md, "Ninth session").
FIGURES_SQL = """
    WITH pt AS MATERIALIZED ({pt}),
    done AS MATERIALIZED (
        SELECT pt.id AS patient_id,
               SUM(CASE WHEN t.day BETWEEN {week_from} AND pt.today THEN t.completed ELSE 0 END)
                   AS week,
               SUM(CASE WHEN t.day BETWEEN {month_from} AND pt.today THEN t.completed ELSE 0 END)
                   AS month,
               MAX(CASE WHEN t.day BETWEEN {week_from} AND pt.today THEN t.pain_max END) AS pain,
               MAX(t.day) AS last
        FROM pt JOIN {total} t ON t.patient_id = pt.id AND t.day >= {past_from}
        GROUP BY pt.id
    ),
    latest AS MATERIALIZED (
        SELECT pt.id, pt.today, done.week, done.month, done.pain,
               COALESCE(done.last, (SELECT MAX(t.day) FROM {total} t WHERE t.patient_id = pt.id))
                   AS last
        FROM pt LEFT JOIN done ON done.patient_id = pt.id
    ),
    items AS MATERIALIZED (
        SELECT pt.id AS patient_id, pt.today, pt.last, i.id, i.active_from, i.active_until,
               i.sets * CASE WHEN i.per_side THEN 2 ELSE 1 END AS units, p.is_template,
               p.is_active, p.start_date, p.end_date, p.weekdays
        FROM latest pt
        JOIN {program} p ON p.patient_id = pt.id
        JOIN {item} i ON i.program_id = p.id
        WHERE p.is_template = FALSE AND p.is_active = TRUE
    ),
    {expected}
    SELECT pt.id, e.week, pt.week, e.month, pt.month, pt.pain, pt.last, e.missed,
           (SELECT COUNT(*) FROM {prompt} pp WHERE pp.patient_id = pt.id AND pp.status = %s),
           (SELECT MAX(m.local_date) FROM {morning} m
            WHERE m.patient_id = pt.id AND m.local_date >= %s
              AND (m.hip = %s OR m.stiffness = %s))
    FROM latest pt LEFT JOIN expected e ON e.patient_id = pt.id
"""

# ``expected`` (SQLite): every item on each of the 31 days (``k`` days ago) under the shared
# rule ``prescribed_on_sql``, summed per window; missed days are the distinct days among them
# in the 30 before today after the last log (today may still be done).
EXPECTED_WALKED_SQL = """
    offsets (k) AS (VALUES {offsets}),
    expected AS MATERIALIZED (
        SELECT x.patient_id,
               SUM(CASE WHEN o.k < {week_days} THEN x.units ELSE 0 END) AS week,
               SUM(CASE WHEN o.k < {month_days} THEN x.units ELSE 0 END) AS month,
               COUNT(DISTINCT CASE WHEN o.k > 0 AND (x.last IS NULL OR {day} > x.last)
                                   THEN o.k END) AS missed
        FROM items x CROSS JOIN offsets o
        WHERE {prescribed}
        GROUP BY x.patient_id
    )
"""

# ``expected`` (PostgreSQL), the same figures without walking every item through every day:
# each item's days narrowed to its own and its program's dates (``ranges``: ``near`` and
# ``far``, in days ago, the shared rule's dates), its scheduled days in each window counted
# by arithmetic (``scheduled_days_sql``) unless a hip precaution holds it back some day
# (``held``: those few are walked day by day as on SQLite); missed days are walked, but only
# those after the last log, which for most patients are none.
EXPECTED_COUNTED_SQL = """
    ranges AS MATERIALIZED (
        SELECT x.patient_id, x.id, x.today, x.last, x.units, x.weekdays,
               x.today - LEAST(x.end_date, x.active_until, x.today) AS near,
               CASE WHEN x.start_date IS NULL THEN -1
                    ELSE LEAST({month_days}, x.today - GREATEST(x.start_date, x.active_from))
               END AS far
        FROM items x
    ),
    counted AS MATERIALIZED (
        SELECT r.patient_id, SUM(r.units * {week_count}) AS week,
               SUM(r.units * {month_count}) AS month
        FROM ranges r WHERE NOT ({held})
        GROUP BY r.patient_id
    ),
    walked AS MATERIALIZED (
        SELECT r.patient_id, SUM(CASE WHEN o.k < {week_days} THEN r.units ELSE 0 END) AS week,
               SUM(CASE WHEN o.k < {month_days} THEN r.units ELSE 0 END) AS month
        FROM ranges r CROSS JOIN LATERAL generate_series(r.near, r.far) AS o (k)
        WHERE ({held}) AND {scheduled}
        GROUP BY r.patient_id
    ),
    missed AS MATERIALIZED (
        SELECT r.patient_id, COUNT(DISTINCT o.k) AS missed
        FROM ranges r CROSS JOIN LATERAL generate_series(
            GREATEST(1, r.near), LEAST(r.far, COALESCE(r.today - r.last - 1, {month_days}))
        ) AS o (k)
        WHERE {scheduled}
        GROUP BY r.patient_id
    ),
    expected AS MATERIALIZED (
        SELECT pt.id AS patient_id, COALESCE(c.week, 0) + COALESCE(w.week, 0) AS week,
               COALESCE(c.month, 0) + COALESCE(w.month, 0) AS month,
               COALESCE(m.missed, 0) AS missed
        FROM latest pt
        LEFT JOIN counted c ON c.patient_id = pt.id
        LEFT JOIN walked w ON w.patient_id = pt.id
        LEFT JOIN missed m ON m.patient_id = pt.id
    )
"""


def _expected_sql(held: dict[int, list[Window]]) -> str:
    """The ``expected`` CTE of ``FIGURES_SQL`` for this database (see the two above)."""
    if connection.vendor != "postgresql":
        day = _days_before("x.today", "o.k")
        return EXPECTED_WALKED_SQL.format(
            offsets=", ".join(f"({k})" for k in range(MONTH_DAYS + 1)),
            day=day,
            prescribed=prescribed_on_sql(day, held, program="x", item="x"),
            week_days=WEEK_DAYS,
            month_days=MONTH_DAYS,
        )
    day = "(r.today - o.k)"
    counts = {
        f"{name}_count": scheduled_days_sql(
            today="r.today",
            nearest="r.near",
            farthest=f"LEAST(r.far, {days - 1})",
            weekdays="r.weekdays",
        )
        for name, days in (("week", WEEK_DAYS), ("month", MONTH_DAYS))
    }
    # Only integers (item ids) and ISO dates from the database are written into the SQL.
    held_ids = f"r.id IN ({', '.join(str(int(pk)) for pk in sorted(held))})" if held else "FALSE"
    return EXPECTED_COUNTED_SQL.format(
        **counts,
        held=held_ids,
        scheduled=(
            f"((r.weekdays >> {weekday_sql(day)}) & 1) = 1"
            f" AND NOT ({held_back_sql(day, held, 'r')})"
        ),
        week_days=WEEK_DAYS,
        month_days=MONTH_DAYS,
    )


# Each patient's ladder items in force on their today (of an active program that has not
# ended; a program yet to start shows its ladders too), with the level prescribed today
# (``ProgramItem.level_on``, 1 when unset) and the ladder's number of levels.
LADDERS_SQL = """
    WITH pt AS MATERIALIZED ({pt})
    SELECT pt.id, l.name,
           CASE WHEN i.level_since IS NOT NULL AND pt.today < i.level_since
                     AND COALESCE(i.previous_level, 0) <> 0
                THEN i.previous_level ELSE COALESCE(NULLIF(i.current_level, 0), 1) END,
           (SELECT COUNT(*) FROM {level} ll WHERE ll.ladder_id = i.ladder_id)
    FROM pt
    JOIN {program} p ON p.patient_id = pt.id
    JOIN {item} i ON i.program_id = p.id
    JOIN {ladder} l ON l.id = i.ladder_id
    WHERE p.is_template = FALSE AND p.is_active = TRUE
      AND (p.end_date IS NULL OR pt.today <= p.end_date)
      AND (i.active_from IS NULL OR i.active_from <= pt.today)
      AND (i.active_until IS NULL OR pt.today <= i.active_until)
    ORDER BY p.start_date, i.position, i.id
"""

TABLES = {
    "total": DailyTotal._meta.db_table,
    "program": Program._meta.db_table,
    "item": ProgramItem._meta.db_table,
    "prompt": ProgressionPrompt._meta.db_table,
    "morning": MorningCheck._meta.db_table,
    "level": LadderLevel._meta.db_table,
    "ladder": Ladder._meta.db_table,
}


def _days_before(day: str, days: str | int) -> str:
    """SQL for the date ``days`` days before the date ``day`` (both SQL expressions)."""
    if connection.vendor == "postgresql":
        return f"({day} - {days})"
    return f"date({day}, '-' || ({days}) || ' days')"


@dataclass(frozen=True)
class Panel:
    """The page's patients, each with their local today (which depends only on their time
    zone), as the dashboard's list read them."""

    todays: dict[int, date]  # patient id: their local today
    under_precautions: list[int]

    def pt(self) -> tuple[str, list[Any]]:
        """The ``{pt}`` of the SQL above (each patient's id and today) and its parameters.
        On PostgreSQL two arrays, so the statement's text is the same for every panel (it is
        prepared once a connection) and no query of the patients is compiled or run again;
        SQLite has no arrays: a list of values."""
        if connection.vendor == "postgresql":
            sql = "SELECT v.id, v.today FROM unnest(%s::bigint[], %s::date[]) AS v(id, today)"
            return sql, [list(self.todays), list(self.todays.values())]
        rows = ", ".join("(%s, %s)" for _ in self.todays)
        params: list[Any] = []
        for pk, today in self.todays.items():
            params += [pk, connection.ops.adapt_datefield_value(today)]
        # Only placeholders are interpolated; every value is a parameter.
        sql = f"SELECT column1 AS id, column2 AS today FROM (VALUES {rows})"  # noqa: S608  # nosec B608
        return sql, params


def _fetch(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    # Prepared: planning the figures took about as long as a tenth of running them, and a
    # therapist's panel sends the same text on every load (the plan does not depend on the
    # values: every per-patient part is MATERIALIZED, estimated alike for any panel).
    with prepared_cursor(read_alias()) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@dataclass(frozen=True)
class _Figures:
    week: Adherence
    month: Adherence
    last_activity: date | None = None
    missed_days: int = 0
    pending_prompts: int = 0
    worse_morning: date | None = None


NO_FIGURES = _Figures(Adherence(0, 0), Adherence(0, 0))


def panel_figures(panel: Panel) -> dict[int, _Figures]:
    """Every figure of every patient but the ladders, in one query (three or four more when
    some of them have hip precautions, which may hold items back)."""
    first, last = min(panel.todays.values()), max(panel.todays.values())
    held = {}
    if panel.under_precautions:
        held = held_back_windows(
            patient_ids=panel.under_precautions, start=first - timedelta(days=MONTH_DAYS), end=last
        )
    pt, pt_params = panel.pt()
    # Only table names from the models and SQL built here are interpolated; every value is a
    # query parameter.
    sql = FIGURES_SQL.format(  # nosec B608
        pt=pt,
        **TABLES,
        expected=_expected_sql(held),
        week_from=_days_before("pt.today", WEEK_DAYS - 1),
        month_from=_days_before("pt.today", MONTH_DAYS - 1),
        past_from=_days_before("pt.today", MONTH_DAYS),
    )
    worse = Compared.WORSE.value
    since = connection.ops.adapt_datefield_value(first - timedelta(days=WEEK_DAYS - 1))
    params = [*pt_params, PromptStatus.PENDING.value, since, worse, worse]
    figures = {}
    for pk, w_due, w_done, m_due, m_done, pain, latest, missed, prompts, morning in _fetch(
        sql, params
    ):
        figures[pk] = _Figures(
            week=Adherence(int(w_due or 0), int(w_done or 0), pain),
            month=Adherence(int(m_due or 0), int(m_done or 0)),
            last_activity=sql_date(latest),
            missed_days=int(missed or 0),
            pending_prompts=int(prompts),
            worse_morning=sql_date(morning),
        )
    return figures


def panel_ladders(panel: Panel) -> dict[int, list[LadderStatus]]:
    pt, params = panel.pt()
    sql = LADDERS_SQL.format(pt=pt, **TABLES)  # nosec B608
    ladders: dict[int, list[LadderStatus]] = defaultdict(list)
    for pk, name, level, top in _fetch(sql, params):
        ladders[pk].append(LadderStatus(name, int(level), int(top)))
    return ladders
