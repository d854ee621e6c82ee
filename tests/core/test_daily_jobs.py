"""Daily jobs run once per UTC day, at the first minute beat's tick gets through: a tick
missed (Redis down, beat restarting) delays the day's run by a minute, never by a day, and
any number of later ticks run nothing twice."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.test import TestCase
from django.utils import timezone

from apps.core import outbox
from apps.core.models import DailyRun, OutboxMessage, OutboxStatus
from apps.core.tasks import queue_daily_jobs
from apps.patients.models import Patient
from apps.programs.models import ProgressionPrompt, PromptStatus
from apps.programs.tasks import close_stale_prompts
from config.celery import DAILY_JOBS
from config.celery import app as celery_app
from tests.conftest import celery_conf
from tests.factories import PatientFactory
from tests.notifications.conftest import make_prompt

pytestmark = pytest.mark.django_db

UTC = ZoneInfo("UTC")
DAY = date(2026, 3, 10)


@pytest.fixture
def eager():
    with celery_conf(task_always_eager=True):
        yield


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def tick(when: datetime) -> None:
    """Beat's minute tick at ``when``, the jobs it queues run inline on commit."""
    with time_machine.travel(when, tick=False), TestCase.captureOnCommitCallbacks(execute=True):
        queue_daily_jobs()


def stale_prompt() -> ProgressionPrompt:
    """A prompt nobody can act on (its patient archived): the daily job closes it."""
    prompt = make_prompt(PatientFactory())
    Patient.objects.filter(pk=prompt.patient_id).update(archived_at=timezone.now())
    return prompt


def status(prompt: ProgressionPrompt) -> str:
    prompt.refresh_from_db()
    return prompt.status


def runs(task: str) -> int:
    return OutboxMessage.objects.filter(task=task).count()


def test_a_day_whose_tick_was_missed_runs_its_jobs_at_the_next_tick_once(eager):
    with time_machine.travel(at(DAY, 0), tick=False):
        first = stale_prompt()
    # 00:00 to 00:06: no tick got through (Redis was down).

    tick(at(DAY, 0, 7))

    assert status(first) == PromptStatus.WITHDRAWN
    assert runs(close_stale_prompts.name) == 1
    with time_machine.travel(at(DAY, 1), tick=False):
        second = stale_prompt()
    for later in (at(DAY, 0, 8), at(DAY, 12), at(DAY, 23, 59)):
        tick(later)
    # The day's run is done: the job ran once, and what came after waits for tomorrow.
    assert runs(close_stale_prompts.name) == 1
    assert status(second) == PromptStatus.PENDING
    assert set(DailyRun.objects.values_list("job", "day")) == {(job, DAY) for job in DAILY_JOBS}

    tick(at(DAY + timedelta(days=1), 0, 3))
    tick(at(DAY + timedelta(days=1), 0, 4))

    assert status(second) == PromptStatus.WITHDRAWN
    assert runs(close_stale_prompts.name) == 2
    for task in DAILY_JOBS.values():
        assert OutboxMessage.objects.filter(task=task, status=OutboxStatus.DONE).count() == 2


def test_a_tick_while_the_broker_is_down_leaves_the_days_jobs_to_the_outbox_sweep():
    prompt = stale_prompt()
    down = mock.patch.object(celery_app, "send_task", side_effect=ConnectionError("no Redis"))
    with down, TestCase.captureOnCommitCallbacks(execute=True):
        queue_daily_jobs()
    assert status(prompt) == PromptStatus.PENDING
    assert runs(close_stale_prompts.name) == 1

    with TestCase.captureOnCommitCallbacks(execute=True):
        queue_daily_jobs()  # the next minute: recorded already, nothing queued again
    with celery_conf(task_always_eager=True):
        outbox.outbox_sweep(now=timezone.now())  # Redis is back

    assert status(prompt) == PromptStatus.WITHDRAWN
    assert runs(close_stale_prompts.name) == 1


def test_a_day_is_recorded_once_per_job():
    DailyRun.objects.create(job="prompts-close-stale", day=DAY, queued_at=timezone.now())

    with pytest.raises(IntegrityError), transaction.atomic():
        DailyRun.objects.create(job="prompts-close-stale", day=DAY, queued_at=timezone.now())


def test_beat_ticks_every_minute_and_no_job_waits_a_day_for_its_turn():
    schedule = celery_app.conf.beat_schedule
    (entry,) = [e for e in schedule.values() if e["task"] == queue_daily_jobs.name]

    assert entry["schedule"] <= 60
    assert [name for name, e in schedule.items() if e["schedule"] > 3600] == []
    celery_app.loader.import_default_modules()
    assert set(DAILY_JOBS.values()) <= set(celery_app.tasks)
    assert set(DAILY_JOBS.values()) == {
        "apps.programs.tasks.close_stale_prompts",
        "apps.outcomes.tasks.sync_questionnaires",
        "apps.notifications.tasks.record_missed_reminders",
        "apps.notifications.tasks.warn_expiring_tokens",
    }
