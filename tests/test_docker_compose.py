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
    for service in ("web:", "worker:", "beat:", "db:", "redis:"):
        assert service in result.stdout


def test_workers_and_beat_restart_by_themselves_and_are_health_checked():
    import yaml

    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    anchor = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["x-app"]

    assert anchor["restart"] == "unless-stopped"
    for name in ("worker", "beat", "web"):
        assert services[name].get("restart", anchor["restart"]) == "unless-stopped"
    assert "inspect ping" in " ".join(services["worker"]["healthcheck"]["test"])
    assert "beat_alive" in services["beat"]["healthcheck"]["test"]


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
