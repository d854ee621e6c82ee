"""Follow-up work for a set log, recorded through the outbox (``apps.core.outbox``).

The functions live in ``apps.programs.dispatch`` (programs saves the logs and sits below
notifications); they are named here too for the callers above programs.
"""

from __future__ import annotations

from uuid import UUID

from apps.core import outbox
from apps.programs.dispatch import (
    EVALUATE_LOG,
    EVALUATE_LOGS,
    enqueue_log_evaluation,
    enqueue_logs_evaluation,
)

SEND_ONE_TIME_LINKS = "apps.notifications.tasks.send_one_time_links"

__all__ = [
    "EVALUATE_LOG",
    "EVALUATE_LOGS",
    "enqueue_log_evaluation",
    "enqueue_logs_evaluation",
    "enqueue_one_time_links",
]


def enqueue_one_time_links(email: str, request_id: UUID) -> None:
    """Have a worker email one-time sign-in links to the patients with this address.

    Call it for every accepted request, known address or not, so the request's work and
    timing do not depend on the answer. The row carries the address: the worker needs it to
    look the patients up."""
    outbox.enqueue(SEND_ONE_TIME_LINKS, [email, str(request_id)])
