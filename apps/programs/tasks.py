"""Thin Celery tasks for programs. Beat runs ``close_stale_prompts`` daily (config/celery.py):
it closes the progression prompts nobody can act on any more (``stale_prompts``). Safe to
run twice: a second run finds nothing open to close."""

from __future__ import annotations

from apps.core.task_options import database_task
from apps.programs.stale_prompts import prompts_close_stale


@database_task(name="apps.programs.tasks.close_stale_prompts", soft_time_limit=600, time_limit=660)
def close_stale_prompts() -> int:
    return prompts_close_stale()
