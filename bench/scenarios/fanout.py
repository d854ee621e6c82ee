"""Reminder fan-out: 100,000 patients due in the same minute (and 10,000), from the moment
the dispatcher task is sent to the moment every reminder was claimed, rendered and handed to
the email backend, by the worker docker-compose.yml gives the ``notifications`` queue (four
processes; two until the twenty-fifth session); against one SQL statement that claims and
records the same reminders (``INSERT … SELECT … ON CONFLICT DO NOTHING``).

Budget: the 100,000 within 60 seconds. The reminder rows are deleted afterwards.
"""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta
from datetime import time as time_of_day
from typing import Any
from zoneinfo import ZoneInfo

import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone

from apps.clinics.models import Clinic
from apps.core.models import OutboxMessage
from apps.devdata.scale import insert_select_sql
from apps.notifications.models import DeliveryStatus, Reminder
from bench import server
from bench.data import REMINDER_ZONE, settle
from bench.mail import COUNTER_KEY, FLUSH_EVERY
from bench.report import Record, median
from bench.scenarios import Context

BUDGET_SECONDS = 60.0
WORKER_PROCESSES = 4  # docker-compose.yml's worker-notifications (a test checks)
# Past this the run stops waiting and projects the total from the rate so far, so a slow
# fan-out cannot make ``make bench`` run for hours.
TIMEOUT_SECONDS = 180

FLOOR_SOURCE = """
FROM patients_patient p JOIN clinics_clinic c ON c.id = p.clinic_id
WHERE p.time_zone = %(zone)s AND p.archived_at IS NULL
  AND coalesce(p.reminder_time, c.default_reminder_time) <= %(at)s
  AND EXISTS (
      SELECT 1 FROM programs_programitem i JOIN programs_program pr ON pr.id = i.program_id
      WHERE pr.patient_id = p.id AND NOT pr.is_template AND pr.is_active
        AND pr.start_date <= %(day)s AND (pr.end_date IS NULL OR pr.end_date >= %(day)s)
        AND (i.active_from IS NULL OR i.active_from <= %(day)s)
        AND (i.active_until IS NULL OR i.active_until >= %(day)s)
        AND (pr.weekdays >> %(weekday)s) & 1 = 1)
ON CONFLICT (patient_id, local_date) DO NOTHING
"""

FLOOR_COLUMNS = {
    "patient_id": "p.id",
    "local_date": "%(day)s",
    "due_at": "(%(day)s + coalesce(p.reminder_time, c.default_reminder_time)) "
    "AT TIME ZONE p.time_zone",
    "channel": "p.reminder_channel",
    "status": f"'{DeliveryStatus.SENT}'",
    "attempts": "1",
    "retry_after": "%(now)s",
    "created_at": "%(now)s",
    "updated_at": "%(now)s",
    "sent_at": "%(now)s",
}


def _clear(clinic: Clinic) -> None:
    Reminder.objects.filter(patient__clinic=clinic).delete()


def _due_at(reminder: str) -> datetime:
    """Half a minute past the cohort's reminder time today (UTC): the dispatcher's "now"."""
    day = timezone.now().astimezone(ZoneInfo(REMINDER_ZONE)).date()
    at = datetime.combine(day, time_of_day.fromisoformat(reminder), tzinfo=ZoneInfo(REMINDER_ZONE))
    return at + timedelta(seconds=30)


def _sent(clinic: Clinic, day: date) -> int:
    return Reminder.objects.filter(
        patient__clinic=clinic, local_date=day, status=DeliveryStatus.SENT
    ).count()


