"""Follow-up work for a set log, recorded through the outbox (``apps.core.outbox``).

The functions live in ``apps.programs.dispatch`` (programs saves the logs and sits below
notifications); they are named here too for the callers above programs.
"""

from __future__ import annotations

from apps.programs.dispatch import (
    EVALUATE_LOG,
    EVALUATE_LOGS,
    enqueue_log_evaluation,
    enqueue_logs_evaluation,
)

__all__ = ["EVALUATE_LOG", "EVALUATE_LOGS", "enqueue_log_evaluation", "enqueue_logs_evaluation"]
