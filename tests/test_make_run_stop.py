"""Ctrl-C on `make run`: honcho sends SIGTERM to each Procfile line's whole process group.
scripts/supervise keeps its command out of that group and passes one SIGTERM on, so a Celery
worker's pool processes are stopped by the worker (a warm shutdown), not signalled under it
("ForkPoolWorker-N exited with signal 15"), and everything is gone before honcho's SIGKILL."""

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUPERVISE = str(ROOT / "scripts" / "supervise")


def _start(command: str, *, tmp_path: Path, **env: str) -> subprocess.Popen[str]:
    """scripts/supervise running `bash -c command` in a session of its own, as honcho runs it."""
    proc = subprocess.Popen(
        [SUPERVISE, "demo", "bash", "-c", command],
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env={**os.environ, **env},
    )
    started = tmp_path / "log"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and "grandchild" not in _read(started):
        time.sleep(0.05)
    return proc


def _read(path: Path) -> str:
    return path.read_text() if path.exists() else ""


def _stop_as_honcho_does(proc: subprocess.Popen[str]) -> tuple[float, str]:
    started = time.monotonic()
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        _, err = proc.communicate(timeout=10)
    finally:
        _end_session(proc.pid)  # whatever a failing run left behind
    return time.monotonic() - started, err


def _end_session(sid: int) -> None:
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == sid:  # the session id: only what this test started
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(stat.parent.name), signal.SIGKILL)


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state == "Z"  # ended, waiting for whoever adopted it to reap it


def _grandchild(log: str) -> str:
    # A pool process: any SIGTERM it gets would come from outside, not from its parent.
    return (
        f'(trap "echo grandchild-TERM >> {log}" TERM; echo "grandchild $BASHPID" >> {log};'
        " while :; do sleep 0.1; done) &"
    )


def test_the_command_gets_one_sigterm_and_its_children_none(tmp_path):
    log = tmp_path / "log"
    command = (
        f"trap 'echo TERM >> {log}; sleep 0.3; exit 0' TERM; {_grandchild(str(log))}"
        " while :; do sleep 0.1; done"
    )
    proc = _start(command, tmp_path=tmp_path)

    took, err = _stop_as_honcho_does(proc)

    lines = log.read_text().splitlines()
    assert [line.split()[0] for line in lines] == ["grandchild", "TERM"]
    assert proc.returncode == 0
    assert took < 4
    assert "STOPPED" not in err  # a stop asked for is no crash to report
    assert _gone(int(lines[0].split()[1]))


def test_a_command_still_running_after_the_wait_is_stopped_before_honcho_kills(tmp_path):
    log = tmp_path / "log"
    command = f"trap 'echo TERM >> {log}' TERM; {_grandchild(str(log))} while :; do sleep 0.1; done"
    proc = _start(command, tmp_path=tmp_path, SUPERVISE_STOP_WAIT="1")

    took, _ = _stop_as_honcho_does(proc)

    lines = log.read_text().splitlines()
    assert [line.split()[0] for line in lines] == ["grandchild", "TERM"]
    assert proc.returncode == 0
    assert 1 <= took < 3
    assert _gone(int(lines[0].split()[1]))
