"""Thin Celery tasks for outcome measures. Beat runs ``sync_questionnaires`` daily: it
extends each active program's questionnaires (open-ended programs are created a year ahead)
and follows changed program dates, an archived patient's excepted (until they are restored).
Safe to run twice: the unique constraint on (program, instrument, due day) means a second run
creates nothing.

The programs app, below this one, names the other two tasks through the outbox when a
program's schedule changes: ``program_rescheduled`` when its dates changed,
``program_continued`` when it went on as a new version (apps/programs/dispatch.py)."""

from __future__ import annotations

from apps.core.task_options import database_task
from apps.outcomes.services import plans_follow, plans_sync_all, program_resync


@database_task(name="apps.outcomes.tasks.sync_questionnaires", soft_time_limit=600, time_limit=660)
def sync_questionnaires() -> int:
    return plans_sync_all()


@database_task(name="apps.outcomes.tasks.program_rescheduled", soft_time_limit=60, time_limit=90)
def program_rescheduled(program_id: int) -> int:
    return program_resync(program_id=program_id)


@database_task(name="apps.outcomes.tasks.program_continued", soft_time_limit=60, time_limit=90)
def program_continued(program_id: int, follow_on_id: int) -> int:
    return plans_follow(program_id=program_id, follow_on_id=follow_on_id)
