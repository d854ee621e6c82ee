"""Speed knobs for the test suite only; everything else comes from config.settings."""

import os
from pathlib import Path

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

from config.settings import *  # noqa: F403

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
