"""Shared fixtures, and the rule for tests that need a real service.

Locally a test that needs PostgreSQL, Redis or Chromium is skipped when the service is
missing. In CI (``CI=true``) or with ``CLAMSHELL_REQUIRE_SERVICES=1`` it fails instead, so a
green CI always means the real services were exercised."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.test import Client

from tests.factories import AdminFactory, ClinicFactory, PatientFactory, StaffFactory

REQUIRE_SERVICES = (
    os.environ.get("CI", "").lower() == "true"
    or os.environ.get("CLAMSHELL_REQUIRE_SERVICES") == "1"
)


def need_service(name: str, available: bool, why: str = "") -> None:
    if available:
        return
    message = f"{name} is needed for this test and is not available{': ' + why if why else ''}"
    if REQUIRE_SERVICES:
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def require_postgres() -> None:
    need_service("PostgreSQL", settings.IS_POSTGRES, "set DATABASE_URL to a postgres:// URL")


@pytest.fixture
def require_redis() -> None:
    need_service("Redis", bool(settings.REDIS_URL), "set REDIS_URL")


# --- Emptying the database after a transactional test -------------------------------------
#
# A test marked ``transaction=True`` (the live server, the Celery worker, the races) commits,
# and Django's ``flush`` empties every table afterwards. On PostgreSQL that is one TRUNCATE of
# all ~50 tables, which makes new files for every table and index and syncs them: 1.5 to 2 s
# each time on the CI machine, for about 270 such tests, while the tables hold a handful of
# rows. DELETE empties them just as completely in about 0.1 s (the foreign keys Django makes
# are deferred to the commit, when every table is empty, so the order does not matter).
# A table with a DELETE trigger of its own (the audit trail refuses DELETE: it is
# append-only) is still truncated, only when it holds rows. Sequences are not reset, as with
# Django's TRUNCATE (``reset_sequences`` and ``allow_cascade`` keep Django's own SQL).
#
# The content types and permissions are kept: the flush's post_migrate signal makes them
# again, the same rows, one app at a time with a commit each (0.1 s of the 0.2 s left). Kept,
# it only reads them. No test writes either table (tests/test_flush.py checks they are the
# rows Django makes, and nothing else).
KEPT = {"django_content_type", "auth_permission"}


def _tables_refusing_delete(connection) -> set[str]:
    """The tables that have a DELETE trigger of their own (not a foreign key's)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT tgrelid::regclass::text FROM pg_trigger"
            " WHERE NOT tgisinternal AND tgtype & 8 = 8"  # TRIGGER_TYPE_DELETE
        )
        return {name.strip('"') for (name,) in cursor.fetchall()}


