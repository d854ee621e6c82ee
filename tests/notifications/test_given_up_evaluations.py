"""A set log whose evaluation the outbox gave up on (every attempt failed) is evaluated again
from the database by a beat job: its pain alert and prompt are raised, once, however often
the job runs. While the evaluation still fails, the pain alert is raised on its own."""

from __future__ import annotations

import logging
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.db import transaction
from django.test import TestCase
from django.utils import timezone

from apps.core import outbox
from apps.core.models import OutboxMessage, OutboxStatus
from apps.notifications import dispatch
from apps.notifications.models import PainAlert, StaffNotification
from apps.notifications.tasks import repair_given_up_evaluations
from apps.programs.models import ProgressionPrompt, PromptStatus, SetLog
from config.celery import app as celery_app
from tests.factories import LadderItemFactory
from tests.notifications.factories import SetLogFactory

pytestmark = pytest.mark.django_db

BROKEN = "apps.notifications.services.prompt_for_log"


@pytest.fixture
def item():
    return LadderItemFactory(per_side=False)


@pytest.fixture
def operator_log(caplog):
    """What the repair logs for the operator. The handler goes on the module's own logger:
    the first task run inline applies Django's logging settings again, dropping caplog's."""
    logger = logging.getLogger("apps.notifications.given_up")
    logger.addHandler(caplog.handler)
    yield caplog
    logger.removeHandler(caplog.handler)


def logged(item, *, reps=10, pain=2):
    """A set saved as the log service saves it: with its evaluation message."""
    with transaction.atomic():
        log = SetLogFactory(item=item, reps=reps, pain=pain)
        dispatch.enqueue_log_evaluation(log.pk)
    return log


def given_up() -> None:
    """The outbox's own retries, each failing, until it gives the messages up (beat's sweep
    at each backoff's end)."""
    later = timezone.now()
    with mock.patch(BROKEN, side_effect=RuntimeError("a bug")):
        for _ in range(outbox.MAX_ATTEMPTS + 1):
            later += timedelta(hours=2)
            outbox.outbox_sweep(now=later)
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxStatus.DEAD}


def repair() -> None:
    """The beat job, with its emails' messages published (run) on commit."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        repair_given_up_evaluations()


def emails_about(log) -> list:
    return [m for m in mail.outbox if m.to == [log.patient.therapist.email]]


def test_a_painful_set_given_up_on_raises_its_pain_alert_once(item, eager):
    log = logged(item, pain=8)
    given_up()
    assert not PainAlert.objects.exists()
    assert mail.outbox == []

    repair()
    repair()

    alert = PainAlert.objects.get()
    assert (alert.patient, alert.pain, alert.log_id) == (log.patient, 8, log.pk)
    assert StaffNotification.objects.get().alert == alert
    assert len(emails_about(log)) == 1
    assert SetLog.objects.get(pk=log.pk).evaluated_at is not None


def test_a_qualifying_set_given_up_on_raises_its_prompt_once(item, eager):
    log = logged(item, reps=20)
    given_up()

    repair()
    repair()

    prompt = ProgressionPrompt.objects.get()
    assert (prompt.patient, prompt.status) == (log.patient, PromptStatus.PENDING)
    assert StaffNotification.objects.get().prompt == prompt
    assert len(emails_about(log)) == 1


def test_every_log_of_a_given_up_batch_is_evaluated(item, eager):
    with transaction.atomic():
        logs = [SetLogFactory(item=item, pain=pain) for pain in (2, 8)]
        dispatch.enqueue_logs_evaluation([log.pk for log in logs])
    given_up()

    repair()

    assert not SetLog.objects.filter(evaluated_at__isnull=True).exists()
    assert PainAlert.objects.get().log == logs[1]


def test_while_the_evaluation_still_fails_the_pain_alert_is_raised_on_its_own(
    item, eager, operator_log
):
    log = logged(item, pain=8)
    given_up()

    with mock.patch(BROKEN, side_effect=RuntimeError("a bug")):
        repair()
        repair()

    assert PainAlert.objects.get().log_id == log.pk
    assert len(emails_about(log)) == 1
    # Still owed its full evaluation, and the operator is told each run.
    assert SetLog.objects.get(pk=log.pk).evaluated_at is None
    errors = [r for r in operator_log.records if r.levelno == logging.ERROR]
    assert [f"set log {log.pk}:" in r.getMessage() for r in errors] == [True, True]

    repair()  # the fault mended

    assert SetLog.objects.get(pk=log.pk).evaluated_at is not None
    assert PainAlert.objects.count() == 1
    assert StaffNotification.objects.count() == 1
    assert len(emails_about(log)) == 1


def test_a_log_the_outbox_is_still_retrying_is_left_to_it(item):
    log = logged(item, pain=8)

    repair()

    assert not PainAlert.objects.exists()
    assert SetLog.objects.get(pk=log.pk).evaluated_at is None


def test_beat_runs_the_repair_on_the_notifications_queue():
    (entry,) = [
        entry
        for entry in celery_app.conf.beat_schedule.values()
        if entry["task"] == repair_given_up_evaluations.name
    ]

    assert entry["task"] in celery_app.tasks
    assert entry["schedule"] <= 3600
    route = celery_app.amqp.router.route({}, entry["task"])
    assert route["queue"].name == "notifications"


def test_the_first_run_that_still_fails_emails_the_pain_alert_the_same_day(item, eager):
    # CLINICAL.md: pain of 7 or more alerts the therapist the same day, not at the next run.
    log = logged(item, pain=8)
    given_up()

    with mock.patch(BROKEN, side_effect=RuntimeError("a bug")):
        repair()

    assert PainAlert.objects.get().log_id == log.pk
    assert len(emails_about(log)) == 1
