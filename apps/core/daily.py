"""Daily jobs: each runs once per UTC day, whenever beat first gets through that day.

Beat's own daily entries (``schedule: 86400``) were sent once a day at a moment fixed by
beat's start: a send that failed (Redis down at that minute, beat restarting) skipped the
job for a whole day, and a beat restarted every few hours never reached it. Instead beat
sends one tick a minute (``daily-jobs``), and the tick queues each daily job whose day is
not yet recorded: a ``DailyRun`` row (unique per job and day) and the job's outbox message,
in one transaction. So a tick that is missed delays the day's run to the next tick that gets
through, the outbox takes the message to a worker however long the broker is away (and
retries it if the job fails), and any number of ticks, or two beats at once, queue each
job once a day (the unique row; a second tick waits for the first one's commit, then finds
the day taken). The jobs themselves stay safe to run twice, as every task is.

The jobs are named in ``config/celery.py`` (``DAILY_JOBS``), next to beat's schedule; task
names are strings, so ``core`` imports no app.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from django.db import transaction

from apps.core import outbox
from apps.core.models import DailyRun


def daily_jobs_queue(*, jobs: Mapping[str, str], now: datetime) -> list[str]:
    """Queue each of ``jobs`` (name: task) not yet queued on ``now``'s UTC day; returns the
    names queued. Safe to call at any moment, as often as wanted."""
    day = now.astimezone(UTC).date()
    recorded = set(
        DailyRun.objects.filter(day=day, job__in=list(jobs)).values_list("job", flat=True)
    )
    queued = []
    for name, task in jobs.items():
        if name in recorded:
            continue
        with transaction.atomic():
            _, created = DailyRun.objects.get_or_create(
                job=name, day=day, defaults={"queued_at": now}
            )
            if created:
                outbox.enqueue(task, key=f"daily:{name}:{day.isoformat()}")
                queued.append(name)
    return queued
