"""``manage.py enqueue_unevaluated_logs``: queue, through the outbox, the evaluation of set
logs saved before the outbox existed and never evaluated.

Before the outbox a log's evaluation was a Celery message published after commit; a message
lost with the broker left the log unevaluated (``SetLog.evaluated_at`` empty) with nothing
that would ever queue it again, since the outbox sweep republishes only outbox rows. Run it
once after upgrading; running it again queues nothing more.

A log counts as queued while a pending outbox message names it (``evaluate_set_log`` with
its id, or ``evaluate_set_logs`` with it in the list); a log whose message is done or dead
but which is still unevaluated is queued again. Logs go out in batches, one message each, so
a large backlog does not become thousands of tasks ahead of a patient's new set.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from apps.core.models import OutboxMessage, OutboxStatus
from apps.programs.dispatch import EVALUATE_LOG, EVALUATE_LOGS, enqueue_logs_evaluation
from apps.programs.models import SetLog

BATCH = 100


def queued_log_ids() -> set[int]:
    """The logs a pending outbox message will evaluate."""
    ids: set[int] = set()
    messages = OutboxMessage.objects.filter(
        status=OutboxStatus.PENDING, task__in=[EVALUATE_LOG, EVALUATE_LOGS]
    ).values_list("task", "args")
    for task, args in messages.iterator():
        if not args:
            continue
        if task == EVALUATE_LOG:
            ids.add(int(args[0]))
        else:
            ids.update(int(log_id) for log_id in args[0])
    return ids


def unqueued_unevaluated_log_ids() -> list[int]:
    queued = queued_log_ids()
    unevaluated = SetLog.objects.filter(evaluated_at__isnull=True).order_by("pk")
    return [pk for pk in unevaluated.values_list("pk", flat=True) if pk not in queued]


def batches(ids: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


class Command(BaseCommand):
    help = (
        "Queue the evaluation of set logs that were never evaluated and are not in the outbox "
        "(logs saved before the outbox existed). Safe to run again: it queues nothing twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Count the logs; queue nothing.")
        parser.add_argument(
            "--batch-size", type=int, default=BATCH, help=f"Logs per message (default {BATCH})."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        ids = unqueued_unevaluated_log_ids()
        if options["dry_run"]:
            self.stdout.write(f"{len(ids)} unevaluated log(s) not yet queued; nothing queued.")
            return
        size = max(1, options["batch_size"])
        messages = 0
        for batch in batches(ids, size):
            with transaction.atomic():  # each batch with its message, published after commit
                enqueue_logs_evaluation(batch)
            messages += 1
        self.stdout.write(
            self.style.SUCCESS(f"Queued {len(ids)} unevaluated log(s) in {messages} message(s).")
        )
