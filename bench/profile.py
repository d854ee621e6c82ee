"""Profile one scenario's code path in-process with cProfile, on the seeded data set.

    python -m bench.profile today|dashboard|ingest|batch|detail|fanout [--small] [--top 25]
    python -m bench.profile ingest --waits    # each wait for PostgreSQL, by what waited

Prints the functions with the most cumulative time, and the share of the time spent waiting
for the database (queries and their count), which is what tells an ORM-bound path from a
Python-bound one. Requests go through Django's test client with the bench settings (same
middleware), so the profile covers the whole request, minus the WSGI server.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
import traceback
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any


def _setup() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()


class QueryClock:
    """Counts queries and the time spent inside them."""

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0
        self.by_sql: dict[str, list[float]] = {}

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            took = time.perf_counter() - started
            self.seconds += took
            self.count += 1
            self.by_sql.setdefault(" ".join(sql.split())[:160], []).append(took)

    def slowest(self, runs: int, top: int = 8) -> str:
        """The statements that took the most time, per run, slowest first."""
        ranked = sorted(self.by_sql.items(), key=lambda item: -sum(item[1]))[:top]
        return "\n".join(
            f"{sum(t) * 1000 / runs:8.1f} ms/run {len(t) / runs:5.1f}x  {sql}" for sql, t in ranked
        )


class WaitClock:
    """Every time the request waited for PostgreSQL's answer (psycopg's ``Connection.wait``:
    a round trip, or its end), grouped by what waited: the statement for a query, else the
    psycopg call (``commit``, a pipeline's ``sync`` or exit, a ``fetchone`` that forced one)
    with the app's function that made it. The count of waits is the count of round trips,
    which ``QueryClock`` cannot see: a commit, a transaction's BEGIN and a pipeline's syncs
    are no query of Django's."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.seconds: defaultdict[str, float] = defaultdict(float)
        self._statement = ""

    @staticmethod
    def label(frames: list[tuple[str, str]], statement: str) -> str:
        """What waited, from the call stack (outermost first, as (file, function)) and the
        text of the last statement the connection was given."""
        psycopg_calls = [name for file, name in frames if "/psycopg/" in file]
        call = psycopg_calls[0] if psycopg_calls else "?"
        if call == "execute":
            return "query " + " ".join(statement.split())[:100]
        library = ("/psycopg/", "/site-packages/", "/lib/python")
        ours = [
            f"{os.path.basename(file)}:{name}"
            for file, name in frames
            if not any(part in file for part in library)
        ]
        return f"{call} (from {ours[-1] if ours else '?'})"

    @contextmanager
    def watching(self) -> Iterator[None]:
        import psycopg

        wait, execute = psycopg.Connection.wait, psycopg.Cursor.execute
        clock = self

        def timed_wait(conn: Any, gen: Any, *args: Any, **kwargs: Any) -> Any:
            frames = [(f.filename, f.name) for f in traceback.extract_stack()[:-1]]
            started = time.perf_counter()
            try:
                return wait(conn, gen, *args, **kwargs)
            finally:
                key = clock.label(frames, clock._statement)
                clock.counts[key] += 1
                clock.seconds[key] += time.perf_counter() - started

        def noted_execute(cursor: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
            clock._statement = query if isinstance(query, str) else repr(query)
            return execute(cursor, query, *args, **kwargs)

        psycopg.Connection.wait = timed_wait
        psycopg.Cursor.execute = noted_execute
        try:
            yield
        finally:
            psycopg.Connection.wait = wait
            psycopg.Cursor.execute = execute

    def report(self, runs: int) -> str:
        ranked = sorted(self.counts, key=lambda key: -self.seconds[key])
        total = sum(self.seconds.values()) * 1000 / runs
        lines = [
            f"{self.counts[key] / runs:5.1f}x {self.seconds[key] * 1000 / runs:7.3f} ms  {key}"
            for key in ranked
        ]
        waits = sum(self.counts.values()) / runs
        return "\n".join([f"{waits:.1f} waits a run, {total:.2f} ms in all:", *lines])


def _client(user: Any) -> Any:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def _today(small: bool) -> tuple[Callable[[], Any], int]:
    from apps.patients.models import Patient
    from bench.data import cohorts

    clinic = cohorts(small=small)[COHORT[0]].clinic_name
    patient = Patient.objects.filter(clinic__name=clinic, programs__weekdays=127).first()
    assert patient is not None
    client = _client(patient.user)
    return (lambda: client.get("/today/")), 200


def _dashboard(small: bool) -> tuple[Callable[[], Any], int]:
    from apps.clinics.models import User
    from bench.data import cohorts

    clinic = cohorts(small=small)[COHORT[0]].clinic_name
    therapist = User.objects.filter(clinic__name=clinic, role="therapist").order_by("pk")[0]
    client = _client(therapist)
    return (lambda: client.get("/dashboard/")), 10


def _ingest(small: bool) -> tuple[Callable[[], Any], int]:
    from apps.patients.models import Patient
    from apps.programs.models import ProgramItem
    from bench.data import cohorts, delete_logs

    clinic = cohorts(small=small)[COHORT[0]].clinic_name
    patient = Patient.objects.filter(clinic__name=clinic).first()
    assert patient is not None
    item = ProgramItem.objects.filter(program__patient=patient, per_side=False).first()
    assert item is not None
    client = _client(patient.user)
    made: list[str] = []

    def post() -> Any:
        client_id = str(uuid.uuid4())
        made.append(client_id)
        body = {"client_id": client_id, "item": str(item.public_id), "pain": 1, "side": "both"}
        body |= {"reps": item.reps} if item.reps else {"hold_seconds": item.hold_seconds}
        return client.post("/api/v1/me/logs/", body, content_type="application/json")

    def run() -> Any:
        response = post()
        return response

    run.cleanup = lambda: delete_logs(made)
    return run, 200


def _batch(small: bool) -> tuple[Callable[[], Any], int]:
    """50 sets a request to the batch endpoint, as the phone's offline queue sends them."""
    from apps.patients.models import Patient
    from apps.programs.models import ProgramItem
    from bench.data import cohorts, delete_logs

    clinic = cohorts(small=small)[COHORT[0]].clinic_name
    patient = Patient.objects.filter(clinic__name=clinic).order_by("pk").first()
    assert patient is not None
    items = list(ProgramItem.objects.filter(program__patient=patient, active_until__isnull=True))
    client = _client(patient.user)
    made: list[str] = []

    def entry(n: int) -> dict[str, Any]:
        item = items[n % len(items)]
        made.append(str(uuid.uuid4()))
        side = ("left", "right")[n % 2] if item.per_side else "both"
        body = {"client_id": made[-1], "item": str(item.public_id), "pain": 2, "side": side}
        body |= {"set_number": n // len(items) + 1}
        return body | ({"reps": item.reps} if item.reps else {"hold_seconds": item.hold_seconds})

    def run() -> Any:
        body = {"logs": [entry(n) for n in range(50)]}
        return client.post("/api/v1/me/logs/batch/", body, content_type="application/json")

    run.cleanup = lambda: delete_logs(made)
    return run, 20


def _detail(small: bool) -> tuple[Callable[[], Any], int]:
    from django.utils import timezone

    from apps.clinics.models import User
    from apps.reports.exports.detail import detail_csv
    from apps.reports.exports.filters import ReportFilters
    from bench.data import cohorts

    clinic = cohorts(small=small)["tenth"].clinic_name
    admin = User.objects.select_related("clinic").get(clinic__name=clinic, role="admin")
    end = timezone.localdate()
    filters = ReportFilters(clinic_id=admin.clinic_id or 0, start=end - timedelta(days=30), end=end)
    return (lambda: sum(1 for _ in detail_csv(user=admin, filters=filters))), 1


def _fanout(small: bool) -> tuple[Callable[[], Any], int]:
    from django.utils import timezone

    from apps.notifications.models import Reminder
    from apps.notifications.reminders import reminders_claim_due, reminders_send
    from bench.data import cohorts
    from bench.scenarios.fanout import _due_at

    seeded = cohorts(small=small)
    cohort = seeded["reminders-tenth"]
    now = _due_at(cohort.reminder_time)
    # Both reminder cohorts are due by then: start from none of theirs (6 batches are needed).
    clinics = [seeded[name].clinic_name for name in ("reminders", "reminders-tenth")]
    Reminder.objects.filter(patient__clinic__name__in=clinics).delete()
    batches = reminders_claim_due(now=now)
    pending = iter(batches[:6])

    def run() -> Any:
        return reminders_send(reminder_ids=next(pending), now=now)

    run.cleanup = lambda: Reminder.objects.filter(patient__clinic__name__in=clinics).delete()
    del timezone
    return run, 5


COHORT = ["full"]  # which seeded clinic the patient and staff paths use (--cohort)

PATHS = {
    "today": _today,
    "dashboard": _dashboard,
    "ingest": _ingest,
    "batch": _batch,
    "detail": _detail,
    "fanout": _fanout,
}


def _plain(path: str, run: Callable[[], Any], times: int) -> int:
    """Each run timed on its own, without the profiler's overhead (which roughly doubles
    Python's time): what a change saves in milliseconds, on an idle machine."""
    from bench.middleware import TIME_HEADER

    took, server = [], []
    for _ in range(max(times, 200)):
        started = time.perf_counter()
        response = run()
        took.append(time.perf_counter() - started)
        if response is not None and response.has_header(TIME_HEADER):
            server.append(float(response[TIME_HEADER]))
    if hasattr(run, "cleanup"):
        run.cleanup()
    took.sort()
    server.sort()
    print(
        f"{path}: {len(took)} runs, median {took[len(took) // 2] * 1000:.2f} ms, "
        f"p10 {took[len(took) // 10] * 1000:.2f} ms, p90 {took[len(took) * 9 // 10] * 1000:.2f} ms"
        + (
            f"; server time (as make bench reads it) median {server[len(server) // 2]:.2f} ms"
            if server
            else ""
        )
    )
    return 0


def _waits(path: str, run: Callable[[], Any], times: int) -> int:
    waits = WaitClock()
    with waits.watching():
        for _ in range(times):
            run()
    if hasattr(run, "cleanup"):
        run.cleanup()
    print(f"{path}: {times} runs; " + waits.report(times))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile")
    parser.add_argument("path", choices=sorted(PATHS))
    parser.add_argument("--small", action="store_true")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--cohort", choices=["full", "tenth"], default="full")
    parser.add_argument("--sort", default="cumulative", help="cumulative or tottime")
    parser.add_argument(
        "--plain", action="store_true", help="no cProfile: the median and p10 of each run's time"
    )
    parser.add_argument(
        "--waits", action="store_true", help="no cProfile: each wait for PostgreSQL, by cause"
    )
    args = parser.parse_args()
    COHORT[0] = args.cohort
    _setup()
    from django.db import connection

    run, times = PATHS[args.path](args.small)
    run()  # warm up: imports, template loading, first connection
    if args.plain:
        return _plain(args.path, run, times)
    if args.waits:
        return _waits(args.path, run, times)
    clock = QueryClock()
    profile = cProfile.Profile()
    started = time.perf_counter()
    with connection.execute_wrapper(clock):
        profile.enable()
        for _ in range(times):
            run()
        profile.disable()
    seconds = time.perf_counter() - started
    if hasattr(run, "cleanup"):
        run.cleanup()
    print(
        f"{args.path}: {times} runs, {seconds * 1000 / times:.1f} ms each; "
        f"{clock.count / times:.1f} queries each taking {clock.seconds * 1000 / times:.1f} ms "
        f"({clock.seconds / seconds:.0%} of the time in the database)"
    )
    print("slowest statements:\n" + clock.slowest(times) + "\n")
    pstats.Stats(profile, stream=sys.stdout).sort_stats(args.sort).print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
