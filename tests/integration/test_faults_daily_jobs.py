"""Fault test: Redis is down when a real ``celery beat`` (the production schedule) first
ticks for the daily jobs; once Redis is back the day's jobs run, once, on a real worker, and
the ticks after that queue nothing more.

With beat's former daily entries (``schedule: 86400``) a fresh beat first sent them a day
after it started, and a send that failed skipped them for another day."""

from __future__ import annotations

import re
from contextlib import ExitStack
from datetime import UTC, date, datetime

import pytest
from django.utils import timezone

from apps.core.models import DailyRun, OutboxMessage, OutboxStatus
from apps.core.tasks import queue_daily_jobs
from apps.patients.models import Patient
from apps.programs.models import ProgressionPrompt, PromptStatus
from apps.programs.tasks import close_stale_prompts
from config.celery import DAILY_JOBS
from tests.factories import PatientFactory
from tests.integration.harness import (
    beat_process,
    broker,
    free_port,
    private_redis,
    wait_for,
    worker,
)
from tests.notifications.conftest import make_prompt

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.smtp,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(autouse=True)
def _services(require_postgres, require_redis) -> None:
    """PostgreSQL and Redis, or skip locally (fail in CI)."""


def utc_today() -> date:
    return datetime.now(UTC).date()


def tick_failed(beat_log) -> bool:
    """Whether beat tried to send its daily-jobs tick and could not."""
    _, sent, after = beat_log.read_text().partition("Sending due task daily-jobs")
    return bool(sent) and "Message Error" in after


def ticks_run(worker_log) -> int:
    """The daily-jobs ticks the worker has run to the end."""
    done = re.compile(rf"Task {re.escape(queue_daily_jobs.name)}\[[^]]+\] succeeded")
    return len(done.findall(worker_log.read_text(errors="replace")))


def test_daily_jobs_whose_tick_found_redis_down_run_once_it_is_back(
    smtp,
    tmp_path,
):
    _, smtp_port = smtp
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    prompt = make_prompt(PatientFactory())
    Patient.objects.filter(pk=prompt.patient_id).update(archived_at=timezone.now())
    first_day = utc_today()
    beat_log = tmp_path / "beat.log"
    with ExitStack() as stack:
        redis_proc = stack.enter_context(private_redis(port))
        stack.enter_context(beat_process(redis_url=url, smtp_port=smtp_port, tmp=tmp_path))
        worker_dir = tmp_path / "worker"
        worker_dir.mkdir()
        stack.enter_context(worker(redis_url=url, smtp_port=smtp_port, tmp=worker_dir))
        stack.enter_context(broker(url))
        # Redis goes after beat's first send (its outbox sweep, 30 s after it started) and
        # before its first daily-jobs tick (60 s): the tick's send fails.
        wait_for(lambda: "Sending due task outbox-sweep" in beat_log.read_text(), 60, "a send")
        redis_proc.terminate()
        redis_proc.wait(timeout=10)
        wait_for(lambda: tick_failed(beat_log), 90, "beat's first daily-jobs tick to fail")
        assert not DailyRun.objects.exists()
        assert ProgressionPrompt.objects.get(pk=prompt.pk).status == PromptStatus.PENDING

        stack.enter_context(private_redis(port))
        closed = ProgressionPrompt.objects.filter(pk=prompt.pk, status=PromptStatus.WITHDRAWN)
        wait_for(closed.exists, 120, "the day's jobs to run after Redis came back")
        worker_log = worker_dir / "worker.log"
        ran = ticks_run(worker_log)
        wait_for(lambda: ticks_run(worker_log) > ran, 90, "a later tick to run")
        for task in DAILY_JOBS.values():
            done = OutboxMessage.objects.filter(task=task, status=OutboxStatus.DONE)
            wait_for(done.exists, 60, f"{task} to be done")

    days = {first_day, utc_today()}  # the test may run across midnight (UTC)
    recorded = set(DailyRun.objects.values_list("job", "day"))
    assert {job for job, _ in recorded} == set(DAILY_JOBS)
    assert {day for _, day in recorded} <= days
    runs = OutboxMessage.objects.filter(task=close_stale_prompts.name)
    assert runs.count() == DailyRun.objects.filter(job="prompts-close-stale").count()
