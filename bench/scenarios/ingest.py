"""Log ingestion: sets per second posted to ``/api/v1/me/logs/`` (one set a request, as the
phone sends them), against the same rows inserted directly, one INSERT and commit each, from
as many threads.

Sizes: 3,000 sets and 300 sets, from 100 patients of the full clinic. Budget: the API
reaches at least half the rate of the direct inserts. The sets are deleted afterwards and the
evaluation messages they queued are purged, so a run leaves the data set as it found it.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass

import psycopg
from django.conf import settings
from django.db import connection

from apps.exercises.models import LadderLevel
from apps.patients.models import Patient, SetLog
from apps.programs.models import ProgramItem
from bench import load
from bench.data import session_for
from bench.report import Record, median
from bench.scenarios import Context

PATIENTS = 100
THREADS = 4
BUDGET_SHARE = 0.5
CSRF = "benchbenchbenchbenchbenchbench00"  # 32 characters: a CSRF secret the cookie carries


@dataclass(frozen=True)
class Planned:
    """One set to log: what the phone posts and the row a direct insert writes."""

    patient: Patient
    item: ProgramItem
    side: str
    set_number: int
    exercise_id: int
    level: int | None


def _items(patients: list[Patient]) -> dict[int, list[tuple[ProgramItem, int, int | None]]]:
    """Each patient's items in force today with the exercise and level they prescribe."""
    levels = {(lvl.ladder_id, lvl.level): lvl.exercise_id for lvl in LadderLevel.objects.all()}
    found: dict[int, list[tuple[ProgramItem, int, int | None]]] = {}
    items = ProgramItem.objects.filter(
        program__patient__in=patients, active_until__isnull=True
    ).select_related("program")
    for item in items:
        today = next(p for p in patients if p.pk == item.program.patient_id).local_today()
        level = item.level_on(today)
        exercise = item.exercise_id or levels[(item.ladder_id or 0, level or 0)]
        found.setdefault(item.program.patient_id or 0, []).append((item, exercise, level))
    return found


def _plan(ctx: Context, count: int) -> list[Planned]:
    patients = list(
        Patient.objects.filter(clinic=ctx.clinics["full"]).select_related("user").order_by("pk")
    )[:PATIENTS]
    items = _items(patients)
    planned: list[Planned] = []
    numbers: dict[tuple[int, str], int] = {}
    for n in range(count):
        patient = patients[n % len(patients)]
        item, exercise, level = items[patient.pk][(n // len(patients)) % len(items[patient.pk])]
        side = "both" if not item.per_side else ("left", "right")[(n // 7) % 2]
        key = (item.pk, side)
        numbers[key] = numbers.get(key, 0) + 1
        planned.append(Planned(patient, item, side, numbers[key], exercise, level))
    return planned


def _body(plan: Planned, client_id: uuid.UUID) -> bytes:
    item = plan.item
    data: dict[str, object] = {
        "client_id": str(client_id),
        "item": str(item.public_id),
        "side": plan.side,
    }
    data |= {"pain": 2, "set_number": plan.set_number}
    data |= {"reps": item.reps} if item.reps else {"hold_seconds": item.hold_seconds}
    return json.dumps(data).encode()


def _api(ctx: Context, planned: list[Planned]) -> tuple[load.LoadResult, list[uuid.UUID]]:
    cookies = {p.patient.pk: session_for(p.patient.user) for p in planned}
    requests, ids = [], []
    for plan in planned:
        client_id = uuid.uuid4()
        ids.append(client_id)
        headers = {
            "Cookie": f"sessionid={cookies[plan.patient.pk]}; csrftoken={CSRF}",
            "X-CSRFToken": CSRF,
            "Content-Type": "application/json",
        }
        requests.append(load.Request("POST", "/api/v1/me/logs/", headers, _body(plan, client_id)))
    result = load.run(port=ctx.port, requests=requests, threads=THREADS)
    bad = {status: n for status, n in result.statuses().items() if status != 201}
    if bad:
        raise RuntimeError(f"/api/v1/me/logs/ answered {bad}")
    return result, ids


INSERT_SQL = f"""
INSERT INTO {SetLog._meta.db_table} (public_id, client_id, patient_id, item_id, performed_on,
    logged_at, set_number, side, reps, hold_seconds, pain, difficulty, note, exercise_id,
    ladder_level, target_sets, target_reps, target_hold_seconds, target_per_side)
VALUES (gen_random_uuid(), %s, %s, %s, %s, now(), %s, %s, %s, %s, 2, NULL, '', %s, %s, %s, %s,
        %s, %s)
ON CONFLICT (client_id) DO NOTHING
"""


def _row(plan: Planned, client_id: uuid.UUID) -> tuple[object, ...]:
    item = plan.item
    return (
        client_id, plan.patient.pk, item.pk, plan.patient.local_today(), plan.set_number,
        plan.side, item.reps, item.hold_seconds, plan.exercise_id, plan.level, item.sets,
        item.reps, item.hold_seconds, item.per_side,
    )  # fmt: skip


def _direct(planned: list[Planned]) -> tuple[float, list[uuid.UUID]]:
    """The same rows, one INSERT and commit each, ``THREADS`` connections; seconds taken."""
    rows = [(plan, uuid.uuid4()) for plan in planned]
    todo = list(reversed(rows))
    lock = threading.Lock()
    dsn = settings.DATABASES["default"]
    conninfo = psycopg.conninfo.make_conninfo(
        dbname=dsn["NAME"], user=dsn["USER"], password=dsn["PASSWORD"] or None,
        host=dsn["HOST"] or None, port=dsn["PORT"] or None,
    )  # fmt: skip

    def worker() -> None:
        with psycopg.connect(conninfo, autocommit=True) as db:
            while True:
                with lock:
                    if not todo:
                        return
                    plan, client_id = todo.pop()
                db.execute(INSERT_SQL, _row(plan, client_id))

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, [client_id for _, client_id in rows]


def _clean(ids: list[uuid.UUID]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {SetLog._meta.db_table} WHERE client_id = ANY(%s)",  # nosec
            [ids],
        )
    from config.celery import app

    app.control.purge()


def run(ctx: Context) -> list[Record]:
    records = []
    full = 500 if ctx.small else 3_000
    for count in (full, full // 10):
        size = f"{count:,} sets"
        ctx.log("log ingestion, %s through the API and directly", size)
        planned = _plan(ctx, count)
        api, api_ids = _api(ctx, planned)
        _clean(api_ids)
        seconds, direct_ids = _direct(planned)
        _clean(direct_ids)
        rate, floor = api.per_second, count / seconds
        records += [
            Record(
                "log ingestion",
                size,
                f"sets/s ({THREADS} threads)",
                rate,
                floor,
                budget=f"≥ {BUDGET_SHARE:.0%} of direct inserts",
                met=rate >= BUDGET_SHARE * floor,
            ),
            Record(
                "log ingestion",
                size,
                "median server ms",
                median([s.server_ms for s in api.samples]),
                1000 * seconds * THREADS / count,
            ),
        ]
    return records
