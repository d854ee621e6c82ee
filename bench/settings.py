"""Settings of the processes ``make bench`` starts (gunicorn, the Celery worker).

Production-like (DEBUG off, no debug toolbar), plus what only a benchmark needs: the timing
middleware outermost, a URLconf with the bare floor view, and an email backend that only
counts. Nothing here is imported by the app itself.
"""

from config.settings import *  # noqa: F403
from config.settings import MIDDLEWARE

DEBUG = False
ROOT_URLCONF = "bench.urls"
MIDDLEWARE = ["bench.middleware.ServerTiming", *MIDDLEWARE]
EMAIL_BACKEND = "bench.mail.CountingBackend"
# The load comes from one loopback address: rate limits would measure the limiter.
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}  # noqa: F405
AXES_ENABLED = False
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
