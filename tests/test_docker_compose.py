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
    for service in ("web:", "worker:", "worker-reports:", "beat:", "db:", "redis:"):
        assert service in result.stdout


def test_workers_and_beat_restart_by_themselves_and_are_health_checked():
    import yaml

    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    anchor = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["x-app"]

    assert anchor["restart"] == "unless-stopped"
    for name in ("worker", "worker-reports", "beat", "web"):
        assert services[name].get("restart", anchor["restart"]) == "unless-stopped"
    assert "inspect ping" in " ".join(services["worker"]["healthcheck"]["test"])
    assert "inspect ping -d reports@$$HOSTNAME" in " ".join(
        services["worker-reports"]["healthcheck"]["test"]
    )
    assert "beat_alive" in services["beat"]["healthcheck"]["test"]


def _option(command: str, name: str) -> str:
    (value,) = [part.split("=", 1)[1] for part in command.split() if part.startswith(f"{name}=")]
    return value


def test_reports_have_their_own_worker_so_they_never_hold_up_reminders():
    """Two long background reports on the shared worker could take both its processes; the
    reports queue has a worker of its own with one process, the other queues the rest."""
    import yaml
    from django.conf import settings

    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    worker, reports = services["worker"], services["worker-reports"]

    assert _option(worker["command"], "--queues").split(",") == ["default", "notifications"]
    assert _option(worker["command"], "--concurrency") == "2"
    assert _option(reports["command"], "--queues") == "reports"
    assert _option(reports["command"], "--concurrency") == "1"
    assert " -n reports@%h" in reports["command"]
    # Every queue a task is routed to has exactly one of the two workers.
    assert {q.name for q in settings.CELERY_TASK_QUEUES} == {"default", "notifications", "reports"}
    # Same image, environment, volumes, start order and restart policy (the x-app anchor).
    for key in ("image", "build", "environment", "volumes", "restart", "depends_on"):
        assert reports[key] == worker[key], key
    for key in ("interval", "timeout", "retries", "start_period"):
        assert reports["healthcheck"][key] == worker["healthcheck"][key], key


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
