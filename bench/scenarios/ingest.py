"""Log ingestion: sets per second posted to ``/api/v1/me/logs/batch/`` (50 sets a request, as
the phone's offline queue sends them), against the same rows inserted directly, one INSERT and
commit each, from as many threads. One set a request to ``/api/v1/me/logs/`` (the one-tap log
while online) is measured too, as an extra row.

Sizes: 3,000 sets and 300 sets, from the full clinic (100 patients one set a request, 50 sets
a patient in batches). Budgets: the batch API reaches at least half the rate of the direct
inserts; the one-tap log's median server time is at most 2.5 times a direct insert's (its
body is the phone's: no set number, which the server counts), and its queries are shown
beside the direct insert's one statement. The sets are deleted afterwards and the
evaluation messages they queued are purged, so a run leaves the data set as it found it.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import date

import psycopg
from django.conf import settings

from apps.core.models import OutboxMessage
from apps.exercises.models import LadderLevel
from apps.patients.models import Patient
from apps.programs.models import DailyTotal, ProgramItem, SetLog
from bench import load
from bench.data import delete_logs, session_for, settle
from bench.report import Record, median, usual
from bench.scenarios import Context

PATIENTS = 100
THREADS = 4
BATCH = 50
BUDGET_SHARE = 0.5
SINGLE_BUDGET_RATIO = 2.5  # issue 19: the one-tap log costs little more than its INSERT
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


def _plan(ctx: Context, count: int, patient_count: int = PATIENTS) -> list[Planned]:
    patients = list(
        Patient.objects.filter(clinic=ctx.clinics["full"]).select_related("user").order_by("pk")
    )[:patient_count]
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


def _set(plan: Planned, client_id: uuid.UUID, *, numbered: bool = True) -> dict[str, object]:
    """The body of one set; ``numbered=False`` leaves the set number to the server, as the
    phone's one-tap log does (it sends the day, never the number)."""
    item = plan.item
    data: dict[str, object] = {
        "client_id": str(client_id),
        "item": str(item.public_id),
        "side": plan.side,
        "pain": 2,
    }
    data |= {"set_number": plan.set_number} if numbered else {}
    data |= {"reps": item.reps} if item.reps else {"hold_seconds": item.hold_seconds}
    return data


def _headers(cookie: str) -> dict[str, str]:
    return {
        "Cookie": f"sessionid={cookie}; csrftoken={CSRF}",
        "X-CSRFToken": CSRF,
        "Content-Type": "application/json",
    }


def _groups(planned: list[Planned], size: int) -> list[list[Planned]]:
    """Each patient's sets in order, cut into requests of at most ``size`` sets."""
    by_patient: dict[int, list[Planned]] = {}
    for plan in planned:
        by_patient.setdefault(plan.patient.pk, []).append(plan)
    return [
        sets[start : start + size]
        for sets in by_patient.values()
        for start in range(0, len(sets), size)
    ]


def _api(
    ctx: Context, planned: list[Planned], batch: int
) -> tuple[load.LoadResult, list[uuid.UUID]]:
    """Post every set, one a request (``batch`` 1) or ``batch`` sets a request."""
    cookies = {p.patient.pk: session_for(p.patient.user) for p in planned}
    path, ok = ("/api/v1/me/logs/", 201) if batch == 1 else ("/api/v1/me/logs/batch/", 200)
    requests, ids = [], []
    for group in _groups(planned, batch):
        sets = []
        for plan in group:
            ids.append(uuid.uuid4())
            sets.append(_set(plan, ids[-1], numbered=batch > 1))
        body = json.dumps(sets[0] if batch == 1 else {"logs": sets}).encode()
        headers = _headers(cookies[group[0].patient.pk])
        requests.append(load.Request("POST", path, headers, body))
    result = load.run(port=ctx.port, requests=requests, threads=THREADS)
    bad = {status: n for status, n in result.statuses().items() if status != ok}
    if bad:
        raise RuntimeError(f"{path} answered {bad}")
    return result, ids


