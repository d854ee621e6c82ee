"""While a clinic is suspended nothing is sent to its people: a reminder due then is recorded
as skipped ("the clinic's account was suspended"), never sent late once it is resumed; a
prompt or pain-alert email is recorded as skipped while the prompt and alert themselves stay
in the inbox for after. Other clinics' reminders and emails go as ever; resuming sends the
next ones."""

from __future__ import annotations

from datetime import date, time

import pytest
from django.core import mail
from django.utils import timezone

from apps.clinics.models import Clinic, User
from apps.clinics.services import clinic_resume, clinic_suspend
from apps.notifications.models import (
    DeliveryStatus,
    PainAlert,
    Reminder,
    SkipReason,
    StaffNotification,
)
from apps.notifications.reminders import reminders_record_missed
from apps.notifications.services import notification_deliver, set_log_evaluate
from tests.factories import LadderItemFactory
from tests.notifications.factories import SetLogFactory
from tests.notifications.test_reminders import patient_in, run_beat, sent_to, utc

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator() -> User:
    return User.objects.create_superuser("ops@example.org", "a long operator password")


def _suspend(clinic: Clinic, operator: User) -> None:
    clinic_suspend(clinic=clinic, actor=operator, reason="Unpaid")


def test_a_reminder_due_while_suspended_is_skipped_with_its_reason(eager, operator):
    patient = patient_in("Europe/London")
    other = patient_in("Europe/London")
    _suspend(patient.clinic, operator)

    run_beat(utc(2025, 1, 15, 18, 0))

    assert sent_to(patient) == []
    assert len(sent_to(other)) == 1  # another clinic's patient is reminded as ever
    reminder = Reminder.objects.get(patient=patient)
    assert (reminder.status, reminder.skip_reason) == (DeliveryStatus.SKIPPED, "clinic_suspended")
    assert reminder.reason == "The clinic's Clamshell account was suspended"


def test_resuming_sends_no_missed_reminder_late_and_the_next_day_as_ever(eager, operator):
    patient = patient_in("Europe/London")
    _suspend(patient.clinic, operator)
    run_beat(utc(2025, 1, 15, 18, 0))

    clinic_resume(clinic=patient.clinic, actor=operator)
    run_beat(utc(2025, 1, 15, 18, 30))
    assert sent_to(patient) == []
    run_beat(utc(2025, 1, 16, 18, 0))

    assert len(sent_to(patient)) == 1
    statuses = dict(Reminder.objects.values_list("local_date", "status"))
    assert statuses == {date(2025, 1, 15): "skipped", date(2025, 1, 16): "sent"}


def test_the_daily_record_of_missed_reminders_says_why_too(eager, operator):
    patient = patient_in("Europe/London", reminder=time(9, 0))
    _suspend(patient.clinic, operator)

    reminders_record_missed(now=utc(2025, 1, 16, 0, 30))

    reminder = Reminder.objects.get(patient=patient, local_date=date(2025, 1, 15))
    assert reminder.skip_reason == SkipReason.CLINIC_SUSPENDED
    assert mail.outbox == []


def test_a_pain_alert_email_is_skipped_but_the_alert_stays_for_after(operator):
    item = LadderItemFactory(per_side=False, ladder__name="Clamshell")
    log = SetLogFactory(item=item, reps=5, pain=8)  # logged before the suspension
    clinic = item.program.patient.clinic
    _suspend(clinic, operator)

    (notification_id,) = set_log_evaluate(log_id=log.pk)
    sent = notification_deliver(notification_id=notification_id, now=timezone.now())

    assert sent is False
    assert mail.outbox == []
    row = StaffNotification.objects.get(pk=notification_id)
    assert row.status == DeliveryStatus.SKIPPED
    assert row.error == "Not sent: the clinic's Clamshell account was suspended."
    assert PainAlert.objects.filter(patient=item.program.patient).exists()


def test_a_prompt_email_waiting_for_a_retry_is_not_sent_while_suspended(operator):
    item = LadderItemFactory(per_side=False, ladder__name="Clamshell")
    log = SetLogFactory(item=item, reps=20, pain=1)
    (notification_id,) = set_log_evaluate(log_id=log.pk)
    _suspend(item.program.patient.clinic, operator)

    assert notification_deliver(notification_id=notification_id) is False

    assert mail.outbox == []
    assert StaffNotification.objects.get(pk=notification_id).status == DeliveryStatus.SKIPPED
