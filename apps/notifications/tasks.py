"""Thin Celery tasks: take ids, call a service, safe to run twice.

Every task is enqueued through the outbox (``apps.core.outbox``), acknowledges late (a worker
killed mid-task leaves the message to be redelivered), has time limits, and retries
database hiccups with exponential backoff. Idempotency comes from the database (unique rows,
conditional UPDATEs), never from the task having run once.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import Any
from uuid import UUID

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from apps.core import outbox
from apps.core.task_options import database_task
from apps.notifications import delivery
from apps.notifications.dispatch import enqueue_notifications
from apps.notifications.given_up import evaluations_given_up_repair
from apps.notifications.models import Reminder
from apps.notifications.reminders import (
    SEND_BATCH,
    reminders_claim_in_batches,
    reminders_record_missed,
    reminders_send,
)
from apps.notifications.services import notification_deliver, set_log_evaluate, set_logs_evaluate
from apps.notifications.sweep import notifications_sweep
from apps.notifications.token_expiry import token_expiry_warnings_raise
from apps.patients.auth import one_time_links_send

logger = logging.getLogger(__name__)

SEND_REMINDERS = "apps.notifications.tasks.send_reminders"

# Emails and reminders are retried sooner than the default's longest wait: they are due now.
TASK_OPTIONS: dict[str, Any] = {
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "soft_time_limit": 50,
    "time_limit": 60,
}


def _when(now: str | None) -> datetime:
    """An explicit ISO ``now`` (tests, replays) or the current time."""
    parsed = parse_datetime(now) if now else None
    if now and (parsed is None or parsed.tzinfo is None):
        raise ValueError(f"now must be an ISO datetime with a time zone, not {now!r}")
    return parsed or timezone.now()


def _token(value: str | None) -> uuid.UUID | None:
    return uuid.UUID(value) if value else None


@database_task(**TASK_OPTIONS)
def evaluate_set_log(log_id: int) -> None:
    """Evaluate one set log for a progression prompt and a pain alert, then email."""
    for notification_id in set_log_evaluate(log_id=log_id):
        notification_deliver(notification_id=notification_id)


@database_task(**TASK_OPTIONS)
def evaluate_set_logs(log_ids: list[int]) -> None:
    """Evaluate a batch of set logs (the phone's offline queue) as ``evaluate_set_log`` does
    each, then email."""
    for notification_id in set_logs_evaluate(log_ids=log_ids):
        notification_deliver(notification_id=notification_id)


@database_task(soft_time_limit=240, time_limit=300)
def repair_given_up_evaluations() -> int:
    """Every 15 minutes (beat): evaluate the set logs whose evaluation the outbox gave up on
    (``apps.notifications.given_up``), then queue the emails they raised. Returns how many
    emails."""
    notifications = evaluations_given_up_repair()
    with transaction.atomic():
        enqueue_notifications(notifications, now=timezone.now())
    return len(notifications)


@database_task(**TASK_OPTIONS)
def deliver_notification(notification_id: int, token: str | None = None) -> None:
    """Kept only for outbox rows and queued messages written by releases before
    ``deliver_notifications`` sent every staff email: nothing enqueues it any more. Remove it
    once no such row can be left (a release later)."""
    notification_deliver(notification_id=notification_id, token=_token(token))


@database_task(**TASK_OPTIONS)
def deliver_notifications(notification_ids: list[int], token: str | None = None) -> None:
    """Send a batch of recorded staff emails reserved under ``token``
    (``enqueue_notifications``)."""
    for notification_id in notification_ids:
        notification_deliver(notification_id=notification_id, token=_token(token))


@database_task(soft_time_limit=240, time_limit=300)
def warn_expiring_tokens(now: str | None = None) -> int:
    """Daily: email the clinics' admins about API tokens that expire soon (14 and 3 days
    before, once each); the emails go out through ``deliver_notifications``. Returns how many
    emails were recorded."""
    return len(token_expiry_warnings_raise(now=_when(now)))


@database_task(**TASK_OPTIONS)
def reminders_dispatch(now: str | None = None) -> int:
    """Every minute (beat): claim due reminders and fan the sending out in batches, each
    reserved for its task so the sweep leaves it alone while it waits in the queue. Each
    batch is queued as soon as it is claimed: other workers send the first ones while this
    one claims the rest."""
    at = _when(now)
    hold = outbox.requeue_after() * 2
    claimed = 0
    for batch in reminders_claim_in_batches(now=at):
        with transaction.atomic():
            token = delivery.reserve(Reminder, batch, now=at, hold=hold)
            outbox.enqueue(SEND_REMINDERS, [batch, now, str(token)])
        claimed += len(batch)
    return claimed


@database_task(**TASK_OPTIONS)
def send_reminders(
    reminder_ids: list[int], now: str | None = None, token: str | None = None
) -> dict[str, int]:
    return reminders_send(reminder_ids=reminder_ids, now=_when(now), token=_token(token))


@database_task(soft_time_limit=240, time_limit=300)
def record_missed_reminders(now: str | None = None) -> dict[str, int]:
    """Daily: record as skipped the reminders of finished days that no dispatch claimed."""
    return reminders_record_missed(now=_when(now))


@database_task(**TASK_OPTIONS)
def sweep_notifications(now: str | None = None) -> None:
    """Every minute (beat): queue again the emails and reminders due for a retry; mark those
    a dead worker was sending ``unknown``. See ``apps.notifications.sweep``."""
    with transaction.atomic():
        at = _when(now)
        result = notifications_sweep(now=at, batch=SEND_BATCH)
        enqueue_notifications(result.notifications, now=at)
        for ids, token in result.reminders:
            outbox.enqueue(SEND_REMINDERS, [ids, now, str(token)])
    if result.unknown:
        logger.warning("%s message(s) were interrupted while sending: unknown", result.unknown)


@database_task(**TASK_OPTIONS)
def send_one_time_links(email: str, request_id: str) -> int:
    """Email one-time sign-in links for one request; safe to run twice (one link per
    patient and request)."""
    return one_time_links_send(email=email, request_id=UUID(request_id))
