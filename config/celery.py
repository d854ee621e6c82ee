"""The Celery app. Queues are split by kind so a big export never delays a reminder."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# Every task runs through the outbox's base class: a message published by the outbox is run
# only by the worker that takes its row (apps/core/outbox.py).
app = Celery("clamshell", task_cls="apps.core.outbox:OutboxTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
# The queues and routes are settings (CELERY_TASK_QUEUES, CELERY_TASK_ROUTES: one queue
# name per kind of job, from the environment), read lazily through config_from_object.
# Every job is idempotent through database constraints, so a second beat (or a late
# message) finds nothing to do; ``expires`` drops a message that waited past its minute.
app.conf.beat_schedule = {
    "reminders-dispatch": {
        "task": "apps.notifications.tasks.reminders_dispatch",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "outbox-sweep": {
        "task": "apps.core.tasks.sweep_outbox",
        "schedule": 30.0,
        "options": {"expires": 25},
    },
    "notifications-sweep": {
        "task": "apps.notifications.tasks.sweep_notifications",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "outbox-purge": {
        "task": "apps.core.tasks.purge_outbox",
        "schedule": 900.0,
        "options": {"expires": 840},
    },
    # The daily jobs (DAILY_JOBS below): each minute's tick queues, through the outbox, those
    # not yet queued this UTC day, so a tick missed (Redis down) delays them by a minute.
    "daily-jobs": {
        "task": "apps.core.tasks.queue_daily_jobs",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # A set log whose evaluation the outbox gave up on is evaluated again from the database
    # (its pain alert raised, once); apps/notifications/given_up.py.
    "evaluations-repair": {
        "task": "apps.notifications.tasks.repair_given_up_evaluations",
        "schedule": 900.0,
        "options": {"expires": 840},
    },
    "purge-expired-reports": {
        "task": "apps.reports.tasks.purge_expired_reports",
        "schedule": 3600.0,
        "options": {"expires": 3000},
    },
}
# Jobs run once per UTC day, from its first minute (apps/core/daily.py), each recorded in
# core_dailyrun with its day. Each is safe to run twice and does all that is due when it runs:
# - prompts-close-stale: a prompt whose program's end date passed (in the patient's time
#   zone) waits at most a day to close; a second run closes nothing twice.
# - outcomes-sync-questionnaires: extends each active program's questionnaires; the unique
#   (program, instrument, due day) makes a second run create nothing.
# - reminders-record-missed: a reminder no dispatch claimed before the patient's local
#   midnight (the dispatch down across it) is recorded as skipped, too late; the unique
#   (patient, day) makes a second run record nothing.
# - tokens-warn-expiring: emails a clinic's admins 14 and 3 days before an API token expires;
#   the unique (token, threshold) makes a second run warn nobody twice.
DAILY_JOBS = {
    "prompts-close-stale": "apps.programs.tasks.close_stale_prompts",
    "reminders-record-missed": "apps.notifications.tasks.record_missed_reminders",
    "outcomes-sync-questionnaires": "apps.outcomes.tasks.sync_questionnaires",
    "tokens-warn-expiring": "apps.notifications.tasks.warn_expiring_tokens",
}
app.autodiscover_tasks()