INSERT_SQL = f"""
INSERT INTO {SetLog._meta.db_table} (public_id, client_id, patient_id, item_id, performed_on,
    logged_at, set_number, side, reps, hold_seconds, pain, difficulty, note, exercise_id,
    ladder_level, target_sets, target_reps, target_hold_seconds, target_reps_up_to,
    target_hold_up_to, target_per_side)
VALUES (gen_random_uuid(), %s, %s, %s, %s, now(), %s, %s, %s, %s, 2, NULL, '', %s, %s, %s, %s,
        %s, %s, %s, %s)
ON CONFLICT (client_id) DO NOTHING
"""


def _row(plan: Planned, client_id: uuid.UUID) -> tuple[object, ...]:
    item = plan.item
    return (
        client_id, plan.patient.pk, item.pk, plan.patient.local_today(), plan.set_number,
        plan.side, item.reps, item.hold_seconds, plan.exercise_id, plan.level, item.sets,
        item.reps, item.hold_seconds, item.reps_up_to, item.hold_up_to, item.per_side,
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


def _bare_stack(ctx: Context, planned: list[Planned]) -> tuple[load.LoadResult, list[uuid.UUID]]:
    """The same rows, one a request, to a bare view behind the app's middleware, session and
    CSRF check that runs ``INSERT_SQL`` itself (``bench/urls.py``): what any one-tap log costs
    on this stack before it does anything of its own."""
    cookies = {p.patient.pk: session_for(p.patient.user) for p in planned}
    requests, ids = [], []
    for plan in planned:
        ids.append(uuid.uuid4())
        row = [
            str(value) if isinstance(value, uuid.UUID | date) else value
            for value in _row(plan, ids[-1])
        ]
        body = json.dumps({"row": row}).encode()
        requests.append(
            load.Request("POST", "/bench/bare-insert/", _headers(cookies[plan.patient.pk]), body)
        )
    result = load.run(port=ctx.port, requests=requests, threads=THREADS)
    bad = {status: n for status, n in result.statuses().items() if status != 201}
    if bad:
        raise RuntimeError(f"/bench/bare-insert/ answered {bad}")
    return result, ids


def _clean(ids: list[uuid.UUID]) -> None:
    delete_logs(ids)
    from config.celery import app

    app.control.purge()


def _measure(ctx: Context, count: int) -> list[Record]:
    size = f"{count:,} sets"
    ctx.log("log ingestion, %s through the API (batches and single) and directly", size)
    batched = _plan(ctx, count, max(1, count // BATCH))
    api, api_ids = _api(ctx, batched, BATCH)
    _clean(api_ids)
    planned = _plan(ctx, count)
    single, single_ids = _api(ctx, planned, 1)
    _clean(single_ids)
    stack, stack_ids = _bare_stack(ctx, planned)
    _clean(stack_ids)
    seconds, direct_ids = _direct(planned)
    _clean(direct_ids)
    rate, floor = count / api.seconds, count / seconds
    per_set_ms = 1000 * seconds * THREADS / count
    single_ms = median([s.server_ms for s in single.samples])
    return [
        Record(
            "log ingestion",
            size,
            f"sets/s ({THREADS} threads, {BATCH} a request)",
            rate,
            floor,
            budget=f"≥ {BUDGET_SHARE:.0%} of direct inserts",
            met=rate >= BUDGET_SHARE * floor,
        ),
        Record(
            "log ingestion",
            size,
            f"median server ms per {BATCH}-set request",
            median([s.server_ms for s in api.samples]),
            BATCH * per_set_ms,
        ),
        Record("log ingestion", size, "sets/s one a request", single.per_second, floor),
        Record(
            "log ingestion",
            size,
            "median server ms one a request",
            single_ms,
            per_set_ms,
            budget=f"≤ {SINGLE_BUDGET_RATIO}x a direct insert",
            met=single_ms <= SINGLE_BUDGET_RATIO * per_set_ms,
        ),
        Record("log ingestion", size, "queries one a request", usual(single), 1),
        Record(
            "log ingestion",
            size,
            "median server ms, bare authenticated POST + INSERT (the stack's own floor)",
            median([s.server_ms for s in stack.samples]),
            per_set_ms,
        ),
    ]


def run(ctx: Context) -> list[Record]:
    settle(SetLog, DailyTotal, OutboxMessage, Patient, log=ctx.log)
    full = 500 if ctx.small else 3_000
    return [record for count in (full, full // 10) for record in _measure(ctx, count)]
