"""The transactional outbox: background work recorded in the transaction that needs it; and
the days each daily job was queued.

See ``apps.core.outbox`` for how rows are written, published, claimed and swept, and
``apps.core.daily`` for the daily jobs.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import Q


class OutboxStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DONE = "done", "Done"
    DEAD = "dead", "Gave up"


class OutboxMessage(models.Model):
    """One task to run: its Celery name and JSON arguments.

    ``available_at`` is when the sweep may publish it (again): set a little ahead when the
    row is written (the publish after commit normally delivers it), pushed past the lease when
    a worker takes it, and back to "now" when a publish fails. ``leased_until`` is the
    running worker's lease; a worker that dies leaves it to expire.
    """

    task = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    # Optional: at most one pending message per key ("evaluate-log:12"), so a sweep that
    # finds the same work twice queues it once.
    key = models.CharField(max_length=200, blank=True, default="")
    status = models.CharField(
        max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    created_at = models.DateTimeField()
    available_at = models.DateTimeField()
    leased_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    published = models.PositiveIntegerField(default=0)
    # When the message ended: done, or given up (dead). The purge counts its days from it.
    done_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        indexes: ClassVar[list[models.Index]] = [
            models.Index(
                fields=["available_at"],
                condition=Q(status="pending"),
                name="outbox_due",
            ),
            models.Index(fields=["done_at"], condition=Q(status="done"), name="outbox_done"),
            models.Index(fields=["done_at"], condition=Q(status="dead"), name="outbox_dead"),
        ]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["key"],
                condition=Q(status="pending") & ~Q(key=""),
                name="outbox_one_pending_per_key",
            ),
        ]

    def __str__(self) -> str:
        # Never the arguments: they can be personal data (the address a one-time sign-in link
        # is asked for), and this is what log lines show.
        return f"outbox message {self.pk} ({self.task}, {self.status})"


class DailyRun(models.Model):
    """A daily job's run for one UTC day, recorded in the transaction that queued it through
    the outbox (``apps.core.daily``): at most one per job and day. Whether it is done is its
    outbox message's state (key ``daily:<job>:<day>``)."""

    job = models.CharField(max_length=100)
    day = models.DateField()
    queued_at = models.DateTimeField()

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["job", "day"], name="daily_run_once_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.job} {self.day.isoformat()}"
