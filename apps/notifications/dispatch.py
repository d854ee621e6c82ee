"""Hand follow-up work to Celery without ever failing the request that caused it."""

import logging

logger = logging.getLogger(__name__)


def enqueue_log_evaluation(log_id: int) -> None:
    """Ask a worker to evaluate a committed set log (progression prompt, pain alert).

    Call it from ``transaction.on_commit``. It never raises: when the broker is down the log
    stays unevaluated (``SetLog.evaluated_at`` is NULL) and the periodic sweep picks it up
    once the broker is back, so nothing relies on this message having been sent.
    """
    from apps.notifications.tasks import evaluate_set_log

    try:
        evaluate_set_log.delay(log_id)
    except Exception:
        logger.warning("could not enqueue evaluation of set log %s; the sweep will", log_id)
