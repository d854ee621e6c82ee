"""The load test's verdicts (bench/load_check.py, load_report.py, load_test.py): the count of
lost, extra and unevaluated sets on real rows, when a step passes, where the records go, and
the refusal without PostgreSQL and Redis."""

import json
import uuid
from datetime import timedelta

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from bench import report
from bench.load_check import LogCheck, Step, log_check
from bench.load_report import records, write_results
from bench.load_test import ensure_database, load_database_url, require_services
from tests.factories import ExerciseItemFactory
from tests.programs.adherence_factories import SetLogFactory


def _log(item, *, evaluated=True, logged_at=None):
    extra = {"logged_at": logged_at} if logged_at else {}
    return SetLogFactory(
        item=item,
        performed_on=timezone.localdate(),
        evaluated_at=timezone.now() if evaluated else None,
        **extra,
    )


@pytest.mark.django_db
def test_it_counts_lost_extra_and_unevaluated_sets_by_client_id():
    item = ExerciseItemFactory()
    clinic_id = item.program.clinic_id
    _log(item, logged_at=timezone.now() - timedelta(hours=1))  # before the step: not counted
    since = timezone.now()
    saved = _log(item)
    waiting = _log(item, evaluated=False)
    unanswered = _log(item)  # sent, its answer never came: neither lost nor extra
    stray = _log(item)  # saved during the step, never sent by a phone
    _log(ExerciseItemFactory())  # another clinic's set
    lost = str(uuid.uuid4())
    acked = {str(saved.client_id), str(waiting.client_id), lost}
    sent = acked | {str(unanswered.client_id)}

    check = log_check(clinic_id=clinic_id, since=since, sent=sent, acked=acked)

    assert check == LogCheck(acked=3, lost=1, duplicated=0, extra=1, unevaluated=1)
    assert not check.ok
    assert str(stray.client_id) not in sent


@pytest.mark.django_db
def test_it_passes_when_every_acknowledged_set_is_saved_once_and_evaluated():
    item = ExerciseItemFactory()
    since = timezone.now()
    logs = [_log(item) for _ in range(3)]
    acked = {str(log.client_id) for log in logs}

    check = log_check(clinic_id=item.program.clinic_id, since=since, sent=acked, acked=acked)

    assert check == LogCheck(acked=3)
    assert check.ok


def _step(patients, times, *, ok=True, check=None):
    step = Step(patients, 1, seconds=10.0, check=check or LogCheck(acked=5))
    step.samples = [("POST /api/v1/me/logs/", ms, ok, 201 if ok else 500) for ms in times]
    return step


def test_a_step_passes_only_with_p95_within_budget_no_error_and_every_set_accounted_for():
    fast = [50.0] * 95 + [400.0] * 5  # p95 is the 95th of 100: 50 ms
    assert _step(25, fast).passed
    assert not _step(25, [50.0] * 94 + [400.0] * 6).passed
    assert not _step(25, [*fast[:-1], 60.0], ok=False).passed
    assert not _step(25, fast, check=LogCheck(acked=5, lost=1)).passed
    assert not _step(25, fast, check=LogCheck(acked=5, unevaluated=1)).passed
    assert not _step(25, []).passed


def test_the_result_is_the_largest_step_that_passed():
    steps = [_step(25, [40.0] * 20), _step(50, [90.0] * 20), _step(100, [300.0] * 20)]

    found = records(steps)

    assert found[-1].metric == "most concurrent patients within budget"
    assert found[-1].value == 50
    p95 = {r.size: r for r in found if r.metric == "p95 ms"}
    assert (p95["100 patients"].value, p95["100 patients"].met) == (300.0, False)


def test_it_refuses_to_run_without_postgresql_and_redis():
    postgres = "postgres://postgres@127.0.0.1:5432/x"
    assert "DATABASE_URL" in (require_services({"REDIS_URL": "redis://h/1"}) or "")
    assert "DATABASE_URL" in (require_services({"DATABASE_URL": "sqlite:///x"}) or "")
    assert "REDIS_URL" in (require_services({"DATABASE_URL": postgres}) or "")
    assert require_services({"DATABASE_URL": postgres, "REDIS_URL": "redis://h/1"}) is None


def test_the_load_test_runs_in_a_database_of_its_own_beside_the_callers():
    """Beside make bench's 120,000 patients the load test's beat ran their reminders and daily
    jobs through the measured minutes; it now runs in ``<name>_load`` on the same server."""
    own = "postgres://postgres:secret@db.example:6543/clamshell_bench_load?sslmode=require"
    assert load_database_url(own.replace("_load", "")) == own
    assert load_database_url(own) == own  # already its own: not clamshell_bench_load_load
    with pytest.raises(SystemExit, match="names no database"):
        load_database_url("postgres://postgres@127.0.0.1:5432/")


def test_the_load_tests_database_is_created_once_on_the_callers_server(db, require_postgres):
    """Created on the first run, found on the next (a real PostgreSQL server)."""
    settings = connection.settings_dict
    name = f"clamshell_loadtest_{uuid.uuid4().hex[:12]}"
    url = (
        f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:"
        f"{settings['PORT'] or 5432}/{name}"
    )
    try:
        assert ensure_database(url) is True
        assert ensure_database(url) is False
        with psycopg.connect(url) as created:
            assert created.execute("SELECT current_database()").fetchone() == (name,)
    finally:
        admin_url = url.replace(f"/{name}", "/postgres")
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')


def test_each_run_replaces_only_the_scenarios_it_measured(tmp_path, monkeypatch):
    """`make bench --only today` replaces the Today records and keeps the rest; `make load`
    writes its own apart."""
    monkeypatch.setattr(report, "RESULTS_JSON", tmp_path / "results.json")
    monkeypatch.setattr(report, "RESULTS_MD", tmp_path / "results.md")

    report.write([report.Record("today", "full", "median ms", 12.0)], {}, 60.0)
    write_results([report.Record("load", "25 patients", "p95 ms", 150.0)])
    write_results([report.Record("load", "50 patients", "p95 ms", 180.0)])
    report.write([report.Record("dashboard", "200", "median ms", 150.0)], {}, 60.0)
    report.write([report.Record("today", "full", "median ms", 2.5)], {}, 60.0)

    found = json.loads((tmp_path / "results.json").read_text())
    assert [(r["scenario"], r["size"], r["value"]) for r in found] == [
        ("load", "50 patients", 180.0),
        ("dashboard", "200", 150.0),
        ("today", "full", 2.5),
    ]


def test_the_load_test_refuses_to_run_where_django_has_read_its_settings():
    """``make bench``'s scenarios read the settings before the load test chose its
    SECRET_KEY: the roster's sessions were then invalid for the servers and every simulated
    request was a 401. The load test runs in a process of its own, and says so if not."""
    from bench import load_test

    with pytest.raises(SystemExit, match="a process of its own"):
        load_test._main(load_test._arguments([]))
