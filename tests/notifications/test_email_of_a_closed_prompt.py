"""A prompt email still waiting (its first send failed and it waits for the retry) is not
sent once the prompt was answered: approved, declined or snoozed (seen and decided), or closed
because its exercise was removed, its program ended or the patient was archived (nobody can
make it). It is recorded as skipped with the reason; an email about an open prompt still
goes."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone

from apps.notifications.models import DeliveryStatus, StaffNotification
from apps.notifications.services import notification_deliver, set_log_evaluate
from apps.patients.archive_services import patient_archive
from apps.programs.edit_services import program_schedule_update
from apps.programs.item_services import program_item_remove
from apps.programs.models import ProgressionPrompt
from apps.programs.prompt_decisions import (
    CLOSED_ARCHIVED,
    CLOSED_ENDED,
    CLOSED_REMOVED,
    prompt_approve,
    prompt_decline,
    prompt_snooze,
)
from apps.programs.stale_prompts import prompts_close_stale
from tests.factories import LadderItemFactory
from tests.notifications.factories import SetLogFactory

pytestmark = pytest.mark.django_db


def _prompt_email_waiting_for_its_retry(item) -> int:
    (notification_id,) = set_log_evaluate(log_id=SetLogFactory(item=item, reps=20).pk)
    with mock.patch("django.core.mail.EmailMessage.send", side_effect=OSError("refused")):
        assert notification_deliver(notification_id=notification_id) is False
    return notification_id


@pytest.mark.parametrize("closed_by", ["removal", "archive"])
def test_the_email_of_a_prompt_closed_since_is_skipped_not_sent(closed_by):
    item = LadderItemFactory(per_side=False)
    notification_id = _prompt_email_waiting_for_its_retry(item)
    therapist, patient = item.program.patient.therapist, item.program.patient
    if closed_by == "removal":
        program_item_remove(actor=therapist, item=item)
    else:
        patient_archive(patient=patient, actor=therapist)

    later = timezone.now() + timedelta(hours=1)
    sent = notification_deliver(notification_id=notification_id, now=later)

    assert sent is False
    assert mail.outbox == []
    row = StaffNotification.objects.get(pk=notification_id)
    reason = CLOSED_REMOVED if closed_by == "removal" else CLOSED_ARCHIVED
    assert (row.status, row.error) == (
        DeliveryStatus.SKIPPED,
        f"Not sent: the prompt was closed. {reason}",
    )


def test_the_email_of_a_prompt_the_daily_job_closed_is_skipped_not_sent():
    item = LadderItemFactory(per_side=False)
    program, patient = item.program, item.program.patient
    program_schedule_update(
        actor=patient.therapist, program=program, weekdays=program.weekday_numbers,
        start_date=program.start_date, end_date=patient.local_today() + timedelta(days=1),
    )  # fmt: skip
    notification_id = _prompt_email_waiting_for_its_retry(item)
    two_days_on = timezone.now() + timedelta(days=2)  # the end date has passed

    assert prompts_close_stale(now=two_days_on) == 1
    assert notification_deliver(notification_id=notification_id, now=two_days_on) is False
    row = StaffNotification.objects.get(pk=notification_id)
    assert (row.status, row.error) == (
        DeliveryStatus.SKIPPED,
        f"Not sent: the prompt was closed. {CLOSED_ENDED}",
    )
    assert mail.outbox == []


def _answer(item, status: str) -> None:
    """Answer the item's prompt the way a therapist (or ending the program) does."""
    prompt = ProgressionPrompt.objects.get(item=item)
    therapist, program = item.program.patient.therapist, item.program
    if status == "approved":
        prompt_approve(prompt=prompt, user=therapist)
    elif status == "declined":
        prompt_decline(prompt=prompt, user=therapist, reason="Hip still sore on stairs")
    elif status == "snoozed":
        until = program.patient.local_today() + timedelta(days=3)
        prompt_snooze(prompt=prompt, user=therapist, until=until)
    else:
        program_schedule_update(
            actor=therapist, program=program, weekdays=program.weekday_numbers,
            start_date=program.start_date, end_date=program.patient.local_today(),
        )  # fmt: skip


@pytest.mark.parametrize(
    ("status", "why"),
    [
        ("approved", "Not sent: the prompt was already approved."),
        ("declined", "Not sent: the prompt was already declined."),
        ("snoozed", "Not sent: the prompt was already snoozed."),
        ("withdrawn", f"Not sent: the prompt was closed. {CLOSED_ENDED}"),
    ],
)
def test_the_retry_of_an_answered_prompts_email_is_skipped_whatever_the_answer(status, why):
    item = LadderItemFactory(per_side=False)
    notification_id = _prompt_email_waiting_for_its_retry(item)
    _answer(item, status)

    later = timezone.now() + timedelta(hours=1)
    sent = notification_deliver(notification_id=notification_id, now=later)

    assert ProgressionPrompt.objects.get(item=item).status == status
    assert sent is False
    assert mail.outbox == []
    row = StaffNotification.objects.get(pk=notification_id)
    assert (row.status, row.error) == (DeliveryStatus.SKIPPED, why)


def test_the_retry_of_an_open_prompts_email_still_goes():
    item = LadderItemFactory(per_side=False)
    notification_id = _prompt_email_waiting_for_its_retry(item)

    later = timezone.now() + timedelta(hours=1)

    assert notification_deliver(notification_id=notification_id, now=later) is True
    assert len(mail.outbox) == 1
