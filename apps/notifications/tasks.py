"""Thin Celery tasks: take ids, call a service, safe to run twice.

Every task acknowledges late (a worker killed mid-task leaves the message to be redelivered),
has time limits, and retries database hiccups with exponential backoff. Idempotency comes
from the database (unique rows, conditional UPDATEs), never from the task having run once.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from uuid import UUID

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from apps.notifications.dispatch import enqueue
from apps.notifications.reminders import SEND_BATCH, reminders_claim_due, reminders_send
from apps.notifications.services import notification_deliver, set_log_evaluate, set_logs_evaluate
from apps.notifications.sweep import outbox_sweep
from apps.patients.auth import one_time_links_send

logger = logging.getLogger(__name__)

TASK_OPTIONS: dict[str, Any] = {
    "acks_late": True,
    "ignore_result": True,
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": 5,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 6,
    "soft_time_limit": 50,
    "time_limit": 60,
}


def _when(now: str | None) -> datetime:
    """An explicit ISO ``now`` (tests, replays) or the current time."""
    parsed = parse_datetime(now) if now else None
    if now and (parsed is None or parsed.tzinfo is None):
        raise ValueError(f"now must be an ISO datetime with a time zone, not {now!r}")
    return parsed or timezone.now()


@shared_task(**TASK_OPTIONS)
def evaluate_set_log(log_id: int) -> None:
    """Evaluate one set log for a progression prompt and a pain alert, then email."""
    for notification_id in set_log_evaluate(log_id=log_id):
        notification_deliver(notification_id=notification_id)


@shared_task(**TASK_OPTIONS)
def evaluate_set_logs(log_ids: list[int]) -> None:
    """Evaluate a batch of set logs (the phone's offline queue) as ``evaluate_set_log`` does
    each, then email."""
    for notification_id in set_logs_evaluate(log_ids=log_ids):
        notification_deliver(notification_id=notification_id)


@shared_task(**TASK_OPTIONS)
def deliver_notification(notification_id: int) -> None:
    notification_deliver(notification_id=notification_id)


@shared_task(**TASK_OPTIONS)
def reminders_dispatch(now: str | None = None) -> int:
    """Every minute (beat): claim due reminders and fan the sending out in batches."""
    batches = reminders_claim_due(now=_when(now))
    for batch in batches:
        enqueue(send_reminders, batch, now)
    return sum(len(batch) for batch in batches)


@shared_task(**TASK_OPTIONS)
def send_reminders(reminder_ids: list[int], now: str | None = None) -> dict[str, int]:
    return reminders_send(reminder_ids=reminder_ids, now=_when(now))


@shared_task(**TASK_OPTIONS)
def send_one_time_links(email: str, request_id: str) -> int:
    """Email one-time sign-in links for one request; safe to run twice (one link per
    patient and request)."""
    return one_time_links_send(email=email, request_id=UUID(request_id))


@shared_task(**TASK_OPTIONS)
def sweep_outbox() -> None:
    """Every minute (beat): re-enqueue what was missed; see ``apps.notifications.sweep``."""
    result = outbox_sweep(now=timezone.now())
    for log_id in result.log_ids:
        enqueue(evaluate_set_log, log_id)
    for notification_id in result.notification_ids:
        enqueue(deliver_notification, notification_id)
    for start in range(0, len(result.reminder_ids), SEND_BATCH):
        enqueue(send_reminders, result.reminder_ids[start : start + SEND_BATCH])
    if result.failed_stuck:
        logger.warning("%s message(s) were interrupted while sending", result.failed_stuck)
