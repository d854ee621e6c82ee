"""The outbox sweep, run by beat; see ``apps.core.outbox``."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from apps.core.outbox import outbox_sweep


@shared_task(
    name="apps.core.tasks.sweep_outbox", ignore_result=True, soft_time_limit=50, time_limit=60
)
def sweep_outbox() -> int:
    return outbox_sweep(now=timezone.now())
