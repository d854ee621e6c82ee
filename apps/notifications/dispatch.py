"""Follow-up work for a set log, recorded through the outbox (``apps.core.outbox``).

Call these inside the transaction that saves the log: the outbox row commits with it, and is
published after commit. They never fail the request because of the broker.
"""

from __future__ import annotations

from apps.core import outbox

EVALUATE_LOG = "apps.notifications.tasks.evaluate_set_log"
EVALUATE_LOGS = "apps.notifications.tasks.evaluate_set_logs"


def enqueue_log_evaluation(log_id: int) -> None:
    """Have a worker evaluate a set log (progression prompt, pain alert) once it is committed."""
    outbox.enqueue(EVALUATE_LOG, [log_id])


def enqueue_logs_evaluation(log_ids: list[int]) -> None:
    """The batch endpoint's counterpart: one message for the batch, in the batch's order.
    Publishing to Redis cost about 0.6 ms a message, half of a 50-set request."""
    outbox.enqueue(EVALUATE_LOGS, [log_ids])
