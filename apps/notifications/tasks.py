"""Thin Celery tasks: take ids, call a service, safe to run twice."""

from celery import shared_task


@shared_task(acks_late=True, ignore_result=True)
def evaluate_set_log(log_id: int) -> None:
    """Evaluate one set log for a progression prompt and a pain alert (to be implemented)."""
