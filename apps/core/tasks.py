"""The outbox sweep and purge, and the daily jobs' tick, run by beat; see ``apps.core.outbox``
and ``apps.core.daily``."""

from __future__ import annotations

import time

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

from apps.core.daily import daily_jobs_queue
from apps.core.outbox import outbox_purge, outbox_sweep

HEARTBEAT_KEY = "beat:heartbeat"


@shared_task(
    name="apps.core.tasks.sweep_outbox", ignore_result=True, soft_time_limit=50, time_limit=60
)
def sweep_outbox() -> int:
    # Beat's heartbeat: this task only runs when beat sent it and a worker took it, so its
    # last run says the whole chain is alive (``manage.py beat_alive``, the compose check).
    cache.set(HEARTBEAT_KEY, time.time(), timeout=None)
    return outbox_sweep(now=timezone.now())


@shared_task(
    name="apps.core.tasks.purge_outbox", ignore_result=True, soft_time_limit=240, time_limit=300
)
def purge_outbox() -> int:
    return outbox_purge(now=timezone.now())


@shared_task(
    name="apps.core.tasks.queue_daily_jobs", ignore_result=True, soft_time_limit=50, time_limit=60
)
def queue_daily_jobs() -> list[str]:
    # Named beside beat's schedule; core reads the Celery app's module only when it runs, as
    # ``outbox._send`` does.
    from config.celery import DAILY_JOBS

    return daily_jobs_queue(jobs=DAILY_JOBS, now=timezone.now())
