"""``make load``: a clinic's morning, simulated phones against the production set-up.

    python -m bench.load_test [--steps 25,50,100,200] [--seconds 60] [--workers 3]

Starts what docker-compose.yml runs (gunicorn with three sync workers, Celery workers with two
processes for the ``default`` and ``reports`` queues and four for ``notifications``, and beat)
with the production settings (``DJANGO_ENV=production``, DEBUG off, collected static files, a
random SECRET_KEY, one trusted proxy) on the caller's PostgreSQL and Redis, in a database of
its own beside the caller's (its name with ``_load`` after it, created and migrated on first
use), seeds a clinic there (``seed_scale``, one a day and size), and runs
``bench/locustfile.py`` headless once per step: that many patients logging their sets one tap
at a time (and sometimes offline, in batches, and answering a questionnaire), with one
therapist per ``PANEL`` patients opening the dashboard and the inbox.

After each step it counts in the database that every set the phones were answered 2xx for
exists exactly once (by ``client_id``), that no other set appeared in the clinic, and how long
the worker took to evaluate them all (``evaluated_at``). A step passes when its p95 is at most
200 ms, no request failed and no set was lost, duplicated, extra or left unevaluated within
``--evaluation-limit`` seconds; the steps stop after the first that fails. The result is the
largest passing number of patients, written to ``bench/results.json`` as ``load`` records
(other scenarios' records are kept) and to ``var/bench/load.md`` (``bench/load_check.py``
counts, ``bench/load_report.py`` writes).

Every process it starts is stopped on the way out, on failure and on Ctrl-C too.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import math
import os
import secrets
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from bench.load_check import P95_BUDGET_MS, LogCheck, Step, log_check
from bench.load_report import TABLE_HEAD, records, step_line, write_markdown, write_results

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LOAD_DIR = ROOT / "var" / "load"
DEFAULT_STEPS = "25,50,100,200"
PANEL = 25  # patients per therapist, and one therapist user per this many patients
DAYS = 30  # history the seeded patients have
CLINIC = "Bench load"  # bench.data.PREFIX + "load": make bench's data set leaves it alone
QUESTIONNAIRE_EVERY = 4  # one patient in four has a weekly pain questionnaire
DATABASE_SUFFIX = "_load"
NOTIFICATION_PROCESSES = 4  # docker-compose.yml's worker-notifications (a test checks)


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.load_test", description=__doc__)
    parser.add_argument("--steps", default=DEFAULT_STEPS, help="concurrent patients per step")
    parser.add_argument("--seconds", type=int, default=60, help="length of each step")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers")
    parser.add_argument("--think", default="2,6", help="seconds between two taps: min,max")
    parser.add_argument("--warmup", type=int, default=20, help="seconds of uncounted warm-up")
    parser.add_argument(
        "--evaluation-limit", type=int, default=60, help="seconds the worker has after a step"
    )
    args = parser.parse_args(argv)
    try:
        args.steps = sorted({int(step) for step in args.steps.split(",") if step.strip()})
    except ValueError:
        parser.error("--steps takes whole numbers separated by commas, e.g. 25,50,100")
    if not args.steps or args.steps[0] < 1:
        parser.error("--steps needs at least one number of patients above 0")
    return args


def require_services(environ: dict[str, str] | os._Environ[str] = os.environ) -> str | None:
    """Why the load test cannot run here, or None: it needs PostgreSQL and Redis."""
    if not environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        return (
            "make load needs DATABASE_URL=postgres://... (a database of its own: it seeds a "
            "clinic) and REDIS_URL=redis://... (the Celery broker, as in production)"
        )
    if not environ.get("REDIS_URL", "").startswith(("redis://", "rediss://")):
        return "make load needs REDIS_URL=redis://... (the Celery broker, as in production)"
    return None


def load_database_url(url: str) -> str:
    """The database the load test runs in: the caller's, on the same server, with ``_load``
    after its name.

    Not the caller's own: beside ``make bench``'s 120,000 patients, the load test's beat ran
    their jobs through the measured minutes (the daily jobs, and reminders for 110,000 due
    again after the fan-out scenario deleted the day's): both worker processes stayed busy and
    a clinic's morning was measured beside another 110,000 patients' (twenty-fourth session)."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name:
        raise SystemExit(f"DATABASE_URL names no database: {url}")
    if not name.endswith(DATABASE_SUFFIX):
        name += DATABASE_SUFFIX
    return urlunsplit(parts._replace(path=f"/{name}"))


def ensure_database(url: str) -> bool:
    """Create the database ``url`` names if the server has none of that name (its tables come
    from ``migrate``); True when it was created. It asks through the ``postgres`` database,
    which every server has."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as admin:
        if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return False
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return True


def production_env() -> dict[str, str]:
    """The environment docker-compose.yml gives web, worker and beat, on the caller's
    database and Redis, with a state folder of its own and email kept in memory."""
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DEBUG"}}
    env.update(
        DJANGO_ENV="production",
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="false",
        SECRET_KEY=os.environ["SECRET_KEY"],
        ALLOWED_HOSTS="127.0.0.1,localhost",
        TRUSTED_PROXY_COUNT="1",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        CLAMSHELL_VAR_DIR=str(LOAD_DIR),
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    return env


# --- Data -------------------------------------------------------------------------------------
def seed(patients: int, log: Any = print) -> Any:
    """The day's load clinic of ``patients``, seeded with questionnaires due if new.

    A clinic cannot be deleted once it has audit entries (they are append-only), so each day
    and size gets its own, reused by the runs of that day; earlier ones stay, small."""
    from django.core.management import call_command
    from django.utils import timezone

    from apps.clinics.models import Clinic
    from apps.outcomes.models import MeasurePlan, Questionnaire
    from bench.data import settle

    foreign = list(
        Clinic.objects.exclude(name__startswith=CLINIC).values_list("name", flat=True)[:3]
    )
    if foreign:
        raise SystemExit(
            f"The database holds clinics make load did not create ({', '.join(foreign)}). "
            "It runs in the database DATABASE_URL names with _load after it: drop that one, "
            "or point DATABASE_URL elsewhere."
        )
    name = f"{CLINIC} {patients}x{DAYS} {timezone.now():%Y-%m-%d}"
    clinic = Clinic.objects.filter(name=name).first()
    if clinic is not None:
        log(f"reusing {name}")
        return clinic
    started = time.perf_counter()
    call_command("load_library", stdout=io.StringIO())  # the shared ladder, as a clinic has
    call_command(
        "seed_scale", f"--clinic={name}", f"--patients={patients}", f"--days={DAYS}",
        f"--panel={PANEL}", "--reminder-time=23:59",
    )  # fmt: skip
    clinic = Clinic.objects.get(name=name)
    _schedule_questionnaires(clinic)
    settle(MeasurePlan, Questionnaire)  # statistics, as autovacuum would gather them
    log(f"seeded {name} in {time.perf_counter() - started:.0f} s")
    return clinic


def _schedule_questionnaires(clinic: Any) -> None:
    """A weekly pain rating (NPRS) on every ``QUESTIONNAIRE_EVERY``-th patient's program,
    scheduled through the outcomes service as a therapist would: one is due today or open."""
    from apps.outcomes.services import measures_set
    from apps.programs.models import Program

    programs = Program.objects.filter(patient__clinic=clinic, is_active=True).select_related(
        "patient__therapist", "patient"
    )
    for program in programs.order_by("patient_id")[::QUESTIONNAIRE_EVERY]:
        assert program.patient is not None
        assert program.patient.therapist is not None
        measures_set(
            user=program.patient.therapist, program=program, instruments=["nprs"],
            interval_days=7, at_end=False,
        )  # fmt: skip


def roster(clinic: Any, path: Path) -> dict[str, int]:
    """Sessions, today's items and due questionnaires for the locust users, in ``path``."""
    from apps.clinics.models import Role, User
    from apps.outcomes.models import Questionnaire
    from apps.patients.models import Patient
    from apps.programs.models import ProgramItem
    from bench.data import session_for

    patients = list(Patient.objects.filter(clinic=clinic).select_related("user").order_by("pk"))
    items: dict[int, list[dict[str, Any]]] = {}
    active = ProgramItem.objects.filter(
        program__patient__clinic=clinic, program__is_active=True, active_until__isnull=True
    ).select_related("program")
    for item in active.order_by("program__patient_id", "position", "pk"):
        items.setdefault(item.program.patient_id or 0, []).append(
            {
                "item": str(item.public_id),
                "per_side": item.per_side,
                "sets": item.sets,
                "reps": item.reps,
                "hold_seconds": None if item.reps else item.hold_seconds,
            }
        )
    asked = set(
        Questionnaire.objects.filter(patient__clinic=clinic).values_list("patient_id", flat=True)
    )
    people: dict[str, list[dict[str, Any]]] = {
        "patients": [
            {
                "session": session_for(patient.user),
                "day": patient.local_today().isoformat(),
                "items": items[patient.pk],
                "questionnaires": patient.pk in asked,
            }
            for patient in patients
            if items.get(patient.pk)
        ],
        "therapists": [
            {"session": session_for(user)}
            for user in User.objects.filter(clinic=clinic, role=Role.THERAPIST).order_by("pk")
        ],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(people), encoding="utf-8")
    return {kind: len(found) for kind, found in people.items()}


# --- A step -----------------------------------------------------------------------------------
def run_locust(
    *,
    port: int,
    patients: int,
    therapists: int,
    seconds: int,
    think: str,
    roster_path: Path,
    tag: str = "",
) -> dict[str, Any]:
    """One headless locust run; what ``bench/locustfile.py`` wrote when it stopped."""
    tag = tag or str(patients)
    out = LOAD_DIR / f"step-{tag}.json"
    out.unlink(missing_ok=True)
    users = patients + therapists
    env = dict(os.environ)
    env.update(
        LOAD_ROSTER=str(roster_path), LOAD_OUT=str(out), LOAD_THERAPISTS=str(therapists),
        LOAD_THINK=think,
    )  # fmt: skip
    command = [
        str(BIN / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
        f"--users={users}", f"--spawn-rate={max(5, users // 10)}", f"--run-time={seconds}s",
        f"--host=http://127.0.0.1:{port}", "--only-summary", "--loglevel=WARNING",
        "--exit-code-on-error=0",
    ]  # fmt: skip
    with open(LOAD_DIR / f"locust-{tag}.log", "wb") as log:
        _run_to_end(command, env, log)
    if not out.exists():
        raise RuntimeError(f"locust wrote no results; see {LOAD_DIR / f'locust-{tag}.log'}")
    return dict(json.loads(out.read_text(encoding="utf-8")))


def _run_to_end(command: list[str], env: dict[str, str], log: Any) -> None:
    """Run ``command`` to its end; stopped (SIGTERM: SIGINT may be ignored in a background
    job) if the harness stops first."""
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        process.wait()
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def server_times(access_log: Path, offset: int) -> list[float]:
    """Milliseconds gunicorn took for each request logged after ``offset`` (ramp included):
    beside Locust's times, they tell the server's share from the load generator's."""
    if not access_log.exists():
        return []
    with open(access_log, "rb") as log:
        log.seek(offset)
        lines = log.read().decode("utf-8", "replace").splitlines()
    return [int(line.rsplit(" ", 1)[1]) / 1000 for line in lines if line.count(" ") >= 3]


def wait_evaluated(
    *, clinic_id: int, since: datetime, sent: set[str], acked: set[str], limit: float
) -> tuple[LogCheck, float]:
    """Poll until every saved set is evaluated or ``limit`` seconds pass."""
    started = time.monotonic()
    while True:
        check = log_check(clinic_id=clinic_id, since=since, sent=sent, acked=acked)
        waited = time.monotonic() - started
        if not check.unevaluated:
            return check, waited
        if waited > limit:
            return check, math.nan
        time.sleep(0.5)


def run_step(ctx: dict[str, Any], *, patients: int, seconds: int, think: str, limit: int) -> Step:
    from django.utils import timezone

    therapists = min(ctx["therapists"], max(1, math.ceil(patients / PANEL)))
    step = Step(patients, therapists)
    since = timezone.now()
    access: Path = ctx["access_log"]
    offset = access.stat().st_size if access.exists() else 0
    data = run_locust(
        port=ctx["port"], patients=patients, therapists=therapists, seconds=seconds,
        think=think, roster_path=ctx["roster"],
    )  # fmt: skip
    step.samples = [(str(n), float(ms), bool(ok), int(st)) for n, ms, ok, st in data["samples"]]
    step.ramp_errors = sum(1 for *_, ok, _ in data["ramp"] if not ok)
    step.server_ms = server_times(access, offset)
    step.seconds = float(data["measured_seconds"])
    step.questionnaires = int(data["questionnaires"])
    step.check, step.evaluated_after = wait_evaluated(
        clinic_id=ctx["clinic"].pk, since=since, sent=set(data["sent"]),
        acked=set(data["acked"]), limit=limit,
    )  # fmt: skip
    return step


# --- Main -------------------------------------------------------------------------------------
def _setup() -> str:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", interactive=False, verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return str(cursor.fetchone()[0])


def _static_fingerprint() -> str:
    """A digest of every static source and the pinned packages (which ship static files)."""
    digest = hashlib.sha256()
    sources = [ROOT / "requirements.lock", *sorted((ROOT / "static").rglob("*"))]
    sources += sorted(f for folder in (ROOT / "apps").glob("*/static") for f in folder.rglob("*"))
    for source in sources:
        if source.is_file():
            digest.update(str(source.relative_to(ROOT)).encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()


def _collectstatic(env: dict[str, str]) -> None:
    """The production settings serve hashed static files from a manifest, as the image has.
    Collecting (and compressing) takes minutes on a busy machine: skipped while no static
    source and no pinned package changed since the last run (by content: ``make`` copies
    the vendored files anew every time)."""
    stamp = LOAD_DIR / "staticfiles.sha256"
    manifest = LOAD_DIR / "staticfiles" / "staticfiles.json"
    fingerprint = _static_fingerprint()
    if manifest.exists() and stamp.exists() and stamp.read_text() == fingerprint:
        return
    print("collecting static files (a few minutes the first time) ...", flush=True)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT, env=env, check=True,
    )  # fmt: skip
    stamp.write_text(fingerprint)


def _sigterm_exits() -> None:
    """SIGTERM unwinds like Ctrl-C, so every started process is stopped on the way out."""

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    problem = require_services()
    if problem:
        print(problem, file=sys.stderr)
        return 2
    _sigterm_exits()
    os.environ["DATABASE_URL"] = load_database_url(os.environ["DATABASE_URL"])
    if ensure_database(os.environ["DATABASE_URL"]):
        print(f"created {urlsplit(os.environ['DATABASE_URL']).path.lstrip('/')}", flush=True)
    try:
        return _main(args)
    except KeyboardInterrupt:
        print("\nstopped: every process the load test started has been stopped", file=sys.stderr)
        return 130


def _main(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    from django.conf import settings

    if settings.configured:
        # Its settings read already, this process would sign the roster in under another
        # key than the servers': every simulated request would be a 401.
        raise SystemExit("the load test needs a process of its own: python -m bench.load_test")
    # The sessions made here must be valid for the servers: one key for both.
    os.environ["SECRET_KEY"] = secrets.token_urlsafe(48)
    version = _setup()
    from bench import report, server
    from config.celery import app

    info = report.machine(version)
    LOAD_DIR.mkdir(parents=True, exist_ok=True)
    clinic = seed(max(args.steps))
    app.control.purge()  # messages left by an earlier run name rows that are gone
    ctx: dict[str, Any] = {
        "clinic": clinic,
        "roster": LOAD_DIR / "roster.json",
        "access_log": LOAD_DIR / "access.log",
    }
    counts = roster(clinic, ctx["roster"])
    ctx["therapists"] = counts["therapists"]
    print(f"roster: {counts['patients']} patients, {counts['therapists']} therapists")
    env = production_env()
    _collectstatic(env)
    print("starting gunicorn, the Celery workers and beat ...", flush=True)
    steps: list[Step] = []
    with (
        server.gunicorn(workers=args.workers, env=env, access_log=ctx["access_log"]) as port,
        server.celery_worker(concurrency=2, env=env, queues="default,reports"),
        server.celery_worker(
            concurrency=NOTIFICATION_PROCESSES,
            env=env,
            queues="notifications",
            name="notifications",
        ),
        server.celery_beat(env=env, schedule=LOAD_DIR / "celerybeat-schedule"),
    ):
        ctx["port"] = port
        if args.warmup:
            # Each gunicorn worker imports and compiles on its first requests (seconds each):
            # a short run first, not counted, so the steps measure the app warm.
            print(f"warming up for {args.warmup} s ...", flush=True)
            run_locust(
                port=port, patients=min(10, args.steps[0]), therapists=1,
                seconds=args.warmup, think=args.think, roster_path=ctx["roster"], tag="warmup",
            )  # fmt: skip
        for patients in args.steps:
            print(f"step: {patients} patients for {args.seconds} s ...", flush=True)
            step = run_step(
                ctx, patients=patients, seconds=args.seconds, think=args.think,
                limit=args.evaluation_limit,
            )  # fmt: skip
            steps.append(step)
            print(TABLE_HEAD.splitlines()[0] + "\n" + step_line(step), flush=True)
            if not step.passed:
                break
    found = records(steps)
    write_results(found)
    path = write_markdown(steps, info, args)
    best = found[-1].value
    print(f"\n{TABLE_HEAD}\n" + "\n".join(step_line(step) for step in steps))
    print(
        f"\nmost concurrent patients with p95 ≤ {P95_BUDGET_MS:.0f} ms, no error and every set "
        f"saved once and evaluated: {best:.0f}"
    )
    minutes = (time.perf_counter() - started) / 60
    print(f"wrote {report.RESULTS_JSON} and {path} ({minutes:.1f} min)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
