"""The therapist dashboard for a panel of 200 patients (and of 20), against one hand-written
SQL query that returns the same numbers (checked row by row).

Budgets: median server time ≤ 30 ms and ≤ 3x the SQL floor; the same number of queries for
20 and 200 patients.
"""

from __future__ import annotations

import time

from django.db import connection

from apps.clinics.models import Role, User
from apps.reports.dashboard_selectors import dashboard_rows
from bench import load
from bench.data import session_for
from bench.floors import DASHBOARD_SQL
from bench.report import Record, median, percentile, usual
from bench.scenarios import Context

BUDGET_MS = 30.0
BUDGET_RATIO = 3.0


def _therapist(ctx: Context, key: str) -> User:
    therapists = User.objects.filter(clinic=ctx.clinics[key], role=Role.THERAPIST)
    return therapists.select_related("clinic").order_by("pk")[0]


def _floor(therapist: User, runs: int) -> tuple[list[float], list[tuple[object, ...]]]:
    params = {"clinic": therapist.clinic_id, "therapist": therapist.pk}
    timings, rows = [], []
    with connection.cursor() as cursor:
        for _ in range(runs):
            started = time.perf_counter()
            cursor.execute(DASHBOARD_SQL, params)
            rows = cursor.fetchall()
            timings.append((time.perf_counter() - started) * 1000)
    return timings, rows


def _app_numbers(therapist: User) -> list[tuple[object, ...]]:
    assert therapist.clinic is not None
    rows = dashboard_rows(user=therapist, clinic=therapist.clinic)
    numbers = [
        (
            row.patient.pk,
            row.week.prescribed,
            row.week.completed,
            row.month.prescribed,
            row.month.completed,
            row.week.pain_max,
            row.last_activity,
            row.pending_prompts,
            row.missed_days,
            ",".join(str(ladder.level) for ladder in row.ladders),
        )
        for row in rows
    ]
    return sorted(numbers, key=lambda values: int(str(values[0])))


def _mismatches(app: list[tuple[object, ...]], sql: list[tuple[object, ...]]) -> int:
    if len(app) != len(sql):
        return max(len(app), len(sql))
    return sum(1 for a, b in zip(app, sql, strict=True) if tuple(a) != tuple(b))


def _size(ctx: Context, key: str, runs: int) -> tuple[str, list[Record], set[int]]:
    therapist = _therapist(ctx, key)
    patients = therapist.patients.count()
    size = f"{patients} patients"
    ctx.log("dashboard, %s: %s requests", size, runs)
    cookie = session_for(therapist)
    request = load.Request("GET", "/dashboard/", {"Cookie": f"sessionid={cookie}"})
    load.run(port=ctx.port, requests=[request] * 3, threads=1)
    page = load.run(port=ctx.port, requests=[request] * runs, threads=1)
    if {s.status for s in page.samples} != {200}:
        raise RuntimeError(f"/dashboard/ answered {page.statuses()}")
    floor_ms, sql_rows = _floor(therapist, runs)
    wrong = _mismatches(_app_numbers(therapist), sql_rows)
    if wrong:
        ctx.notes.append(f"dashboard {size}: {wrong} patient rows differ from the SQL floor")
    server = [s.server_ms for s in page.samples]
    med, floor = median(server), median(floor_ms)
    records = [
        Record(
            "dashboard",
            size,
            "median server ms",
            med,
            floor,
            budget=f"≤ {BUDGET_MS:g} ms, ≤ {BUDGET_RATIO:g}x floor",
            met=med <= BUDGET_MS and med <= BUDGET_RATIO * floor,
            note=f"{wrong} rows differ from the floor" if wrong else "same numbers as the floor",
        ),
        Record(
            "dashboard", size, "p95 server ms", percentile(server, 0.95), percentile(floor_ms, 0.95)
        ),
        Record("dashboard", size, "queries per request", usual(page), 1),
    ]
    return size, records, {usual(page)}


# The daily totals against the set logs of the same clinic, for the columns a plain
# aggregate can check (one row per logged day; sets, pain): prescribed and completed units
# are checked through the dashboard's rows against DASHBOARD_SQL above and the adherence
# report's against REPORT_SQL.
TOTALS_CHECK_SQL = """
    SELECT (SELECT ROW(COUNT(*), SUM(t.logs), SUM(t.pain_sum), MAX(t.pain_max))::text
            FROM programs_dailytotal t JOIN patients_patient p ON p.id = t.patient_id
            WHERE p.clinic_id = %(clinic)s),
           (SELECT ROW(COUNT(DISTINCT (l.patient_id, l.performed_on)), COUNT(*), SUM(l.pain),
                       MAX(l.pain))::text
            FROM patients_setlog l JOIN patients_patient p ON p.id = l.patient_id
            WHERE p.clinic_id = %(clinic)s)
"""


def _check_totals(ctx: Context, key: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(TOTALS_CHECK_SQL, {"clinic": ctx.clinics[key].pk})
        totals, logs = cursor.fetchone()
    if totals != logs:
        ctx.notes.append(f"daily totals of {key}: {totals} (days, sets, pain) != logs {logs}")


def run(ctx: Context) -> list[Record]:
    runs = 10 if ctx.small else 30
    records: list[Record] = []
    counts: set[int] = set()
    for key in ("full", "tenth"):
        _check_totals(ctx, key)
        _, found, queries = _size(ctx, key, runs)
        records += found
        counts |= queries
    for record in records:
        if record.metric == "queries per request":
            record.budget = "same for 20 and 200 patients"
            record.met = len(counts) == 1
    return records
