"""Processes the harness starts and stops: gunicorn on a loopback port, a Celery worker.

Both run with ``bench.settings`` (timing middleware, bare view, counting email backend) and
the caller's DATABASE_URL and REDIS_URL.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LOG_DIR = ROOT / "var" / "bench"


def bench_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(DJANGO_SETTINGS_MODULE="bench.settings", PYTHONPATH=str(ROOT), **extra)
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_http(port: int, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}; see {LOG_DIR}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer within a minute")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def gunicorn(
    *, workers: int = 2, env: dict[str, str] | None = None, access_log: Path | None = None
) -> Iterator[int]:
    """Serve the app on a free loopback port with ``workers`` sync workers; yields the port.
    ``env``: the processes' environment (default ``bench_env()``); ``access_log``: a file
    getting ``method path status microseconds`` per request."""
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    port = free_port()
    command = [
        str(BIN / "gunicorn"),
        "config.wsgi:application",
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        "--worker-class=sync",
        "--timeout=300",
        f"--error-logfile={LOG_DIR / 'gunicorn.log'}",
    ]
    if access_log:
        command += [f"--access-logfile={access_log}", "--access-logformat=%(m)s %(U)s %(s)s %(D)s"]
    process = subprocess.Popen(command, cwd=ROOT, env=env or bench_env())
    try:
        _wait_http(port, process)
        yield port
    finally:
        _stop(process)


@contextlib.contextmanager
def celery_worker(
    *,
    concurrency: int = 2,
    env: dict[str, str] | None = None,
    queues: str = "default,notifications,reports",
    name: str = "bench",
) -> Iterator[subprocess.Popen[bytes]]:
    """A Celery worker named ``name`` with ``concurrency`` processes on ``queues``, ready
    (answering a ping) when yielded."""
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    command = [
        str(BIN / "celery"),
        "-A",
        "config",
        "worker",
        f"--queues={queues}",
        f"--concurrency={concurrency}",
        f"--hostname={name}@{socket.gethostname()}",
        "--pool=prefork",
        "--loglevel=WARNING",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        f"--logfile={LOG_DIR / f'celery-{name}.log'}",
    ]
    with open(LOG_DIR / f"celery-{name}.out", "ab") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env or bench_env(), stdout=out, stderr=subprocess.STDOUT
        )
    try:
        _wait_celery(f"{name}@{socket.gethostname()}")
        yield process
    finally:
        _stop(process)


@contextlib.contextmanager
def celery_beat(*, env: dict[str, str], schedule: Path) -> Iterator[subprocess.Popen[bytes]]:
    """Celery beat (the outbox sweep every 30 s and the daily jobs), as production runs it."""
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    command = [
        str(BIN / "celery"),
        "-A",
        "config",
        "beat",
        "--loglevel=WARNING",
        f"--schedule={schedule}",
        f"--logfile={LOG_DIR / 'beat.log'}",
    ]
    with open(LOG_DIR / "beat.out", "ab") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        _stop(process)


def _wait_celery(node: str, seconds: float = 60) -> None:
    from config.celery import app

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        replies = app.control.ping(destination=[node], timeout=1.0)
        if replies:
            return
    raise RuntimeError(f"the Celery worker {node} did not answer within a minute")
