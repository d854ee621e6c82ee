"""Where committed set logs are handed on for evaluation (progression prompt, pain alert).

Programs records set logs but sits below notifications, which evaluates them; so programs
never imports notifications. Instead notifications plugs its dispatcher in when Django starts
(``NotificationsConfig.ready``) and the log services call the two functions below from
``transaction.on_commit``. Nothing depends on the hand-over: an unevaluated log keeps
``SetLog.evaluated_at`` NULL and the periodic sweep picks it up.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

logger = logging.getLogger(__name__)

_evaluate_one: Callable[[int], None] | None = None
_evaluate_many: Callable[[list[int]], None] | None = None


def connect(*, one: Callable[[int], None], many: Callable[[list[int]], None]) -> None:
    """Name who evaluates a committed log (``one``) and a committed batch (``many``)."""
    global _evaluate_one, _evaluate_many
    _evaluate_one, _evaluate_many = one, many


def enqueue_log_evaluation(log_id: int) -> None:
    if _evaluate_one is None:
        logger.warning("no set-log evaluator connected; the sweep will evaluate log %s", log_id)
        return
    _evaluate_one(log_id)


def enqueue_logs_evaluation(log_ids: list[int]) -> None:
    if _evaluate_many is None:
        logger.warning("no set-log evaluator connected; the sweep will evaluate %s", log_ids)
        return
    _evaluate_many(log_ids)
