"""Fault tests: the stack as processes (real PostgreSQL, a disposable redis-server, real Celery
workers and beats), a fault injected, then the database checked.

Where the issue has beat at work (the sweep that republishes what Redis lost, two beats at
once) a real ``celery beat`` runs with the production schedule. The reminder test with a
killed worker plays beat's part in this process instead: it moves the sweep's clock past each
dead worker's reservation, which a real beat would wait minutes of real time for.
``OUTBOX_REQUEUE_SECONDS`` is 3 here (120 in production), so a message lost with Redis is
republished at beat's next outbox sweep (every 30 s) rather than after two minutes.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
import pytest
from django.db import close_old_connections, connection, transaction
from django.test import Client
from django.utils import timezone

from apps.core.models import OutboxMessage
from apps.core.outbox import outbox_sweep
from apps.notifications import dispatch
from apps.notifications.models import PainAlert, Reminder, StaffNotification
from apps.notifications.tasks import reminders_dispatch, sweep_notifications
from apps.programs.models import ProgressionPrompt, SetLog
from apps.reports.models import JobStatus, ReportJob
from tests.factories import ExerciseItemFactory, LadderItemFactory
from tests.integration.harness import (
    beat_process,
    broker,
    free_port,
    private_redis,
    wait_for,
    worker,
)
from tests.notifications.factories import SetLogFactory

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.smtp,
    pytest.mark.django_db(transaction=True),
]

UTC = ZoneInfo("UTC")
REQUEUE_SECONDS = 3
AS_DEPLOYED = os.environ.get("FAULTS_AS_DEPLOYED", "1") == "1"


@pytest.fixture(autouse=True)
def _services(require_postgres, require_redis) -> None:
    """PostgreSQL and Redis, or skip locally (fail in CI); redis-server is checked where
    each test starts its own."""


@pytest.fixture
def fast_requeue(settings, monkeypatch):
    """Workers and this process republish lost messages after seconds, not minutes."""
    settings.OUTBOX_REQUEUE_SECONDS = REQUEUE_SECONDS
    monkeypatch.setenv("OUTBOX_REQUEUE_SECONDS", str(REQUEUE_SECONDS))
    monkeypatch.setenv("CELERY_VISIBILITY_TIMEOUT", "30")


@pytest.fixture
def redis_url() -> tuple[str, int]:
    port = free_port()
    return f"redis://127.0.0.1:{port}/0", port


def worker_log(tmp: Path) -> str:
    return (tmp / "worker.log").read_text(errors="replace")


# --- Redis restarted while the worker holds tasks --------------------------------------------

PATIENTS = 20
LOGS_EACH = 10


def burst_of_logs() -> list:
    """200 logs over 20 patients: 6 reach 20 reps (a prompt each), 6 log pain 8 (an alert
    each, and no prompt), the rest ordinary sets; each with its outbox row, like the service."""
    logs = []
    items = [LadderItemFactory(per_side=False) for _ in range(PATIENTS)]
    for index, item in enumerate(items):
        with transaction.atomic():
            for n in range(LOGS_EACH):
                last = n == LOGS_EACH - 1
                reps = 20 if index < 6 and last else 10
                pain = 8 if 6 <= index < 12 and last else 2
                log = SetLogFactory(item=item, reps=reps, pain=pain)
                dispatch.enqueue_log_evaluation(log.pk)
                logs.append(log)
    return logs


# Which logs are still in flight when Redis goes must not depend on how fast the machine
# is: the burst used to be evaluated as it was written, and a fast worker had finished all of
# it before the first outage (seen once, 200 of 200). The last patients' logs are held
# instead, their rows locked by this test as a slow evaluation would hold them: the worker
# takes their tasks and waits, so it holds tasks it cannot finish when Redis stops. The
# first group is let go after the first outage, the second after the second.
HELD_THROUGH_FIRST_OUTAGE = range(10, 15)
HELD_THROUGH_BOTH_OUTAGES = range(15, PATIENTS)
# The measurement stopped Redis for 60 s; the suite does the same. The second outage
# only needs to catch a worker mid-recovery, so it is short to keep the suite's runtime down.
OUTAGES_SECONDS = (60, 10)


@contextmanager
def rows_held(log_ids: list[int]) -> Iterator[Callable[[], None]]:
    """Lock these set logs ``FOR UPDATE`` on a connection of this test's own until the
    returned ``release`` is called (or the block ends): an evaluation of one of them waits."""
    db = psycopg.connect(**connection.get_connection_params())
    table = SetLog._meta.db_table
    db.execute(f"SELECT id FROM {table} WHERE id = ANY(%s) FOR UPDATE", [log_ids])  # noqa: S608

    def release() -> None:
        if not db.closed:
            db.rollback()
            db.close()

    try:
        yield release
    finally:
        release()


def a_worker_waits_on_a_held_row() -> bool:
    """True while some session of the test database waits for a row lock: only a worker's
    evaluation of a held log can (beat's sweep skips locked rows)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        (waiting,) = cursor.fetchone()
    return waiting > 0


def test_redis_restarted_while_the_worker_holds_tasks_loses_no_log(
    smtp,
    redis_url,
    fast_requeue,
    tmp_path,
):
    _, smtp_port = smtp
    url, port = redis_url
    with ExitStack() as stack:
        redis_proc = stack.enter_context(private_redis(port))
        beat = stack.enter_context(beat_process(redis_url=url, smtp_port=smtp_port, tmp=tmp_path))
        stack.enter_context(broker(url))
        logs = burst_of_logs()
        ids = [log.pk for log in logs]
        # Each patient's ten logs, in the order the burst wrote the patients.
        groups = [
            [log.pk for log in logs if log.item_id == item_id]
            for item_id in dict.fromkeys(log.item_id for log in logs)
        ]
        first = [pk for n in HELD_THROUGH_FIRST_OUTAGE for pk in groups[n]]
        second = [pk for n in HELD_THROUGH_BOTH_OUTAGES for pk in groups[n]]
        # Before the worker starts, so none of them can have been evaluated already.
        release_first = stack.enter_context(rows_held(first))
        release_second = stack.enter_context(rows_held(second))
        proc = stack.enter_context(
            worker(redis_url=url, smtp_port=smtp_port, tmp=tmp_path, as_deployed=AS_DEPLOYED)
        )

        def evaluated(among: list[int] = ids) -> int:
            return SetLog.objects.filter(pk__in=among, evaluated_at__isnull=False).count()

        held = set(first) | set(second)
        free = [pk for pk in ids if pk not in held]
        # The second outage hits a worker that just recovered; it is short, the first is not.
        stages = zip(OUTAGES_SECONDS, (free, first), (release_first, release_second), strict=True)
        for outage, done, release in stages:
            wait_for(
                lambda done=done: evaluated(done) == len(done) and a_worker_waits_on_a_held_row(),
                120,
                "the worker to finish what it can and wait on a held log",
            )
            redis_proc.terminate()  # a crash: the queue and the unacked messages go with it
            redis_proc.wait(timeout=10)
            assert evaluated() < len(ids), "the burst must still be in flight when Redis stops"
            time.sleep(outage)
            redis_proc = stack.enter_context(private_redis(port))
            back = time.monotonic()
            release()
        # Beat's outbox sweep (every 30 s) republishes what Redis lost; nothing is run here.
        wait_for(lambda: evaluated() == len(ids), 120, "every log evaluated")
        recovered = time.monotonic() - back
        assert proc.poll() is None, worker_log(tmp_path)
        assert beat.poll() is None, (tmp_path / "beat.log").read_text()
        assert "Unrecoverable error" not in worker_log(tmp_path)

    print(f"every log evaluated {recovered:.0f} s after Redis came back")
    assert SetLog.objects.filter(pk__in=ids).count() == PATIENTS * LOGS_EACH
    assert ProgressionPrompt.objects.count() == 6
    assert PainAlert.objects.count() == 6
    assert StaffNotification.objects.count() == 12
    evaluations = OutboxMessage.objects.filter(task=dispatch.EVALUATE_LOG)
    assert evaluations.count() == len(ids)
    assert not evaluations.exclude(status="done").exists()


# --- A worker SIGKILLed during a reminder dispatch --------------------------------------------

REMINDERS = 500
DISPATCH_AT = datetime(2025, 3, 12, 18, 0, tzinfo=UTC)  # 18:00 in London (GMT that day)
# Each resume moves the sweep's clock past SWEEP_GRACE after the last reservation ended; over
# the test's few minutes it stays well inside the two hours' grace.
STEP = timedelta(seconds=70)


def patients_due(count: int) -> list[str]:
    emails = []
    for n in range(count):
        item = ExerciseItemFactory(
            program__start_date=date(2025, 1, 1),
            program__patient__time_zone="Europe/London",
            program__patient__reminder_time=clock(18, 0),
            program__patient__email=f"p{n}@fault.example",
        )
        emails.append(item.program.patient.email)
    return emails


def kill_group(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)


@contextmanager
def workers(count: int, *, url: str, smtp_port: int, tmp: Path) -> Iterator[list]:
    with ExitStack() as stack:
        procs = []
        for n in range(count):
            folder = tmp / f"w{n}-{time.monotonic_ns()}"
            folder.mkdir()
            procs.append(
                stack.enter_context(worker(redis_url=url, smtp_port=smtp_port, tmp=folder))
            )
        yield procs


def resume(at: datetime) -> None:
    """Beat after a crash: the reservations of the dead worker's batches have ended (``at``
    is later than their hold), so the sweep queues what was not reached."""
    sweep_notifications(at.isoformat())
    outbox_sweep(now=timezone.now())


def delivered(inbox) -> Counter:
    with inbox.lock:
        return Counter(m["To"] for m in inbox.messages)


def test_a_worker_killed_three_times_during_a_reminder_dispatch_sends_each_once(
    smtp,
    redis_url,
    fast_requeue,
    tmp_path,
):
    inbox, smtp_port = smtp
    inbox.clear()
    url, port = redis_url
    emails = patients_due(REMINDERS)
    rng = random.Random()
    kills = 0
    with private_redis(port), broker(url):
        reminders_dispatch.delay(DISPATCH_AT.isoformat())
        at = DISPATCH_AT
        for _ in range(3):
            # The SMTP server answers a few more emails, then holds the next one unanswered:
            # the kill lands mid-send with most reminders still to go, however fast the
            # machine sends (a fast one had sent 497 of 500 before the first kill took).
            inbox.hold_after = sum(delivered(inbox).values()) + rng.randint(5, 60)
            try:
                with workers(1, url=url, smtp_port=smtp_port, tmp=tmp_path) as (proc,):
                    wait_for(lambda: inbox.held > 0, 120, "a send held mid-way")
                    kill_group(proc)
                    kills += 1
            finally:
                inbox.hold_after = None
            at += STEP
            resume(at)
        # The kills' casualties. The last worker is stopped by signalling its process group,
        # which would cut a send it is making short: it must be idle first (nothing claimed,
        # nothing sending but what a kill left), or its stop would count as a fourth kill.
        left_by_kills = list(
            Reminder.objects.filter(status__in=["sending", "unknown"]).values_list("pk", flat=True)
        )
        in_flight = Reminder.objects.filter(status="sending").exclude(pk__in=left_by_kills)
        with workers(1, url=url, smtp_port=smtp_port, tmp=tmp_path):
            deadline = time.monotonic() + 180
            while Reminder.objects.filter(status="claimed").exists() or in_flight.exists():
                assert time.monotonic() < deadline, "reminders still waiting"
                at += STEP
                resume(at)
                time.sleep(3)
        counts = delivered(inbox)

    statuses = Counter(Reminder.objects.values_list("status", flat=True))
    interrupted = statuses["sending"] + statuses["unknown"]
    assert Reminder.objects.count() == REMINDERS
    assert set(statuses) <= {"sent", "sending", "unknown"}
    assert interrupted <= kills * 2, "at most one per worker process (2 per worker) per kill"
    assert max(counts.values()) == 1, "nobody reminded twice"
    sent = set(Reminder.objects.filter(status="sent").values_list("patient__email", flat=True))
    assert all(counts[email] == 1 for email in sent)
    assert len(set(counts) | set(emails)) == REMINDERS
    assert len(sent) + interrupted == REMINDERS


# --- Two beats, two workers ------------------------------------------------------------------


def patients_due_now(count: int) -> date:
    """Patients whose reminder time is the minute that just began, in clinics with no quiet
    hours: due at a real beat's next dispatch. They live in the fixed-offset zone where it is
    now about noon, so the local day cannot end during the test whatever the hour of the run.
    Returns that local day."""
    utc = timezone.now().astimezone(UTC)
    shift = utc.hour - 12  # "Etc/GMT+5" is UTC-5: local time there is utc - shift, about 12:00
    zone = ZoneInfo("Etc/GMT" if shift == 0 else f"Etc/GMT{shift:+d}")
    local = utc.astimezone(zone)
    for n in range(count):
        ExerciseItemFactory(
            program__patient__time_zone=zone.key,
            program__patient__reminder_time=clock(local.hour, local.minute),
            program__patient__email=f"b{n}@fault.example",
            program__patient__therapist__clinic__quiet_hours_start=clock(0, 0),
            program__patient__therapist__clinic__quiet_hours_end=clock(0, 0),
        )
    return local.date()


def test_two_beats_and_two_workers_send_nothing_twice(
    smtp,
    redis_url,
    fast_requeue,
    tmp_path,
):
    inbox, smtp_port = smtp
    inbox.clear()
    url, port = redis_url
    count = 120
    today = patients_due_now(count)
    # The beats' daily jobs also record the days before (their programs started earlier) as
    # skipped, too late: never sent, so only today's rows are waited for.
    todays = Reminder.objects.filter(local_date=today)
    with private_redis(port), ExitStack() as stack:
        for n in range(2):
            folder = tmp_path / f"b{n}"
            folder.mkdir()
            stack.enter_context(beat_process(redis_url=url, smtp_port=smtp_port, tmp=folder))
        with workers(2, url=url, smtp_port=smtp_port, tmp=tmp_path):
            # Each beat dispatches the minute's reminders 60 s after it starts and sweeps the
            # outbox and the notifications at the same moments as the other.
            wait_for(
                lambda: todays.count() == count and not todays.exclude(status="sent").exists(),
                150,
                "every reminder sent",
            )
            time.sleep(2)  # room for a duplicate to arrive, were there one
        counts = delivered(inbox)
        logs = [(tmp_path / f"b{n}" / "beat.log").read_text() for n in range(2)]

    assert all("apps.notifications.tasks.reminders_dispatch" in log for log in logs)
    assert len(counts) == count
    assert max(counts.values()) == 1
    assert not Reminder.objects.exclude(local_date=today).filter(status="sent").exists()


# --- PostgreSQL connections killed during logging ---------------------------------------------


# Kill bursts and calm spells, as a failover or an administrator terminating sessions gives:
# the database is away for a moment, then answers. A steady kill every 0.15 s instead killed
# every request slower than that (a loaded CI machine) until the client gave up, and the test
# failed now and then on a log the client had stopped retrying, not on a lost one.
BURST_SECONDS, KILL_EVERY_SECONDS, CALM_SECONDS = 0.5, 0.1, 0.5
# The phone's offline queue retries until the set is saved; the test gives each set this long.
RETRY_FOR_SECONDS = 60


def keep_killing_connections(stop: threading.Event, killed: list[int]) -> None:
    """Terminate every other session on the test database (``pg_terminate_backend``)
    several times a second for a burst, then leave it alone for a calm spell, repeatedly."""
    params = connection.get_connection_params()
    with psycopg.connect(**params, autocommit=True) as killer:
        while not stop.is_set():
            burst_ends = time.monotonic() + BURST_SECONDS
            while time.monotonic() < burst_ends and not stop.is_set():
                rows = killer.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                ).fetchall()
                killed.append(len(rows))
                stop.wait(KILL_EVERY_SECONDS)
            stop.wait(CALM_SECONDS)