def _dispatch(ctx: Context, clinic: Clinic, now: datetime, expected: int) -> float:
    """Seconds until every reminder is recorded as sent, i.e. handed to the email backend
    (projected from the rate so far when that takes longer than ``TIMEOUT_SECONDS``)."""
    from apps.notifications.tasks import reminders_dispatch

    counter = redis.Redis.from_url(settings.REDIS_URL)
    counter.delete(COUNTER_KEY)
    started = time.perf_counter()
    reminders_dispatch.apply_async(args=[now.isoformat()])
    # The Redis counter is cheap to poll but lags by up to FLUSH_EVERY per process; the
    # reminder rows are exact but cost a count: poll the first until the end is near.
    near = expected - FLUSH_EVERY * WORKER_PROCESSES
    sent = emailed = 0
    while sent < expected and time.perf_counter() - started < TIMEOUT_SECONDS:
        emailed = int(counter.get(COUNTER_KEY) or 0)
        if emailed < near:
            time.sleep(0.1)
            continue
        sent = _sent(clinic, now.date())
        time.sleep(0.1 if sent < expected else 0)
    seconds = time.perf_counter() - started
    if sent < expected:
        sent = _sent(clinic, now.date())
    if emailed < sent - FLUSH_EVERY * WORKER_PROCESSES:
        ctx.notes.append(f"fan-out {expected:,}: {sent:,} sent but {emailed:,} emails counted")
    if sent < expected:
        projected = seconds * expected / max(sent, 1)
        ctx.notes.append(
            f"fan-out {expected:,}: stopped waiting after {seconds:.0f} s with {sent:,} "
            f"reminders sent; {projected:.0f} s is projected from that rate"
        )
        return projected
    return seconds


def _drain() -> None:
    """Drop queued sends and let the ones in flight finish (after a projected run)."""
    from config.celery import app

    app.control.purge()
    last, still = -1, 0
    while still < 3:
        time.sleep(1)
        current = Reminder.objects.filter(status=DeliveryStatus.SENT).count()
        still = still + 1 if current == last else 0
        last = current


def _floor(clinic: Clinic, now: datetime, expected: int, ctx: Context) -> float:
    params: dict[str, Any] = {
        "zone": REMINDER_ZONE,
        "at": now.time(),
        "day": now.date(),
        "weekday": now.date().weekday(),
        "now": now,
    }
    statement = insert_select_sql(Reminder, FLOOR_COLUMNS, FLOOR_SOURCE)
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(statement, params)
        seconds = time.perf_counter() - started
        if cursor.rowcount != expected:
            ctx.notes.append(f"fan-out floor claimed {cursor.rowcount:,} of {expected:,}")
    return seconds


def run(ctx: Context) -> list[Record]:
    from config.celery import app

    app.control.purge()
    records = []
    keys = ("reminders", "reminders-tenth")
    for key in keys:
        _clear(ctx.clinics[key])
    settle(Reminder, OutboxMessage, log=ctx.log)
    with server.celery_worker(concurrency=WORKER_PROCESSES, queues="notifications"):
        for key in keys:
            clinic, cohort = ctx.clinics[key], ctx.cohorts[key]
            now = _due_at(cohort.reminder_time)
            ctx.log("reminder fan-out: %s patients due at %s", cohort.patients, now.isoformat())
            seconds = _dispatch(ctx, clinic, now, cohort.patients)
            _drain()
            _clear(clinic)
            floor = _floor(clinic, now, cohort.patients, ctx)
            size = f"{cohort.patients:,} patients"
            full = key == "reminders"
            records += [
                Record(
                    "reminder fan-out",
                    size,
                    f"seconds ({WORKER_PROCESSES} processes)",
                    seconds,
                    floor,
                    budget=f"≤ {BUDGET_SECONDS:g} s" if full else "",
                    met=seconds <= BUDGET_SECONDS if full else None,
                ),
                Record(
                    "reminder fan-out",
                    size,
                    "reminders/s",
                    cohort.patients / seconds,
                    cohort.patients / floor,
                ),
            ]
    for key in keys:
        _clear(ctx.clinics[key])
    commit_ms = _durable_commit_ms()
    records.append(
        Record(
            "reminder fan-out",
            "this machine",
            "durable commit ms (median of 200; one per reminder since issue 14)",
            commit_ms,
        )
    )
    return records


def _durable_commit_ms(commits: int = 200) -> float:
    """The median time of a one-row UPDATE committed on its own, as each reminder's state
    is: the disk's flush sets a ceiling on how fast one process can send (a table of its
    own, not a temporary one, whose commits would not wait for the write-ahead log)."""
    timings = []
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_commit_probe (id int PRIMARY KEY, n int)")
        cursor.execute("INSERT INTO bench_commit_probe VALUES (1, 0) ON CONFLICT DO NOTHING")
        for _ in range(commits):
            started = time.perf_counter()
            cursor.execute("UPDATE bench_commit_probe SET n = n + 1 WHERE id = 1")
            timings.append((time.perf_counter() - started) * 1000)
        cursor.execute("DROP TABLE bench_commit_probe")
    return median(timings)
