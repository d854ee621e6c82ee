"""docker-compose.yml must be a valid Compose file (no engine is needed to check that)."""

import shutil
import subprocess
from pathlib import Path

from tests.conftest import need_service

ROOT = Path(__file__).resolve().parents[1]


def compose_command() -> list[str] | None:
    docker = shutil.which("docker")
    if (
        docker
        and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0
    ):
        return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    return [legacy] if legacy else None


def test_docker_compose_config_accepts_the_file():
    command = compose_command()
    need_service("docker compose", command is not None, "apt-get install docker-compose")
    assert command is not None

    result = subprocess.run(
        [*command, "-f", str(ROOT / "docker-compose.yml"), "config"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "SECRET_KEY": "x" * 50},
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    for service in (
        "web:", "worker:", "worker-notifications:", "worker-reports:", "beat:", "db:", "redis:"
    ):  # fmt: skip
        assert service in result.stdout


def test_workers_and_beat_restart_by_themselves_and_are_health_checked():
    import yaml

    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    anchor = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["x-app"]

    assert anchor["restart"] == "unless-stopped"
    for name in ("worker", "worker-notifications", "worker-reports", "beat", "web"):
        assert services[name].get("restart", anchor["restart"]) == "unless-stopped"
    assert "inspect ping" in " ".join(services["worker"]["healthcheck"]["test"])
    assert "inspect ping -d reports@$$HOSTNAME" in " ".join(
        services["worker-reports"]["healthcheck"]["test"]
    )
    assert "inspect ping -d notifications@$$HOSTNAME" in " ".join(
        services["worker-notifications"]["healthcheck"]["test"]
    )
    assert "beat_alive" in services["beat"]["healthcheck"]["test"]


def _option(command: str, name: str) -> str:
    (value,) = [part.split("=", 1)[1] for part in command.split() if part.startswith(f"{name}=")]
    return value


def test_each_kind_of_job_has_its_own_worker_so_reports_never_hold_up_reminders():
    """Two long background reports on a shared worker could take both its processes: each
    queue has a worker of its own, reports one process, notifications more processes than
    the host has cores (they wait for commits and the mail server, not the CPU)."""
    import yaml
    from django.conf import settings

    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    worker = services["worker"]
    notifications = services["worker-notifications"]
    reports = services["worker-reports"]

    assert _option(worker["command"], "--queues") == "default"
    assert _option(worker["command"], "--concurrency") == "2"
    assert _option(notifications["command"], "--queues") == "notifications"
    assert _option(notifications["command"], "--concurrency") == (
        "${NOTIFICATIONS_WORKER_PROCESSES:-4}"
    )
    assert " -n notifications@%h" in notifications["command"]
    assert _option(reports["command"], "--queues") == "reports"
    assert _option(reports["command"], "--concurrency") == "1"
    assert " -n reports@%h" in reports["command"]
    # Every queue a task is routed to has exactly one of the three workers.
    served = [
        queue
        for service in (worker, notifications, reports)
        for queue in _option(service["command"], "--queues").split(",")
    ]
    assert sorted(served) == sorted({q.name for q in settings.CELERY_TASK_QUEUES})
    assert len(served) == len(set(served))
    # Same image, environment, volumes, start order and restart policy (the x-app anchor).
    for other in (notifications, reports):
        for key in ("image", "build", "environment", "volumes", "restart", "depends_on"):
            assert other[key] == worker[key], key
        for key in ("interval", "timeout", "retries", "start_period"):
            assert other["healthcheck"][key] == worker["healthcheck"][key], key


def test_make_run_restarts_a_process_that_died_and_says_so(tmp_path):
    marker = tmp_path / "runs"
    script = f"echo run >> {marker}; exit 3"
    proc = subprocess.Popen(
        [str(ROOT / "scripts" / "supervise"), "demo", "sh", "-c", script],
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = 10.0
        import time

        start = time.monotonic()
        while time.monotonic() - start < deadline:
            if marker.exists() and marker.read_text().count("run") >= 2:
                break
            time.sleep(0.2)
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=10)

    assert marker.read_text().count("run") >= 2, "restarted"
    assert "demo STOPPED (exit code 3)" in err


def test_the_bench_measures_the_notifications_worker_compose_runs():
    """The reminder fan-out and the load test time the production shape: as many processes on
    the ``notifications`` queue as docker-compose.yml gives it by default."""
    import re

    import yaml

    from bench.load_test import NOTIFICATION_PROCESSES
    from bench.scenarios.fanout import WORKER_PROCESSES

    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    concurrency = _option(services["worker-notifications"]["command"], "--concurrency")
    (default,) = re.fullmatch(r"\$\{NOTIFICATIONS_WORKER_PROCESSES:-(\d+)\}", concurrency).groups()
    assert WORKER_PROCESSES == NOTIFICATION_PROCESSES == int(default)
