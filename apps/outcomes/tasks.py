"""Thin Celery tasks for outcome measures. Beat runs ``sync_questionnaires`` daily: it
extends each active program's questionnaires (open-ended programs are created a year ahead)
and follows changed program dates. Safe to run twice: the unique constraint on (program,
instrument, due day) means a second run creates nothing."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from apps.outcomes.services import plans_sync_all


@shared_task(
    name="apps.outcomes.tasks.sync_questionnaires",
    acks_late=True,
    ignore_result=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=5,
    max_retries=6,
    soft_time_limit=600,
    time_limit=660,
)
def sync_questionnaires() -> int:
    return plans_sync_all()
