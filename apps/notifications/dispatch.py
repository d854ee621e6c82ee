"""Follow-up work for a set log, and the sending of recorded staff emails, through the outbox
(``apps.core.outbox``).

The set log's functions live in ``apps.programs.dispatch`` (programs saves the logs and sits
below notifications); they are named here too for the callers above programs.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from apps.core import outbox
from apps.notifications import delivery
from apps.notifications.models import StaffNotification
from apps.programs.dispatch import (
    EVALUATE_LOG,
    EVALUATE_LOGS,
    enqueue_log_evaluation,
    enqueue_logs_evaluation,
)

SEND_ONE_TIME_LINKS = "apps.notifications.tasks.send_one_time_links"
DELIVER_NOTIFICATIONS = "apps.notifications.tasks.deliver_notifications"
# Each email is its own SMTP connection (``EmailChannel``), which a hanging mail server holds
# for up to EMAIL_TIMEOUT (20 s): two fit within the task's soft limit (50 s) even then. One
# more and the email being sent when the limit struck would be left "unknown", never resent.
EMAILS_PER_TASK = 2

__all__ = [
    "EVALUATE_LOG",
    "EVALUATE_LOGS",
    "enqueue_log_evaluation",
    "enqueue_logs_evaluation",
    "enqueue_notifications",
    "enqueue_one_time_links",
]


def enqueue_one_time_links(email: str, request_id: UUID) -> None:
    """Have a worker email one-time sign-in links to the patients with this address.

    Call it for every accepted request, known address or not, so the request's work and
    timing do not depend on the answer. The row carries the address: the worker needs it to
    look the patients up."""
    outbox.enqueue(SEND_ONE_TIME_LINKS, [email, str(request_id)])


def enqueue_notifications(notification_ids: Sequence[int], *, now: datetime) -> None:
    """Have workers send these recorded staff emails, ``EMAILS_PER_TASK`` a task; call it in
    the transaction that recorded them. They are reserved for their tasks (``delivery.
    reserve``, one token for all: each task takes only its own ids), so the sweep leaves them
    alone while the tasks wait in the queue. Two queries, however many emails."""
    ids = list(notification_ids)
    if not ids:
        return
    token = delivery.reserve(StaffNotification, ids, now=now, hold=outbox.requeue_after() * 2)
    batches = [
        ids[start : start + EMAILS_PER_TASK] for start in range(0, len(ids), EMAILS_PER_TASK)
    ]
    outbox.enqueue_many(DELIVER_NOTIFICATIONS, [[batch, str(token)] for batch in batches])