def test_connections_killed_during_logging_give_503_or_success_and_no_duplicate(patient_a):
    item = LadderItemFactory(program__patient=patient_a, per_side=False)
    client = Client(raise_request_exception=False)
    client.force_login(patient_a.user)
    bodies = [
        {"client_id": str(uuid.uuid4()), "item": str(item.public_id), "side": "both"}
        | {"reps": 10, "pain": 2}
        for _ in range(40)
    ]
    statuses: Counter = Counter()
    stop, killed = threading.Event(), []
    killer = threading.Thread(target=keep_killing_connections, args=(stop, killed))
    killer.start()
    try:
        for body in bodies:
            give_up = time.monotonic() + RETRY_FOR_SECONDS
            while time.monotonic() < give_up:  # the phone's queue: same body, same client id
                response = client.post("/api/v1/me/logs/", body, content_type="application/json")
                # What Django's handler does after every response (the test client skips it):
                # a connection that failed is closed, and the next request opens a new one.
                close_old_connections()
                statuses[response.status_code] += 1
                if response.status_code != 503:
                    break
                assert "message" in response.json()
                assert response["Retry-After"]
    finally:
        stop.set()
        killer.join()
        connection.close()

    assert sum(killed) > 0, "connections were killed"
    assert set(statuses) <= {200, 201, 503}, statuses
    assert statuses[503] > 0, "the fault was felt"
    ids = [body["client_id"] for body in bodies]
    assert SetLog.objects.filter(client_id__in=ids).count() == len(bodies), "0 lost, 0 doubled"
    evaluations = OutboxMessage.objects.filter(task=dispatch.EVALUATE_LOG)
    assert evaluations.count() == len(bodies), "one evaluation queued per log"


