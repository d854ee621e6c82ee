"""The Celery app. Queues are split by kind so a big export never delays a reminder."""

import os

from celery import Celery
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("clamshell")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_queues = (Queue("default"), Queue("notifications"), Queue("reports"))
app.conf.task_routes = {
    "apps.notifications.*": {"queue": "notifications"},
    "apps.reports.*": {"queue": "reports"},
}
app.conf.beat_schedule = {}
app.autodiscover_tasks()
