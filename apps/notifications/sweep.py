"""The outbox safety net: find work whose message was lost (broker down, worker killed)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from apps.notifications import delivery
from apps.notifications.models import Reminder, StaffNotification
from apps.programs.models import SetLog

# The on-commit message normally gets a log evaluated within seconds; wait this long first.
LOG_GRACE = timedelta(minutes=1)
SWEEP_LIMIT = 1000


@dataclass
class SweepResult:
    log_ids: list[int]
    notification_ids: list[int]
    reminder_ids: list[int]
    failed_stuck: int


def unevaluated_log_ids(*, now: datetime, limit: int = SWEEP_LIMIT) -> list[int]:
    """Logs committed more than LOG_GRACE ago that nobody evaluated, oldest first."""
    logs = SetLog.objects.filter(evaluated_at__isnull=True, logged_at__lt=now - LOG_GRACE)
    return list(logs.order_by("logged_at").values_list("pk", flat=True)[:limit])


def outbox_sweep(*, now: datetime) -> SweepResult:
    """What to enqueue again; rows left ``sending`` by a dead worker are marked failed."""
    stuck = delivery.fail_stuck(StaffNotification, now=now) + delivery.fail_stuck(Reminder, now=now)
    return SweepResult(
        log_ids=unevaluated_log_ids(now=now),
        notification_ids=delivery.due_for_retry(StaffNotification, now=now, limit=SWEEP_LIMIT),
        reminder_ids=delivery.due_for_retry(Reminder, now=now, limit=SWEEP_LIMIT),
        failed_stuck=stuck,
    )