def _delete_instead_of_truncate() -> None:
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if not tables or reset_sequences or allow_cascade:
            return truncate(
                self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        guarded = _tables_refusing_delete(self.connection)
        # The names are Django's own table names, quoted.
        delete = "DELETE FROM {};"
        truncate_if_used = (
            "DO $$ BEGIN IF EXISTS (SELECT 1 FROM {0}) THEN TRUNCATE {0}; END IF; END $$;"
        )
        emptied = [table for table in tables if table not in KEPT]
        # First the lock TRUNCATE takes: a worker or live-server request still writing is
        # waited for, and a new one waits for the flush, as before (without it, a row a
        # worker commits in between could fail the flush's foreign-key check).
        lock = "LOCK TABLE {} IN ACCESS EXCLUSIVE MODE;".format(
            ", ".join(self.quote_name(table) for table in emptied)
        )
        return [lock] + [
            (truncate_if_used if table in guarded else delete).format(self.quote_name(table))
            for table in emptied
        ]

    DatabaseOperations.sql_flush = sql_flush


_delete_instead_of_truncate()


@pytest.fixture(autouse=True)
def _isolated_cache():
    """Rate limits and axes counters live in the cache: start every test with a clean one."""
    _clear_cache()
    yield
    _clear_cache()


def _clear_cache() -> None:
    """Empty this process's cache. On Redis, only this xdist worker's keys: ``cache.clear()``
    is FLUSHDB, which would reset the rate-limit counters another worker's test is counting
    (and the broker's routing table in the integration tests)."""
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    from apps.portal.today_cache import clear_recent

    clear_recent()  # the Today pages this process keeps in memory, in front of the cache
    cache = caches["default"]  # the instance: ``django.core.cache.cache`` is a proxy
    if not isinstance(cache, RedisCache):
        cache.clear()
        return
    client = cache._cache.get_client(write=True)
    keys = list(client.scan_iter(match=f"{cache.key_prefix}:*", count=1000))
    if keys:
        client.delete(*keys)


@pytest.fixture
def media_storage(settings, tmp_path):
    """Uploaded photos and videos go to a folder of this test's own, so "nothing stored"
    can be checked (tests/media, tests/portal)."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = str(root)
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    return root


@pytest.fixture(scope="session")
def video_dir(tmp_path_factory):
    """Where the short test videos made by ffmpeg are kept (tests/media/samples.py)."""
    import shutil

    need_service("ffmpeg", shutil.which("ffmpeg") is not None, "install Debian's ffmpeg")
    return tmp_path_factory.mktemp("videos")


@pytest.fixture
def clinic_a(db):
    return ClinicFactory(name="Clinic A")


@pytest.fixture
def clinic_b(db):
    return ClinicFactory(name="Clinic B")


@pytest.fixture
def therapist_a(clinic_a):
    return StaffFactory(clinic=clinic_a, email="therapist@a.example")


@pytest.fixture
def admin_a(clinic_a):
    return AdminFactory(clinic=clinic_a, email="admin@a.example")


@pytest.fixture
def therapist_b(clinic_b):
    return StaffFactory(clinic=clinic_b, email="therapist@b.example")


@pytest.fixture
def admin_b(clinic_b):
    return AdminFactory(clinic=clinic_b, email="admin@b.example")


@pytest.fixture
def patient_a(therapist_a):
    return PatientFactory(therapist=therapist_a, full_name="Ann A", year_of_birth=1961)


@pytest.fixture
def patient_b(therapist_b):
    return PatientFactory(therapist=therapist_b, full_name="Ben B", year_of_birth=1980)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _celery_app():
    """The Celery app with its configuration loaded (``app.conf`` stays a lazy placeholder,
    whose ``changes`` is not the real one, until a setting is first read)."""
    from config.celery import app

    app.conf.get("broker_url")
    return app


@contextmanager
def celery_conf(**values: object) -> Iterator[None]:
    """Change Celery settings for a block, then put the configuration back exactly as it was.

    Celery 5.6 looks a key that came from Django's ``CELERY_`` settings up under its prefixed
    name first, so both names are set. On the way out each name is restored or *removed*:
    writing the old value back under a name that was not there before (a ``CELERY_BROKER_
    WRITE_URL = None``, say) would shadow the plain name for the rest of the run, and a later
    change to the plain name (``broker_write_url``) would be silently ignored. That is how
    the healthz test once sent the fault tests' messages to the wrong Redis."""
    app = _celery_app()
    changes = app.conf.changes
    names = [name for key in values for name in (key, f"CELERY_{key.upper()}")]
    missing = object()
    saved = {name: changes.get(name, missing) for name in names}
    for key, value in values.items():
        app.conf[key] = value
        app.conf[f"CELERY_{key.upper()}"] = value
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is missing:
                changes.pop(name, None)
            else:
                changes[name] = value


@pytest.fixture(autouse=True)
def _celery_conf_unchanged() -> Iterator[None]:
    """Fail the test that leaves the Celery app's configuration changed (and put it back), so
    a leak shows up where it happens, not as a time-out in a later test on another broker."""
    app = _celery_app()
    before = dict(app.conf.changes)
    yield
    after = dict(app.conf.changes)
    if after == before:
        return
    leaked = sorted(
        set(before) ^ set(after) | {k for k in before if k in after and before[k] != after[k]}
    )
    app.conf.changes.clear()
    app.conf.changes.update(before)
    pytest.fail(f"the test left Celery's configuration changed: {leaked}; use celery_conf()")
