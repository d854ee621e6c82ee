"""The notifications' safety net: messages whose task was lost, failed or never sent.

The outbox (``apps.core.outbox``) already republishes every task that was not done; this
sweep covers what only this app can see: a staff email or reminder whose send failed and
waits for its retry (backoff), and one left ``sending`` by a worker that died (``unknown``).
Each row it queues is reserved first, so the next sweep does not queue it again.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from apps.core import outbox
from apps.notifications import delivery
from apps.notifications.models import Reminder, StaffNotification

SWEEP_LIMIT = 1000


@dataclass
class SweepResult:
    # Staff emails due again, not yet reserved: ``enqueue_notifications`` reserves and queues
    # them as it does every recorded email.
    notifications: list[int] = field(default_factory=list)
    reminders: list[tuple[list[int], uuid.UUID]] = field(default_factory=list)
    unknown: int = 0


def _hold() -> timedelta:
    """How long a queued row is left to its task before the sweep may queue it again."""
    return outbox.requeue_after() * 2


def notifications_sweep(*, now: datetime, batch: int) -> SweepResult:
    """Reserve the reminders due again, in batches of ``batch``, and list the staff emails
    due again; rows left ``sending`` by a dead worker become ``unknown``."""
    result = SweepResult()
    result.unknown = delivery.mark_unknown_stuck(
        StaffNotification, now=now
    ) + delivery.mark_unknown_stuck(Reminder, now=now)
    result.notifications = delivery.due_for_retry(StaffNotification, now=now, limit=SWEEP_LIMIT)
    due = delivery.due_for_retry(Reminder, now=now, limit=SWEEP_LIMIT)
    for start in range(0, len(due), batch):
        ids = due[start : start + batch]
        result.reminders.append((ids, delivery.reserve(Reminder, ids, now=now, hold=_hold())))
    return result
