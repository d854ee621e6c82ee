"""Clamshell settings: one module, every difference between environments is an environment
variable (documented in the README). A bad value stops start-up with a message naming the
variable, because a clinic app that boots half-configured is worse than one that does not boot.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import django_stubs_ext
import environ
from django.conf.locale import LANG_INFO
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

# Lets generic classes such as ModelAdmin[Model] be subscripted at run time.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CLAMSHELL_VAR_DIR", BASE_DIR / "var"))

env = environ.Env()

DEFAULT_SECRET_KEY = "insecure-development-key-change-me"  # noqa: S105  # nosec B105


def _read(name: str, reader: Any, default: Any) -> Any:
    """Read one variable, turning any parse error into a message that names the variable."""
    try:
        return reader(name, default=default)
    except (ValueError, TypeError, environ.ImproperlyConfigured) as exc:
        raise ImproperlyConfigured(f"{name} is invalid: {exc}") from exc


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _strict_bool(name: str, default: bool) -> bool:
    """Like env.bool, but a value that is neither true nor false is an error, not False."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    if raw.strip().lower() in _TRUE:
        return True
    if raw.strip().lower() in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} is invalid: {raw!r} is not true or false")


DJANGO_ENV = _read("DJANGO_ENV", env.str, "development")
if DJANGO_ENV not in {"development", "test", "production"}:
    raise ImproperlyConfigured(
        f"DJANGO_ENV is invalid: {DJANGO_ENV!r}; use development, test or production"
    )
IS_PRODUCTION = DJANGO_ENV == "production"

DEBUG = _read("DEBUG", _strict_bool, not IS_PRODUCTION)
SECRET_KEY = _read("SECRET_KEY", env.str, DEFAULT_SECRET_KEY)
if IS_PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off when DJANGO_ENV=production")
if IS_PRODUCTION and (SECRET_KEY == DEFAULT_SECRET_KEY or len(SECRET_KEY) < 40):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of at least 40 characters "
        "when DJANGO_ENV=production"
    )

