"""Where committed set logs are handed on for evaluation (progression prompt, pain alert), and
schedule changes to the outcome measures that follow a program's dates.

Programs records set logs but sits below notifications, which evaluates them (and below
outcomes, which schedules questionnaires by a program's dates); so the work is
named by its task's dotted path and written to the outbox (``apps.core.outbox``) in the log's
own transaction: the row commits with the log and is published after commit, and the outbox
sweep republishes it if the broker was down. Nothing here imports notifications.
"""

from __future__ import annotations

from apps.core import outbox

EVALUATE_LOG = "apps.notifications.tasks.evaluate_set_log"
EVALUATE_LOGS = "apps.notifications.tasks.evaluate_set_logs"
PROGRAM_RESCHEDULED = "apps.outcomes.tasks.program_rescheduled"
PROGRAM_CONTINUED = "apps.outcomes.tasks.program_continued"


def enqueue_log_evaluation(log_id: int) -> None:
    """Have a worker evaluate a set log once it is committed; call inside its transaction."""
    outbox.enqueue(EVALUATE_LOG, [log_id])


def enqueue_logs_evaluation(log_ids: list[int]) -> None:
    """The batch endpoint's counterpart: one message for the batch, in the batch's order.
    Publishing to Redis cost about 0.6 ms a message, half of a 50-set request."""
    outbox.enqueue(EVALUATE_LOGS, [log_ids])


def enqueue_program_rescheduled(program_id: int) -> None:
    """The program's dates changed: its questionnaires follow them."""
    outbox.enqueue(PROGRAM_RESCHEDULED, [program_id])


def enqueue_program_continued(program_id: int, follow_on_id: int) -> None:
    """The program went on as a new version: its outcome measures move with it."""
    outbox.enqueue(PROGRAM_CONTINUED, [program_id, follow_on_id])
