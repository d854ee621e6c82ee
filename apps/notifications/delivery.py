"""Exactly-once bookkeeping shared by staff emails and reminders.

A message row is committed as ``claimed`` before anything is sent. A worker takes rows with
one conditional UPDATE that stamps a fresh ``claim_token`` (``claimed`` -> ``sending``), so
of two workers, or a task and its retry, only one gets each row. After the channel accepted
the message the row goes ``sending`` -> ``sent``, again conditionally. A worker killed while
sending leaves ``sending`` behind: the sweep marks it failed rather than send it again,
because the channel may already have delivered it (at most once; the inbox keeps the record).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TypeAlias

from django.db.models import F

from apps.notifications.models import DeliveryStatus, Reminder, StaffNotification

Delivered: TypeAlias = type[StaffNotification] | type[Reminder]

MAX_ATTEMPTS = 4
# A row still ``sending`` after this long belongs to a worker that died mid-send.
STUCK_AFTER = timedelta(minutes=10)
# The task enqueued on commit normally takes a row at once; the sweep waits this long first.
SWEEP_GRACE = timedelta(minutes=1)
INTERRUPTED = "Interrupted while sending; not sent again so it cannot arrive twice."


def backoff(attempts: int) -> timedelta:
    """Wait before retry number ``attempts``: 1, 2, 4, 8 ... minutes."""
    return timedelta(minutes=2 ** max(attempts - 1, 0))


def claim(model: Delivered, ids: Iterable[int], *, now: datetime) -> uuid.UUID:
    """Take the rows among ``ids`` that are waiting and due; returns the token that marks them
    (select them with ``claim_token=token``). Rows taken by someone else are left alone."""
    token = uuid.uuid4()
    model.objects.filter(
        pk__in=list(ids), status=DeliveryStatus.CLAIMED, retry_after__lte=now
    ).update(
        status=DeliveryStatus.SENDING,
        claim_token=token,
        attempts=F("attempts") + 1,
        updated_at=now,
    )
    return token


def mark_sent(model: Delivered, pk: int, *, token: uuid.UUID, now: datetime) -> bool:
    return bool(
        model.objects.filter(pk=pk, claim_token=token, status=DeliveryStatus.SENDING).update(
            status=DeliveryStatus.SENT, sent_at=now, updated_at=now, error=""
        )
    )


def mark_sent_many(model: Delivered, pks: list[int], *, token: uuid.UUID, now: datetime) -> int:
    """``mark_sent`` for a whole batch in one UPDATE, still conditional on this claim."""
    return model.objects.filter(
        pk__in=pks, claim_token=token, status=DeliveryStatus.SENDING
    ).update(status=DeliveryStatus.SENT, sent_at=now, updated_at=now, error="")


def mark_failed(
    model: Delivered, pk: int, *, token: uuid.UUID, attempts: int, error: str, now: datetime
) -> bool:
    """Record a failed attempt: back to ``claimed`` with a later ``retry_after``, or
    ``failed`` for good after MAX_ATTEMPTS. Returns whether it will be retried."""
    retry = attempts < MAX_ATTEMPTS
    model.objects.filter(pk=pk, claim_token=token, status=DeliveryStatus.SENDING).update(
        status=DeliveryStatus.CLAIMED if retry else DeliveryStatus.FAILED,
        retry_after=now + backoff(attempts),
        error=error[:300],
        updated_at=now,
    )
    return retry


def due_for_retry(model: Delivered, *, now: datetime, limit: int) -> list[int]:
    """Ids of waiting rows nobody took in time (lost message, broker down, backoff over)."""
    ids = model.objects.filter(
        status=DeliveryStatus.CLAIMED, retry_after__lte=now - SWEEP_GRACE
    ).values_list("pk", flat=True)
    return list(ids.order_by("retry_after")[:limit])


def fail_stuck(model: Delivered, *, now: datetime) -> int:
    """Mark rows left ``sending`` by a dead worker as failed (see the module docstring)."""
    return model.objects.filter(
        status=DeliveryStatus.SENDING, updated_at__lt=now - STUCK_AFTER
    ).update(status=DeliveryStatus.FAILED, error=INTERRUPTED, updated_at=now)