ALLOWED_HOSTS = _read("ALLOWED_HOSTS", env.list, ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = _read("CSRF_TRUSTED_ORIGINS", env.list, [])
# A form refused for its token (a page left open past its session) gets the app's 403 page in
# words, an /api/ request the API's JSON, not Django's bare "CSRF verification failed".
CSRF_FAILURE_VIEW = "apps.core.error_pages.csrf_failure"
SITE_URL = _read("SITE_URL", env.str, "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "apps.core",
    "apps.clinics",
    "apps.patients",
    "apps.exercises",
    "apps.programs",
    "apps.notifications",
    "apps.reports",
    "apps.audit",
    "apps.outcomes",
    "apps.media",
    "apps.portal",
    "apps.devdata",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Work a request commits is published once its response is sent (apps/core/outbox.py).
    "apps.core.outbox.PublishAfterResponseMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Outside every middleware that redirects (the session's end, the two-factor requirement)
    # and the views (login_required): an htmx request is sent on with HX-Redirect, not a 302.
    "apps.core.htmx.HtmxRedirectMiddleware",
    "apps.clinics.middleware.StaffSessionTimeoutMiddleware",
    # After the timeout; before the two-factor requirement: a suspended clinic's people are
    # told why, not asked for a code.
    "apps.clinics.middleware.SuspendedClinicMiddleware",
    # After the timeout (an ended session is signed out first) and django-otp's middleware.
    "apps.clinics.middleware.TwoFactorRequiredMiddleware",
    "apps.clinics.middleware.ClinicTimeZoneMiddleware",
    # Rewrites the sign-in redirect that login_required gives a form sent signed out.
    "apps.clinics.middleware.SignInBackToTheFormMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "apps.core.middleware.SecurityHeadersMiddleware",
    # Inside the headers middleware so its 413 carries them; before anything reads the body.
    "apps.core.api_limits.ApiBodyLimitMiddleware",
    # Axes goes last so it sees the outcome of the authentication attempts above.
    "axes.middleware.AxesMiddleware",
    # Innermost: a view whose database is down answers 503 (apps/core/unavailable.py).
    "apps.core.unavailable.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "apps.notifications.context_processors.inbox_waiting",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# Without DATABASE_URL the embedded default is a SQLite file under var/.
DATABASE_URL = _read("DATABASE_URL", env.str, f"sqlite:///{VAR_DIR / 'clamshell.sqlite3'}")
try:
    DATABASES = {"default": env.db_url_config(DATABASE_URL)}
except (ValueError, KeyError, environ.ImproperlyConfigured) as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is invalid: {exc}") from exc
if DATABASES["default"].get("ENGINE") not in {
    "django.db.backends.sqlite3",
    "django.db.backends.postgresql",
}:
    raise ImproperlyConfigured("DATABASE_URL is invalid: use a postgres:// or sqlite:/// URL")
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = _read("DATABASE_CONN_MAX_AGE", env.int, 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Behind PgBouncer in transaction pooling (docs/scaling.md) a server-side cursor cannot
# outlive its transaction: ``.iterator()`` then fetches in chunks of client-side rows.
DATABASE_POOLED = _read("DATABASE_POOLED", _strict_bool, False)
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = DATABASE_POOLED
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share one SQLite file in the embedded default: wait for locks
    # instead of failing, and start write transactions eagerly to avoid upgrade deadlocks.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
IS_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
if IS_POSTGRES:
    # Pages read a few thousand rows of tables of millions, and the planner's estimate for
    # such a read can pass jit_above_cost: compiling then costs 50-70 ms that never pays back
    # (bench/README.md, dashboard). Options given in DATABASE_URL come first and are kept.
    # Only the statements of ``apps.core.prepared`` are prepared (every other one is bound on
    # the client); PostgreSQL's own plan_cache_mode (auto) decides when they reuse a plan.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c jit=off".strip()

# A PostgreSQL read replica for reports and exports (docs/scaling.md); empty: none. Only
# code inside ``apps.core.db_router.replica_reads()`` reads from it.
REPLICA_DATABASE_URL = _read("REPLICA_DATABASE_URL", env.str, "")
if REPLICA_DATABASE_URL:
    try:
        replica = env.db_url_config(REPLICA_DATABASE_URL)
    except (ValueError, KeyError, environ.ImproperlyConfigured) as exc:
        raise ImproperlyConfigured(f"REPLICA_DATABASE_URL is invalid: {exc}") from exc
    if replica.get("ENGINE") != "django.db.backends.postgresql" or not IS_POSTGRES:
        raise ImproperlyConfigured(
            "REPLICA_DATABASE_URL is invalid: a replica is a postgres:// URL beside a "
            "PostgreSQL DATABASE_URL"
        )
    replica_options = replica.setdefault("OPTIONS", {})
    replica_options["options"] = f"{replica_options.get('options', '')} -c jit=off".strip()
    replica["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
    replica["CONN_HEALTH_CHECKS"] = True
    replica["DISABLE_SERVER_SIDE_CURSORS"] = DATABASE_POOLED
    # Tests run against one database: the replica alias reads the test copy of default.
    replica["TEST"] = {"MIRROR": "default"}
    DATABASES["replica"] = replica
DATABASE_ROUTERS = ["apps.core.db_router.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "clinics.User"

# --- Broker, cache ---------------------------------------------------------------------------
REDIS_URL = _read("REDIS_URL", env.str, "")
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://")):
    raise ImproperlyConfigured("REDIS_URL is invalid: it must start with redis:// or rediss://")

BROKER_DIR = VAR_DIR / "broker"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # Redis hands an unacknowledged message to another worker after this many seconds. It
    # is sized to the longest ordinary task (hard limit 300 s, the default) plus a minute, so
    # a message whose worker died waits 6 minutes, not an hour; the outbox sweep usually
    # republishes it sooner (after the task's lease: hard limit + 30 s, 90 s for notifications).
    # A report (hard limit 30 min) outlives it: its message is redelivered while it runs and
    # the copy is skipped, because the running worker holds the outbox lease.
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, Any] = {
        "visibility_timeout": _read("CELERY_VISIBILITY_TIMEOUT", env.int, 360)
    }
    CACHES = {
        "default": {
            "BACKEND": "apps.core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "clamshell",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    # Embedded broker: kombu's filesystem transport needs no server, only a shared folder.
    # The host is unused; naming one spares every connection kombu's "No hostname was
    # supplied" warning (printed by `make run`'s seed_demo, among others).
    CELERY_BROKER_URL = "filesystem://localhost/"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        # Broadcast (control) messages; kombu's default is ./control in the working directory.
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
        # kombu polls the folder once a second per queue by default, which delivered about 2
        # tasks a second to `make run`'s worker; a tenth of a second costs a directory listing.
        "polling_interval": 0.1,
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

CELERY_TASK_ALWAYS_EAGER = _read("CELERY_TASK_ALWAYS_EAGER", _strict_bool, False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_DEFAULT_QUEUE = "default"
# Queues by kind of job, so a big export never delays a reminder (docs/scaling.md). Each
# kind's queue name is a setting: give a kind its own workers with
# ``celery worker --queues=<name>``, or name the same queue twice to share workers.
TASK_QUEUE_NOTIFICATIONS = _read("CELERY_NOTIFICATIONS_QUEUE", env.str, "notifications")
TASK_QUEUE_REPORTS = _read("CELERY_REPORTS_QUEUE", env.str, "reports")
TASK_QUEUE_OUTCOMES = _read("CELERY_OUTCOMES_QUEUE", env.str, "default")
CELERY_TASK_ROUTES = {
    "apps.notifications.*": {"queue": TASK_QUEUE_NOTIFICATIONS},
    "apps.reports.*": {"queue": TASK_QUEUE_REPORTS},
    "apps.outcomes.*": {"queue": TASK_QUEUE_OUTCOMES},
}
TASK_QUEUE_NAMES = {CELERY_TASK_DEFAULT_QUEUE, TASK_QUEUE_NOTIFICATIONS, TASK_QUEUE_REPORTS}
CELERY_TASK_QUEUES = tuple(Queue(name) for name in sorted(TASK_QUEUE_NAMES | {TASK_QUEUE_OUTCOMES}))
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Keep reconnecting to the broker however long it is away (Celery's default gives up after
# 100 attempts and the worker exits); the outbox sweep republishes what was lost meanwhile.
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_TIMEZONE = "UTC"
# A published outbox message not taken by a worker within this many seconds is published
# again by the sweep (the broker lost it); see apps.core.outbox.
OUTBOX_REQUEUE_SECONDS = _read("OUTBOX_REQUEUE_SECONDS", env.int, 120)
# Days an ended outbox message is kept (apps/core/outbox.py, outbox_purge): a done one (its
# arguments already cleared), and a given-up one, kept with its arguments (which can be an
# email address) for an operator to look at.
OUTBOX_KEEP_DONE_DAYS = _read("OUTBOX_KEEP_DONE_DAYS", env.int, 7)
OUTBOX_KEEP_DEAD_DAYS = _read("OUTBOX_KEEP_DEAD_DAYS", env.int, 90)
for _name, _value in (
    ("OUTBOX_KEEP_DONE_DAYS", OUTBOX_KEEP_DONE_DAYS),
    ("OUTBOX_KEEP_DEAD_DAYS", OUTBOX_KEEP_DEAD_DAYS),
):
    if _value < 1:
        raise ImproperlyConfigured(f"{_name} is invalid: {_value!r}; use a whole number, 1 or more")
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- Email and SMS ----------------------------------------------------------------------------
EMAIL_BACKEND = _read(
    "EMAIL_BACKEND",
    env.str,
    "django.core.mail.backends.smtp.EmailBackend"
    if IS_PRODUCTION
    else "apps.core.console.ConsoleEmailBackend",
)
EMAIL_HOST = _read("EMAIL_HOST", env.str, "localhost")
EMAIL_PORT = _read("EMAIL_PORT", env.int, 25)
EMAIL_HOST_USER = _read("EMAIL_HOST_USER", env.str, "")
EMAIL_HOST_PASSWORD = _read("EMAIL_HOST_PASSWORD", env.str, "")
EMAIL_USE_TLS = _read("EMAIL_USE_TLS", _strict_bool, False)
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = _read("DEFAULT_FROM_EMAIL", env.str, "Clamshell <no-reply@clamshell.local>")
SMS_BACKEND = _read(
    "SMS_BACKEND",
    env.str,
    "apps.core.sms.UnconfiguredSMSBackend" if IS_PRODUCTION else "apps.core.sms.ConsoleSMSBackend",
)
# These print or store each message whole, working links and addresses included, in the
# process's own output (not through the log's redaction) or in files: in production that is
# the containers' log or a disk, read by operators and log services, never the recipient.
_WHOLE_MESSAGE_BACKENDS = {
    "EMAIL_BACKEND": {
        "apps.core.console.ConsoleEmailBackend",
        "django.core.mail.backends.console.EmailBackend",
        "django.core.mail.backends.filebased.EmailBackend",
    },
    "SMS_BACKEND": {"apps.core.sms.ConsoleSMSBackend"},
}
for _name, _backend in (("EMAIL_BACKEND", EMAIL_BACKEND), ("SMS_BACKEND", SMS_BACKEND)):
    if IS_PRODUCTION and _backend in _WHOLE_MESSAGE_BACKENDS[_name]:
        raise ImproperlyConfigured(
            f"{_name} is invalid: {_backend!r} writes each message whole, links and addresses "
            "included, into the output or files; it is for development only, not "
            "DJANGO_ENV=production"
        )

# --- Authentication -------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "apps.clinics.backends.ClinicUserBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "clinics:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "clinics:login"

AXES_FAILURE_LIMIT = _read("AXES_FAILURE_LIMIT", env.int, 5)
AXES_COOLOFF_TIME = timedelta(minutes=_read("AXES_COOLOFF_MINUTES", env.int, 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
# Our own lockout page: it says in words when to try again, and sends Retry-After.
AXES_LOCKOUT_CALLABLE = "apps.clinics.lockout.lockout_response"
AXES_ENABLED = _read("AXES_ENABLED", _strict_bool, True)
AXES_CLIENT_IP_CALLABLE = "apps.core.ratelimit.client_address"
# No access log of successful sign-ins: it stored each sign-in's path, and a patient's path is
# their personal link (``/p/<id>/<token>/``), which must never be stored (a copy of the database
# would then hold working links). Staff sign-ins are in the audit log; failures still count.
AXES_DISABLE_ACCESS_LOG = True

STAFF_SESSION_IDLE = timedelta(minutes=_read("STAFF_SESSION_IDLE_MINUTES", env.int, 30))
STAFF_SESSION_MAX_AGE = timedelta(hours=_read("STAFF_SESSION_MAX_HOURS", env.int, 12))
PATIENT_SESSION_DAYS = _read("PATIENT_SESSION_DAYS", env.int, 90)
# A personal link stops working this many days after it was issued (or last renewed), so a
# link left in an old email, a forwarded message or a lost handout does not work for ever.
# Read when a link is opened: changing it applies to links already issued.
PATIENT_LINK_DAYS = _read("PATIENT_LINK_DAYS", env.int, 180)
if PATIENT_LINK_DAYS < 1:
    raise ImproperlyConfigured("PATIENT_LINK_DAYS must be 1 or more")
PATIENT_LINK_MAX_FAILURES = 5
ONE_TIME_LINK_MINUTES = 15
# The patient's Today page is cached per patient and local day (apps/portal/today_cache.py)
# for this many seconds at most; 0 turns the cache off. TODAY_CACHE_VERIFY renders the page
# again on every hit and fails the request if the cached copy differs: on in the tests, so
# any test that opens Today after a write catches a writer that forgot to bump a version.
TODAY_CACHE_SECONDS = _read("TODAY_CACHE_SECONDS", env.int, 3600)
if TODAY_CACHE_SECONDS < 0:
    raise ImproperlyConfigured("TODAY_CACHE_SECONDS must be 0 (off) or more")
TODAY_CACHE_VERIFY = _read("TODAY_CACHE_VERIFY", _strict_bool, False)
SESSION_COOKIE_AGE = int(STAFF_SESSION_MAX_AGE.total_seconds())
SESSION_ENGINE = "apps.core.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
OTP_TOTP_ISSUER = "Clamshell"

# --- Security headers -----------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = _read("SECURE_COOKIES", _strict_bool, IS_PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = _read("SECURE_SSL_REDIRECT", _strict_bool, IS_PRODUCTION)
SECURE_HSTS_SECONDS = _read("SECURE_HSTS_SECONDS", env.int, 31536000 if IS_PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = IS_PRODUCTION
SECURE_HSTS_PRELOAD = IS_PRODUCTION
if _read("BEHIND_PROXY", _strict_bool, IS_PRODUCTION):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT_EXEMPT = [r"^healthz$"]
# How many reverse proxies in front of the app append to X-Forwarded-For. The client address
# (rate limits, lockouts, the audit log) is the entry that many places from the right; with 0
# the header is ignored, since a client reaching the app directly could write anything in it.
TRUSTED_PROXY_COUNT = _read("TRUSTED_PROXY_COUNT", env.int, 0)
if not 0 <= TRUSTED_PROXY_COUNT <= 10:
    raise ImproperlyConfigured(
        f"TRUSTED_PROXY_COUNT is invalid: {TRUSTED_PROXY_COUNT}; use 0 to 10 (proxies in front)"
    )

# --- REST API -------------------------------------------------------------------------------
_RATE_PATTERN = re.compile(r"^\d+/(s|sec|second|m|min|minute|h|hour|d|day)$")


def _rate(name: str, default: str) -> str:
    value = _read(name, env.str, default)
    if not _RATE_PATTERN.match(value):
        raise ImproperlyConfigured(f"{name} is invalid: {value!r}; use e.g. 600/min or 10000/day")
    return str(value)


REST_FRAMEWORK = {
    # Token first: its 401 challenge is what a client without credentials gets. Session auth
    # serves the browser and enforces CSRF on every unsafe method.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.clinics.tokens.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "apps.core.api_limits.LimitedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # JSON only: the browsable API needs inline script, which the CSP forbids.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "apps.core.api_defaults.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "apps.core.api_schema.AutoSchema",
    "EXCEPTION_HANDLER": "apps.core.api.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "apps.core.throttles.AnonRateThrottle",
        "apps.core.throttles.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": _rate("API_RATE_USER", "600/min"),
        "anon": _rate("API_RATE_ANON", "60/min"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# Bounds on an API request body (apps/core/api_limits.py), far above what the app's own
# clients send: the largest is a batch of 100 logged sets, each a dozen fields.
API_MAX_BODY_BYTES = 1024 * 1024
API_MAX_JSON_DEPTH = 32
API_MAX_JSON_ARRAY_LENGTH = 1000
SPECTACULAR_SETTINGS = {
    "TITLE": "Clamshell API",
    "DESCRIPTION": (
        "Hip strengthening programs, logs and adherence, scoped to your clinic. "
        "Authenticate with `Authorization: Bearer <token>` (tokens are made by a clinic admin "
        "and act as one staff member: a read-and-write token may do what that person may, a "
        "read-only one, the default, only GET, HEAD and OPTIONS (anything else is a 403); "
        "every token expires after the 30, 90 or 365 days chosen, then it is a 401) or, from the "
        "browser, with the session cookie and the CSRF token. Therapists and clinic admins "
        "read the logged sets and adherence of any patient of their clinic "
        "(`/api/v1/patients/{id}/logs/`, `/api/v1/patients/{id}/adherence/`); the clinic-wide "
        "adherence exports (`/api/v1/reports/jobs/`) are for clinic admins; a patient reads "
        "and logs their own sets under `/api/v1/me/`. "
        'Every 4xx answer is `{"message": ..., "errors": {field: [...]}}`.'
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # drf-spectacular's own hook first (it is the default this setting replaces).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "apps.portal.schema.mark_service_required",
    ],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # One name for the next-morning answers (hip and stiffness share the choices).
    "ENUM_NAME_OVERRIDES": {
        "ComparedEnum": "apps.programs.models.Compared",
        "MediaKindEnum": "apps.media.models.Kind",
        "PrecautionKindEnum": "apps.patients.models.PrecautionKind",
        "ReportKindEnum": "apps.reports.models.ReportKind",
        "TokenScopeEnum": "apps.clinics.models.TokenScope",
    },
    # The schema is public metadata; the operations themselves need credentials.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    # Swagger UI's files come from the app (drf-spectacular-sidecar, pinned), never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No deep links: with them Swagger UI draws each operation's path as a link inside the
    # row's expand button (a link in a button, which assistive technology cannot reach, and a
    # target 14 to 19 px tall). The rows still expand; only the URL no longer follows them.
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
}

# --- Internationalisation, time ------------------------------------------------------------
# Dates on pages and in PDF reports follow this locale ("3 Nov 2026" in en-gb, "Nov. 3, 2026"
# in en-us); CSV, Excel and the API keep ISO dates whatever it is.
LANGUAGE_CODE = _read("LANGUAGE_CODE", env.str, "en-gb").lower()
if LANGUAGE_CODE not in LANG_INFO:
    raise ImproperlyConfigured(f"LANGUAGE_CODE is invalid: {LANGUAGE_CODE!r} is not a locale")
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
DEFAULT_PATIENT_TIME_ZONE = _read("DEFAULT_PATIENT_TIME_ZONE", env.str, "Europe/London")
try:
    ZoneInfo(DEFAULT_PATIENT_TIME_ZONE)
except (ZoneInfoNotFoundError, ValueError) as exc:
    raise ImproperlyConfigured(
        f"DEFAULT_PATIENT_TIME_ZONE is invalid: {DEFAULT_PATIENT_TIME_ZONE!r}"
    ) from exc

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = _read("MEDIA_ROOT", env.str, str(VAR_DIR / "media"))

# --- Reports ------------------------------------------------------------------------------------
# A report over either limit is built by a Celery job; its file is kept this many hours.
REPORT_BACKGROUND_THRESHOLD = {
    "patients": _read("REPORT_BACKGROUND_PATIENTS", env.int, 500),
    "set_logs": _read("REPORT_BACKGROUND_SETS", env.int, 50_000),
}
REPORT_FILE_HOURS = _read("REPORT_FILE_HOURS", env.int, 24)
for _name, _value in (
    ("REPORT_BACKGROUND_PATIENTS", REPORT_BACKGROUND_THRESHOLD["patients"]),
    ("REPORT_BACKGROUND_SETS", REPORT_BACKGROUND_THRESHOLD["set_logs"]),
    ("REPORT_FILE_HOURS", REPORT_FILE_HOURS),
):
    if _value < 0:
        raise ImproperlyConfigured(f"{_name} is invalid: {_value!r}; use a whole number, 0 or more")
MEDIA_URL = "/media/"

# --- Clinic photos and videos (apps/media) ----------------------------------------------------
_MB = 1024 * 1024
# Refused while the upload streams in (apps/media/upload.py), before anything reaches storage.
MEDIA_PHOTO_MAX_BYTES = _read("MEDIA_PHOTO_MAX_MB", env.int, 10) * _MB
MEDIA_VIDEO_MAX_BYTES = _read("MEDIA_VIDEO_MAX_MB", env.int, 200) * _MB
# Everything one clinic keeps (every size of every photo, videos and their posters).
MEDIA_CLINIC_QUOTA_BYTES = _read("MEDIA_CLINIC_QUOTA_MB", env.int, 2048) * _MB
# A photo with more pixels is refused before it is decoded (a decompression bomb).
MEDIA_PHOTO_MAX_PIXELS = _read("MEDIA_PHOTO_MAX_MEGAPIXELS", env.int, 50) * 1_000_000
for _name, _value in (
    ("MEDIA_PHOTO_MAX_MB", MEDIA_PHOTO_MAX_BYTES),
    ("MEDIA_VIDEO_MAX_MB", MEDIA_VIDEO_MAX_BYTES),
    ("MEDIA_CLINIC_QUOTA_MB", MEDIA_CLINIC_QUOTA_BYTES),
    ("MEDIA_PHOTO_MAX_MEGAPIXELS", MEDIA_PHOTO_MAX_PIXELS),
):
    if _value <= 0:
        raise ImproperlyConfigured(f"{_name} is invalid: use a whole number above 0")
# ffmpeg draws a video's poster frame; without it a video has no poster (README, "Photos and
# videos"). An empty value turns posters off.
MEDIA_FFMPEG = _read("MEDIA_FFMPEG", env.str, "ffmpeg")
# How a file leaves the app: "" streams it from Python; "X-Accel-Redirect" (nginx) or
# "X-Sendfile" (Apache, lighttpd) hand it to the web server after the view has authorised it.
MEDIA_SERVE_HEADER = _read("MEDIA_SERVE_HEADER", env.str, "")
if MEDIA_SERVE_HEADER not in {"", "X-Accel-Redirect", "X-Sendfile"}:
    raise ImproperlyConfigured(
        f"MEDIA_SERVE_HEADER is invalid: {MEDIA_SERVE_HEADER!r}; use X-Accel-Redirect, "
        "X-Sendfile or nothing"
    )
# The internal location nginx maps onto MEDIA_ROOT (X-Accel-Redirect only).
MEDIA_ACCEL_PREFIX = (
    "/" + _read("MEDIA_ACCEL_PREFIX", env.str, "/protected-media/").strip("/") + "/"
)
# "filesystem" (MEDIA_ROOT) or "s3": any S3-compatible store through django-storages.
MEDIA_STORAGE = _read("MEDIA_STORAGE", env.str, "filesystem")
if MEDIA_STORAGE == "filesystem":
    _media_storage: dict[str, Any] = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
elif MEDIA_STORAGE == "s3":
    try:
        import storages  # noqa: F401
    except ImportError as exc:
        raise ImproperlyConfigured(
            "MEDIA_STORAGE=s3 needs django-storages: pip install 'django-storages[s3]'"
        ) from exc
    _media_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": _read("MEDIA_S3_BUCKET", env.str, ""),
            "endpoint_url": _read("MEDIA_S3_ENDPOINT_URL", env.str, "") or None,
            "region_name": _read("MEDIA_S3_REGION", env.str, "") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
    if not _media_storage["OPTIONS"]["bucket_name"]:
        raise ImproperlyConfigured("MEDIA_S3_BUCKET must be set when MEDIA_STORAGE=s3")
else:
    raise ImproperlyConfigured(f"MEDIA_STORAGE is invalid: {MEDIA_STORAGE!r}; use filesystem or s3")

STORAGES = {
    "default": _media_storage,
    "staticfiles": {
        # Whitenoise's hashed, compressed files, with the ES modules' imports rewritten.
        "BACKEND": "apps.core.static_storage.StaticFilesStorage"
        if IS_PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

LOG_LEVEL = _read("LOG_LEVEL", env.str, "INFO").upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ImproperlyConfigured(f"LOG_LEVEL is invalid: {LOG_LEVEL!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"axes": {"level": "WARNING"}},
}

for _folder in (VAR_DIR, STATIC_ROOT, *(BROKER_DIR / f for f in ("queue", "processed", "control"))):
    _folder.mkdir(parents=True, exist_ok=True)
