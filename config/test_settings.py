"""Speed knobs for the test suite only; everything else comes from config.settings."""

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

# Tests keep their broker folder, cache and files apart from `make run`'s var/, so a task a
# test enqueues on the embedded broker is never picked up by a development worker.
# Each xdist worker gets its own folder too: the file cache holds rate-limit counters, and two
# workers sharing it would count each other's requests.
# Not setdefault: xdist's workers inherit the environment of the controller process, which
# imported these settings first and would hand every worker its own "main" folder.
os.environ["CLAMSHELL_VAR_DIR"] = str(
    Path(__file__).resolve().parent.parent
    / "var"
    / "test"
    / os.environ.get("PYTEST_XDIST_WORKER", "main")
)


def _redis_url_of_this_worker(url: str, worker: str) -> str:
    """``url`` with the database number moved on by the xdist worker's number (gw1: one more),
    so that two workers running the integration or browser tests at once never share a broker:
    each runs a real Celery worker on its own queues, which would otherwise take the other's
    tasks and run them against the wrong test database. Tests sharing one database kept them
    apart only while the suite ran in one process."""
    if not url or not worker.startswith("gw"):
        return url
    parts = urlsplit(url)
    database = parts.path.strip("/")
    number = (int(database) if database.isdigit() else 0) + int(worker[2:])
    return urlunsplit(parts._replace(path=f"/{number % 16}"))


if os.environ.get("REDIS_URL"):
    os.environ["REDIS_URL"] = _redis_url_of_this_worker(
        os.environ["REDIS_URL"], os.environ.get("PYTEST_XDIST_WORKER", "")
    )

from config.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Every cached Today page a test serves is checked against a fresh rendering: a writer that
# changes what Today shows without bumping a version fails the test that shows it.
TODAY_CACHE_VERIFY = True

if REDIS_URL:  # noqa: F405
    # One Redis database serves every xdist worker (and, in the integration tests, the
    # broker): each worker's cache keys get their own prefix, and tests/conftest.py clears
    # only that prefix between tests instead of flushing the database under the others.
    CACHES["default"]["KEY_PREFIX"] = (  # noqa: F405
        f"clamshell-test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    )
