"""The read-replica router: only reads inside ``replica_reads()`` go to the replica, and only
when one is configured; writes and migrations always go to ``default``."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import date

import pytest
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

from apps.core import db_router
from apps.core.db_router import REPLICA, ReplicaRouter, read_alias, replica_reads
from apps.programs.models import SetLog
from tests.core.test_settings import ROOT, clean_env, start_django


def test_it_reads_from_the_replica_only_inside_replica_reads(monkeypatch):
    router = ReplicaRouter()
    # Only the alias's presence matters to the router; nothing connects to it here.
    monkeypatch.setitem(settings.DATABASES, REPLICA, {"ENGINE": "django.db.backends.sqlite3"})
    assert router.db_for_read(SetLog) == DEFAULT_DB_ALIAS
    with replica_reads():
        assert router.db_for_read(SetLog) == REPLICA
        assert read_alias() == REPLICA
        assert router.db_for_write(SetLog) == DEFAULT_DB_ALIAS
    assert router.db_for_read(SetLog) == DEFAULT_DB_ALIAS


def test_without_a_replica_every_read_stays_on_default():
    with replica_reads():
        assert ReplicaRouter().db_for_read(SetLog) == DEFAULT_DB_ALIAS


def test_only_default_is_migrated():
    router = ReplicaRouter()
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "programs")
    assert not router.allow_migrate(REPLICA, "programs")


def test_the_report_file_is_written_inside_replica_reads(monkeypatch, db):
    from apps.reports.exports import write
    from apps.reports.exports.filters import ReportFilters

    seen = []
    monkeypatch.setattr(
        write, "_write_report", lambda **kwargs: seen.append(db_router._replica_reads.get())
    )
    filters = ReportFilters(clinic_id=1, start=date(2026, 1, 1), end=date(2026, 1, 31))
    out = io.BytesIO()
    write.write_report(user=None, filters=filters, kind="summary", format="csv", out=out)

    assert seen == [True]
    assert not db_router._replica_reads.get()


@pytest.mark.parametrize(
    ("url", "named"),
    [
        ("not a url", "REPLICA_DATABASE_URL"),
        ("sqlite:///x.db", "REPLICA_DATABASE_URL"),
    ],
)
def test_a_bad_replica_url_stops_the_start(url, named):
    result = start_django(DATABASE_URL="postgres://u@127.0.0.1:5432/db", REPLICA_DATABASE_URL=url)
    assert result.returncode != 0
    assert named in result.stderr


def test_a_replica_url_adds_the_replica_alias_read_without_jit():
    result = settings_of(
        "DATABASES['replica']['HOST'], DATABASES['replica']['OPTIONS']['options']",
        DATABASE_URL="postgres://u@127.0.0.1:5432/db",
        REPLICA_DATABASE_URL="postgres://reader@10.0.0.2:5432/db",
    )
    assert result == "('10.0.0.2', '-c jit=off')"


def test_without_a_replica_url_there_is_no_replica_alias():
    assert settings_of("sorted(DATABASES)") == "['default']"


def settings_of(expression: str, **env: str) -> str:
    """``expression`` over the settings of a fresh process started with ``env``."""
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        f"print(eval({expression!r}, vars(s._wrapped)))"
    )
    environment = {**clean_env(), "DJANGO_SETTINGS_MODULE": "config.settings", **env}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True,
        timeout=60, check=True,
    )  # fmt: skip
    return result.stdout.strip()


def test_behind_pgbouncer_server_side_cursors_are_off():
    shown = settings_of(
        "DATABASES['default']['DISABLE_SERVER_SIDE_CURSORS']",
        DATABASE_URL="postgres://u@127.0.0.1:6432/db",
        DATABASE_POOLED="true",
    )
    assert shown == "True"
    assert settings_of("DATABASES['default']['DISABLE_SERVER_SIDE_CURSORS']") == "False"
