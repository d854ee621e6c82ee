"""Set-log evaluations the outbox gave up on, done again from the database (beat).

A log's evaluation message is given up after ``outbox.MAX_ATTEMPTS`` failed takes (a fault
in the log's data or in the code, a worker killed each time) and no worker runs it again:
the log would raise no progression prompt and, worse, no pain alert, and nobody would be
told of a painful set. What is owed is in the database: a log's ``evaluated_at`` stays empty
until its evaluation commits. So each run evaluates again every such log among the messages
given up on (kept ``OUTBOX_KEEP_DEAD_DAYS``), exactly as the task would
(``set_log_evaluate``: one transaction, the log's row locked, a log evaluated meanwhile left
alone), and nothing is raised twice however often it runs or whatever runs beside it: one
prompt per stay at a level, one pain alert per patient and day, one email each (unique
constraints). Logs whose message is still pending are the outbox's, and left to it.

A log whose evaluation fails again has its pain acted on alone (``set_log_pain_evaluate``:
its day's prompts held back, its pain alert raised and emailed), is logged as an error for
the operator at every run, and is evaluated in full by the first run after the fault is
mended.
"""

from __future__ import annotations

import logging

from celery.exceptions import SoftTimeLimitExceeded

from apps.core import outbox
from apps.notifications.services import set_log_evaluate, set_log_pain_evaluate
from apps.programs.dispatch import EVALUATE_LOG, EVALUATE_LOGS
from apps.programs.models import SetLog

logger = logging.getLogger(__name__)


def given_up_log_ids() -> list[int]:
    """The logs still unevaluated whose evaluation message the outbox gave up on, in id
    order (the order they were saved)."""
    ids = {int(args[0]) for args in outbox.given_up(EVALUATE_LOG) if args}
    ids |= {int(log_id) for args in outbox.given_up(EVALUATE_LOGS) if args for log_id in args[0]}
    if not ids:
        return []
    unevaluated = SetLog.objects.filter(pk__in=ids, evaluated_at__isnull=True).order_by("pk")
    return list(unevaluated.values_list("pk", flat=True))


def evaluations_given_up_repair() -> list[int]:
    """Evaluate the logs of ``given_up_log_ids``, each in its own transaction; returns the
    ids of the staff emails created (send them after this returns). A log that fails again
    does not stop the others."""
    notifications: list[int] = []
    evaluated = 0
    for log_id in given_up_log_ids():
        try:
            notifications += set_log_evaluate(log_id=log_id)
            evaluated += 1
            continue
        except SoftTimeLimitExceeded:
            raise  # out of time: the next run goes on
        except Exception:
            logger.exception(
                "set log %s: its evaluation, given up by the outbox, failed again; "
                "its pain alert is raised on its own",
                log_id,
            )
        try:
            notifications += set_log_pain_evaluate(log_id=log_id)
        except SoftTimeLimitExceeded:
            raise
        except Exception:
            logger.exception("set log %s: could not raise its pain alert either", log_id)
    if evaluated:
        logger.warning("evaluated %s set log(s) the outbox had given up on", evaluated)
    return notifications
