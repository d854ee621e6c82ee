"""How long a `make run` user waits for a progression prompt, from the first minute.

Runs what `make run` runs, on the embedded default (SQLite, the filesystem broker) in a
throw-away var/ folder: migrate, load_library, seed_demo, then `honcho start -f Procfile.dev`
(web, a supervised worker and beat). As soon as the worker says it is ready, demo patients log
a qualifying set through the API (the clamshell ladder's level 1 target, both sides), one
every few seconds over the first minute, and the time from each API answer to its prompt
row is measured. Prints each figure and exits non-zero if one took longer than the limit.

    .venv/bin/python scripts/demo_prompt_latency.py [--limit 5] [--sets 5] [--every 10]

Not part of the test suite: it starts a web server, a worker and beat for about a minute.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def environment(var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    return env | {
        "CLAMSHELL_VAR_DIR": str(var_dir),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}",
    }


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def wait_for_log(log: Path, text: bytes, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in log.read_bytes():
            return
        time.sleep(0.05)
    raise SystemExit(f"timed out waiting for {text!r} in {log}:\n{log.read_text()[-3000:]}")


def candidates() -> list[tuple[Any, Any, int]]:
    """(patient, clamshell item, reps target) for demo patients with no prompt yet, whose
    earlier qualifying days (if the level needs several) are logged here, unevaluated."""
    from apps.patients.models import Patient, Side
    from apps.programs.logs import set_log_record
    from apps.programs.models import ProgramItem, ProgressionPrompt
    from apps.programs.progression import level_rule

    found = []
    for patient in Patient.objects.order_by("pk"):
        if ProgressionPrompt.objects.filter(patient=patient).exists():
            continue
        item = ProgramItem.objects.filter(
            program__patient=patient, program__is_template=False, ladder__isnull=False
        ).first()
        if item is None or item.ladder is None:
            continue
        today = patient.local_today()
        level = item.level_on(today)
        rule = level_rule(ladder_id=item.ladder.pk, level=level) if level else None
        if rule is None:
            continue
        target = rule.target_for(item.ladder)
        for days_ago in range(rule.advance_days - 1, 0, -1):
            for side in (Side.LEFT, Side.RIGHT):
                set_log_record(
                    patient=patient,
                    item=item,
                    client_id=uuid.uuid4(),
                    performed_on=today - timedelta(days=days_ago),
                    side=side,
                    pain=2,
                    reps=target,
                    evaluate=False,
                )
        found.append((patient, item, target))
    return found


def log_qualifying_set(patient: Any, item: Any, target: int) -> float:
    """Log the day's left and right sets at the target through the API, as the phone does;
    returns the moment the second answer arrived."""
    from django.test import Client

    client = Client()
    client.force_login(patient.user)
    for side in ("left", "right"):
        body = {"client_id": str(uuid.uuid4()), "item": str(item.public_id), "side": side}
        response = client.post(
            "/api/v1/me/logs/",
            body | {"reps": target, "pain": 2},
            content_type="application/json",
        )
        assert response.status_code in (200, 201), response.content
    return time.monotonic()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=float, default=5.0, help="seconds allowed per prompt")
    parser.add_argument("--sets", type=int, default=5, help="qualifying sets to log")
    parser.add_argument("--every", type=float, default=10.0, help="seconds between them")
    options = parser.parse_args()

    var_dir = Path(tempfile.mkdtemp(prefix="clamshell-latency-"))
    env = environment(var_dir)
    os.environ.update({k: env[k] for k in ("CLAMSHELL_VAR_DIR", "DJANGO_SETTINGS_MODULE")})
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    manage(env, "migrate", "--noinput")
    manage(env, "load_library")
    manage(env, "seed_demo")

    import django

    sys.path.insert(0, str(BASE_DIR))
    django.setup()
    from django.conf import settings

    from apps.programs.models import ProgressionPrompt

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    patients = candidates()[: options.sets]
    if len(patients) < options.sets:
        raise SystemExit(f"only {len(patients)} demo patients without a prompt")

    log = var_dir / "honcho.log"
    env |= {"WEB_PORT": str(free_port()), "PYTHONUNBUFFERED": "1"}
    started = time.monotonic()
    with log.open("wb") as out:
        honcho = subprocess.Popen(
            [str(BIN / "honcho"), "start", "-f", "Procfile.dev"],
            cwd=BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    figures = []
    try:
        wait_for_log(log, b" ready.", 120)
        print(f"worker ready {time.monotonic() - started:.1f} s after `honcho start`")
        for patient, item, target in patients:
            logged = log_qualifying_set(patient, item, target)
            since_start = logged - started
            prompt = ProgressionPrompt.objects.filter(patient=patient)
            while not prompt.exists():
                if time.monotonic() - logged > 60:
                    raise SystemExit(f"no prompt for {patient} after 60 s:\n{log.read_text()}")
                time.sleep(0.02)
            figures.append(time.monotonic() - logged)
            print(f"  set at {since_start:5.1f} s: prompt after {figures[-1]:.2f} s")
            time.sleep(max(0.0, options.every - figures[-1]))
    finally:
        os.killpg(honcho.pid, signal.SIGTERM)
        try:
            honcho.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(honcho.pid, signal.SIGKILL)
        shutil.rmtree(var_dir, ignore_errors=True)
    worst = max(figures)
    print(f"prompt after the qualifying set: worst {worst:.2f} s, limit {options.limit:.0f} s")
    return 0 if worst <= options.limit else 1


if __name__ == "__main__":
    sys.exit(main())
