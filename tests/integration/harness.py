"""The integration harness: real Celery workers and beats in subprocesses, a disposable
redis-server, a loopback SMTP inbox, and waiting for what they do.

The worker is ``celery -A config worker`` in a subprocess whose ``DATABASE_URL`` points at
pytest-django's test database (``test_<name>``), so it sees the rows the tests commit
(``transactional_db``). Emails travel over SMTP to an aiosmtpd server in the test process
(the ``smtp`` fixture in ``tests/integration/conftest.py``). Used by the integration tests and
by the browser journeys that need a worker.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email import message_from_bytes
from pathlib import Path

from django.conf import settings
from django.db import connection

from config.celery import app as celery_app
from tests.conftest import celery_conf, need_service

BASE_DIR = Path(settings.BASE_DIR)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(check: Callable[[], object], timeout: float = 30, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what or check}")


class Inbox:
    """Collects what the SMTP server receives."""

    def __init__(self) -> None:
        self.messages: list = []
        self.lock = threading.Lock()
        # A test's gate: once this many messages are in, the next ones wait unanswered (a
        # sender held mid-send, as by a slow server) until the test sets it back to None.
        self.hold_after: int | None = None
        self.held = 0  # senders waiting at the gate now

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.hold_after is not None and len(self.messages) >= self.hold_after:
            self.held += 1
            try:
                while self.hold_after is not None:
                    await asyncio.sleep(0.02)
            finally:
                self.held -= 1
        with self.lock:
            self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"

    def to(self, address: str) -> list:
        with self.lock:
            return [m for m in self.messages if m["To"] == address]

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()


def worker_database_url() -> str:
    """The test database (``test_<name>``) as a URL for the worker's DATABASE_URL."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    return f"postgres://{db['USER']}{password}@{host}:{db.get('PORT') or 5432}/{db['NAME']}"


def service_env(*, redis_url: str, smtp_port: int, tmp: Path) -> dict[str, str]:
    """The environment of a worker or beat started by a test: the test database, the given
    broker, mail to the loopback SMTP server, var/ files in ``tmp``."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_ENV": "test",
        "DATABASE_URL": worker_database_url(),
        "DATABASE_CONN_MAX_AGE": "0",
        "REDIS_URL": redis_url,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "CLAMSHELL_VAR_DIR": str(tmp),
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }


@contextmanager
def celery_process(
    command: list[str], *, env: dict[str, str], log: Path, ready: bytes
) -> Iterator[subprocess.Popen]:
    """``celery -A config <command>`` in a process group of its own, logging to ``log``;
    yielded once ``ready`` appears in the log, stopped (the whole group) on exit."""
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", *command],
            cwd=BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for(lambda: ready in log.read_bytes() or proc.poll() is not None, 60, command[0])
        assert proc.poll() is None, log.read_text()
        yield proc
    finally:
        stop_group(proc)


@contextmanager
def worker(
    *,
    redis_url: str,
    smtp_port: int,
    tmp: Path,
    as_deployed: bool = False,
    queues: str = "default,notifications",
) -> Iterator[subprocess.Popen]:
    """A real ``celery -A config worker`` on the given broker, stopped (by its own process
    group id) on exit. ``as_deployed`` keeps gossip, mingle and heartbeat on, as in
    Procfile.dev and docker-compose.yml (the fault tests); others start faster without."""
    command = ["worker", "-l", "INFO", "-Q", queues, "-c", "2"]
    command += ["-n", f"test-{os.getpid()}-{time.monotonic_ns()}@%h"]
    if not as_deployed:
        command += ["--without-mingle", "--without-gossip", "--without-heartbeat"]
    env = service_env(redis_url=redis_url, smtp_port=smtp_port, tmp=tmp)
    with celery_process(command, env=env, log=tmp / "worker.log", ready=b" ready.") as proc:
        yield proc


@contextmanager
def beat_process(*, redis_url: str, smtp_port: int, tmp: Path) -> Iterator[subprocess.Popen]:
    """A real ``celery -A config beat`` with the production schedule, its schedule file in
    ``tmp`` (two beats need two files). Its first outbox sweep comes 30 s after it starts,
    its first reminder dispatch after 60 s, as in production."""
    env = service_env(redis_url=redis_url, smtp_port=smtp_port, tmp=tmp)
    command = ["beat", "-l", "INFO"]
    with celery_process(command, env=env, log=tmp / "beat.log", ready=b"beat: Starting") as proc:
        yield proc


def stop_group(proc: subprocess.Popen) -> None:
    """SIGTERM the worker's process group, SIGKILL it if it lingers; a group a test already
    killed is fine."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


@contextmanager
def broker(url: str) -> Iterator[None]:
    """Point this process's producer at another broker (the private Redis), then back.

    Through ``celery_conf``: both the plain and the ``CELERY_``-prefixed names, and the
    configuration restored exactly afterwards. The connection and producer pools are dropped
    on the way in and out, so no connection to the other broker outlives the block."""

    def fresh_pools() -> None:
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    # Celery 5.6 resolves the write and read URLs from broker_url once: set them too.
    with celery_conf(broker_url=url, broker_write_url=url, broker_read_url=url):
        fresh_pools()
        assert celery_app.conf.broker_write_url == url, "the producer must publish to " + url
        try:
            yield
        finally:
            fresh_pools()


def declare_queues() -> None:
    """(Re)declare the queues and their bindings: the test cache shares this Redis database
    and clearing it between tests also clears kombu's routing table."""
    with celery_app.connection_for_write() as conn:
        channel = conn.default_channel
        for queue in celery_app.amqp.queues.values():
            queue(channel).declare()


@contextmanager
def private_redis(port: int) -> Iterator[subprocess.Popen]:
    binary = os.environ.get("REDIS_SERVER_BIN") or shutil.which("redis-server") or ""
    need_service("redis-server", bool(binary), "install redis-server or set REDIS_SERVER_BIN")
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly"]
    proc = subprocess.Popen([*command, "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def answers() -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return True
        except OSError:
            return False

    try:
        wait_for(answers, 10, "private redis")
        yield proc
    finally:
        proc.terminate()
        proc.wait(timeout=10)
