"""Celery queues per kind of job come from settings, and each kind's queue name from the
environment."""

from __future__ import annotations

from config.celery import app
from tests.core.test_db_router import settings_of


def _queue(task: str) -> str:
    return app.amqp.router.route({}, task)["queue"].name


def test_each_kind_of_job_goes_to_its_own_queue_by_default():
    assert _queue("apps.notifications.tasks.reminders_dispatch") == "notifications"
    assert _queue("apps.reports.tasks.run_report_job") == "reports"
    assert _queue("apps.outcomes.tasks.sync_questionnaires") == "default"
    assert _queue("apps.core.tasks.sweep_outbox") == "default"
    assert {q.name for q in app.conf.task_queues} == {"default", "notifications", "reports"}


def test_an_operator_can_rename_or_merge_queues():
    routes = settings_of(
        "CELERY_TASK_ROUTES['apps.reports.*']['queue'], "
        "CELERY_TASK_ROUTES['apps.outcomes.*']['queue'], "
        "sorted(q.name for q in CELERY_TASK_QUEUES)",
        CELERY_REPORTS_QUEUE="exports",
        CELERY_OUTCOMES_QUEUE="notifications",
    )
    assert routes == "('exports', 'notifications', ['default', 'exports', 'notifications'])"
