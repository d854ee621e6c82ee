"""Bad settings stop start-up with a message that names the variable."""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Variables of the test process that must not leak into a fresh start-up: the service URLs,
# and the browser tests' DJANGO_ALLOW_ASYNC_UNSAFE, which the deploy check rightly refuses.
NOT_INHERITED = {"DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE"}


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}


def start_django(**env_overrides: str) -> subprocess.CompletedProcess[str]:
    env = clean_env()
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings", **env_overrides})
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"DATABASE_URL": "mysql://nowhere/db"}, "DATABASE_URL"),
        ({"DATABASE_URL": "not a url"}, "DATABASE_URL"),
        ({"REDIS_URL": "http://localhost"}, "REDIS_URL"),
        ({"DEBUG": "perhaps"}, "DEBUG"),
        ({"AXES_FAILURE_LIMIT": "many"}, "AXES_FAILURE_LIMIT"),
        ({"DJANGO_ENV": "staging"}, "DJANGO_ENV"),
        ({"TRUSTED_PROXY_COUNT": "-1"}, "TRUSTED_PROXY_COUNT"),
        ({"TRUSTED_PROXY_COUNT": "one"}, "TRUSTED_PROXY_COUNT"),
        ({"DEFAULT_PATIENT_TIME_ZONE": "Mars/Olympus"}, "DEFAULT_PATIENT_TIME_ZONE"),
        ({"DJANGO_ENV": "production", "DEBUG": "true", "SECRET_KEY": "x" * 50}, "DEBUG"),
        ({"DJANGO_ENV": "production", "DEBUG": "false"}, "SECRET_KEY"),
        ({"MEDIA_PHOTO_MAX_MB": "0"}, "MEDIA_PHOTO_MAX_MB"),
        ({"MEDIA_VIDEO_MAX_MB": "lots"}, "MEDIA_VIDEO_MAX_MB"),
        ({"MEDIA_CLINIC_QUOTA_MB": "-5"}, "MEDIA_CLINIC_QUOTA_MB"),
        ({"MEDIA_SERVE_HEADER": "X-Whatever"}, "MEDIA_SERVE_HEADER"),
        ({"MEDIA_STORAGE": "ftp"}, "MEDIA_STORAGE"),
        ({"PATIENT_LINK_DAYS": "0"}, "PATIENT_LINK_DAYS"),
        ({"PATIENT_LINK_DAYS": "half a year"}, "PATIENT_LINK_DAYS"),
    ],
)
def test_it_refuses_to_start_with_a_bad_value(overrides, named):
    result = start_django(**overrides)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert named in result.stderr.strip().splitlines()[-1]


def test_it_starts_with_the_embedded_defaults():
    result = start_django()

    assert result.returncode == 0, result.stderr


def test_the_embedded_broker_connects_without_a_warning():
    # `make run` prints what every command logs: kombu warned "No hostname was supplied" on
    # each connection to a broker URL without a host, a newcomer's first WARNING line.
    env = clean_env()
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    script = (
        "import logging, django; logging.basicConfig(); django.setup();"
        "from config.celery import app;"
        "connection = app.connection_for_write(); connection.clone(); connection.connect();"
        "connection.release(); print(connection.transport_cls)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "filesystem"
    assert "WARNING" not in result.stderr


def test_production_settings_pass_the_deploy_check():
    env = {
        "DJANGO_ENV": "production",
        "DEBUG": "false",
        "SECRET_KEY": "k" * 20 + "-production-secret-for-the-check-0123456789",
        "ALLOWED_HOSTS": "clinic.example",
    }
    env_all = clean_env()
    env_all.update({"DJANGO_SETTINGS_MODULE": "config.settings", **env})
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env_all,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.django_db
@pytest.mark.usefixtures("require_postgres")
def test_postgresql_connections_run_without_jit():
    # A page's query over a few thousand rows of a big table must not pay for JIT compiling.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


@pytest.mark.skipif(
    importlib.util.find_spec("storages") is not None, reason="django-storages is installed"
)
def test_s3_storage_without_django_storages_says_what_to_install():
    # django-storages is not a dependency: an operator who chooses S3 installs it.
    result = start_django(MEDIA_STORAGE="s3", MEDIA_S3_BUCKET="clinic-media")

    assert result.returncode != 0
    assert "pip install 'django-storages[s3]'" in result.stderr.strip().splitlines()[-1]
