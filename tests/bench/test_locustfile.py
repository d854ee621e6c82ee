"""The load test's simulated phones and therapist (bench/locustfile.py), run by Locust for a few
seconds against a live server: every request they make is answered as the app answers a
phone, and every set they were answered 2xx for is in the database once.

Locust runs in its own process (it patches the standard library with gevent on import).

PostgreSQL only, like ``make load`` itself: the phones write at once from several threads of
the live server, and the test database on SQLite is in memory, where a write that meets
another's lock fails at once (no busy timeout applies to its shared cache) and answers 503."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import timezone

from bench.load_check import log_check
from bench.load_test import roster
from tests.factories import ExerciseItemFactory, PatientFactory, StaffFactory

LOCUST = Path(sys.executable).parent / "locust"
LOCUSTFILE = Path(__file__).resolve().parents[2] / "bench" / "locustfile.py"


@pytest.mark.django_db(transaction=True)
def test_the_simulated_phones_log_every_set_once_through_the_real_endpoints(
    require_postgres, live_server, settings, tmp_path
):
    # The phones speak as through the production proxy (X-Forwarded-Proto: https, and the
    # Origin of an HTTPS page, which the CSRF check compares with the request's scheme).
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    therapist = StaffFactory()
    for _ in range(2):
        patient = PatientFactory(therapist=therapist, clinic=therapist.clinic)
        ExerciseItemFactory(program__patient=patient, sets=2, per_side=True)
        ExerciseItemFactory(program__patient=patient, sets=1, per_side=False, reps=None,
                            hold_seconds=20)  # fmt: skip
    roster_path, out = tmp_path / "roster.json", tmp_path / "out.json"
    assert roster(therapist.clinic, roster_path) == {"patients": 2, "therapists": 1}
    since = timezone.now()
    env = os.environ | {
        "LOAD_ROSTER": str(roster_path), "LOAD_OUT": str(out),
        "LOAD_THERAPISTS": "1", "LOAD_THINK": "0.05,0.1", "LOAD_OFFLINE_SHARE": "0.5",
        "LOAD_REPLAY_SHARE": "0.5", "LOAD_VISIT_WAIT": "0.1,0.2",
    }  # fmt: skip

    ran = subprocess.run(
        [str(LOCUST), "-f", str(LOCUSTFILE), "--headless", "--users=3", "--spawn-rate=3",
         "--run-time=15s", f"--host={live_server.url}", "--only-summary", "--loglevel=WARNING",
         "--exit-code-on-error=0"],
        env=env, check=True, capture_output=True, timeout=60,
    )  # fmt: skip

    seen = json.loads(out.read_text())
    samples = seen["ramp"] + seen["samples"]
    names = {name for name, *_ in samples}
    assert samples, ran.stdout.decode()[-3000:]
    assert {
        "GET /today/", "POST /api/v1/me/logs/", "POST /api/v1/me/logs/ (replay)",
        "POST /api/v1/me/logs/batch/", "GET /api/v1/me/today/",
    } <= names  # fmt: skip
    assert "GET /dashboard/" in names or "GET /inbox/" in names
    failed = [sample for sample in samples if not sample[2]]
    assert failed == []
    assert seen["acked"]
    check = log_check(
        clinic_id=therapist.clinic_id, since=since, sent=set(seen["sent"]),
        acked=set(seen["acked"]),
    )  # fmt: skip
    assert (check.lost, check.duplicated, check.extra) == (0, 0, 0)