# --- Broker down while an admin asks for a background report ----------------------------------


def test_a_report_asked_for_while_the_broker_is_down_is_built_once_it_is_back(
    smtp,
    redis_url,
    fast_requeue,
    settings,
    admin_a,
    patient_a,
    tmp_path,
):
    _, smtp_port = smtp
    url, port = redis_url
    settings.REPORT_BACKGROUND_THRESHOLD = {"patients": 500, "set_logs": 3}
    today = timezone.localdate()
    item = ExerciseItemFactory(program__patient=patient_a)
    for days_ago in range(1, 6):
        SetLogFactory(item=item, performed_on=today - timedelta(days=days_ago))
    client = Client(raise_request_exception=False)
    client.force_login(admin_a)
    period = {"start": str(today - timedelta(days=7)), "end": str(today - timedelta(days=1))}
    with ExitStack() as stack:
        redis_proc = stack.enter_context(private_redis(port))
        stack.enter_context(
            worker(
                redis_url=url,
                smtp_port=smtp_port,
                tmp=tmp_path,
                as_deployed=AS_DEPLOYED,
                queues="default,notifications,reports",
            )
        )
        stack.enter_context(beat_process(redis_url=url, smtp_port=smtp_port, tmp=tmp_path))
        stack.enter_context(broker(url))
        redis_proc.terminate()
        redis_proc.wait(timeout=10)

        started = time.monotonic()
        response = client.post("/reports/adherence/", {**period, "format": "csv", "kind": "detail"})
        assert time.monotonic() - started < 5, "the request must not hang on the broker"
        assert response.status_code == 302, response.content[:500]
        job = ReportJob.objects.get()
        assert job.status == JobStatus.PENDING

        stack.enter_context(private_redis(port))
        # Beat's outbox sweep (every 30 s) publishes the job the broker refused.
        wait_for(
            lambda: ReportJob.objects.get(pk=job.pk).status == JobStatus.DONE,
            90,
            "the report built after the broker came back",
        )

    runs = OutboxMessage.objects.filter(task="apps.reports.tasks.run_report_job")
    assert list(runs.values_list("status", flat=True)) == ["done"], "queued once, run once"
    assert ReportJob.objects.count() == 1
