"""Every task of the project has time limits, and the tasks declared with ``database_task``
are acknowledged late and retried when the database is briefly away (apps/core/task_options.py)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import InterfaceError, OperationalError

from config.celery import app

DATABASE_TASKS = [
    "apps.notifications.tasks.evaluate_set_log",
    "apps.notifications.tasks.deliver_notification",
    "apps.notifications.tasks.deliver_notifications",
    "apps.notifications.tasks.reminders_dispatch",
    "apps.notifications.tasks.repair_given_up_evaluations",
    "apps.notifications.tasks.send_reminders",
    "apps.notifications.tasks.warn_expiring_tokens",
    "apps.outcomes.tasks.sync_questionnaires",
    "apps.outcomes.tasks.program_rescheduled",
    "apps.programs.tasks.close_stale_prompts",
]


def _project_tasks() -> dict[str, Any]:
    app.loader.import_default_modules()
    return {name: task for name, task in app.tasks.items() if name.startswith("apps.")}


def test_every_project_task_has_a_soft_and_a_hard_time_limit():
    tasks = _project_tasks()

    assert len(tasks) >= len(DATABASE_TASKS)
    limits = {name: (task.soft_time_limit, task.time_limit) for name, task in tasks.items()}
    assert [
        name for name, (soft, hard) in limits.items() if not 0 < (soft or 0) < (hard or 0)
    ] == []


@pytest.mark.parametrize("name", DATABASE_TASKS)
def test_database_tasks_are_acknowledged_late_and_retried_when_the_database_is_away(name):
    task = _project_tasks()[name]

    assert (task.acks_late, task.ignore_result) == (True, True)
    assert set(task.autoretry_for) == {OperationalError, InterfaceError}
    assert (task.retry_backoff, task.max_retries) == (5, 6)
