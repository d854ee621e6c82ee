"""Late and odd reminder times: a grace period, never inside quiet hours, DST gaps and
repeated hours."""

from datetime import date, datetime, time, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from apps.clinics.models import Clinic
from apps.notifications.models import Reminder
from apps.notifications.reminders import local_instant, reminders_claim_due, reminders_send
from apps.notifications.sweep import notifications_sweep
from tests.factories import ExerciseItemFactory

pytestmark = pytest.mark.django_db

UTC = ZoneInfo("UTC")
NEW_YORK = ZoneInfo("America/New_York")


def patient_in(zone, reminder=time(8, 0), **clinic):
    item = ExerciseItemFactory(
        program__start_date=date(2025, 1, 1),
        program__patient__time_zone=zone,
        program__patient__reminder_time=reminder,
    )
    patient = item.program.patient
    Clinic.objects.filter(pk=patient.clinic_id).update(**clinic)
    return patient


def claim_and_send(claim_at, send_at):
    (batch,) = reminders_claim_due(now=claim_at)
    return reminders_send(reminder_ids=batch, now=send_at)


def test_a_reminder_two_hours_late_or_less_is_sent():
    patient_in("Europe/London", reminder=time(8, 0))
    due = datetime(2025, 1, 15, 8, 0, tzinfo=UTC)

    assert claim_and_send(due, due + timedelta(hours=2)) == {"sent": 1, "skipped": 0}


def test_a_reminder_more_than_the_grace_period_late_is_skipped_too_late():
    patient_in("Europe/London", reminder=time(8, 0))
    due = datetime(2025, 1, 15, 8, 0, tzinfo=UTC)

    outcome = claim_and_send(due, due + timedelta(hours=2, minutes=1))

    assert outcome == {"skipped": 1}
    assert Reminder.objects.get().skip_reason == "too_late"
    assert mail.outbox == []


def test_the_grace_period_is_the_clinics_setting():
    patient_in("Europe/London", reminder=time(8, 0), reminder_grace_minutes=30)
    due = datetime(2025, 1, 15, 8, 0, tzinfo=UTC)

    assert claim_and_send(due, due + timedelta(minutes=31)) == {"skipped": 1}


def test_a_late_reminder_is_never_sent_inside_quiet_hours():
    # Due at 20:30, sent within the grace period, but at 21:10: inside quiet hours (21-08).
    patient_in("Europe/London", reminder=time(20, 30))
    due = datetime(2025, 1, 15, 20, 30, tzinfo=UTC)

    assert claim_and_send(due, due + timedelta(minutes=40)) == {"skipped": 1}
    assert Reminder.objects.get().skip_reason == "quiet_hours"


def test_a_time_in_the_spring_forward_gap_moves_to_the_first_minute_after_it():
    # 9 March 2025 in New York: clocks go from 02:00 EST straight to 03:00 EDT.
    moved = local_instant(date(2025, 3, 9), time(2, 30), NEW_YORK)

    assert moved == datetime(2025, 3, 9, 3, 0, tzinfo=NEW_YORK)
    assert moved.astimezone(UTC) == datetime(2025, 3, 9, 7, 0, tzinfo=UTC)


def test_a_time_that_exists_is_kept():
    assert local_instant(date(2025, 3, 10), time(2, 30), NEW_YORK).astimezone(UTC) == datetime(
        2025, 3, 10, 6, 30, tzinfo=UTC
    )


def test_a_reminder_in_the_gap_is_due_at_the_first_minute_after_it(settings):
    patient_in(
        "America/New_York",
        reminder=time(2, 30),
        quiet_hours_start=time(0, 0),
        quiet_hours_end=time(0, 0),
    )

    assert reminders_claim_due(now=datetime(2025, 3, 9, 6, 59, tzinfo=UTC)) == []
    (batch,) = reminders_claim_due(now=datetime(2025, 3, 9, 7, 0, tzinfo=UTC))  # 03:00 EDT

    reminder = Reminder.objects.get(pk=batch[0])
    assert reminder.due_at == datetime(2025, 3, 9, 7, 0, tzinfo=UTC)
    assert reminders_send(reminder_ids=batch, now=datetime(2025, 3, 9, 7, 0, tzinfo=UTC)) == {
        "sent": 1,
        "skipped": 0,
    }


def test_a_repeated_hour_sends_once():
    # 2 November 2025 in New York: 01:00-02:00 happens twice (EDT, then EST).
    patient_in(
        "America/New_York",
        reminder=time(1, 30),
        quiet_hours_start=time(0, 0),
        quiet_hours_end=time(0, 0),
    )
    first = datetime(2025, 11, 2, 5, 30, tzinfo=UTC)  # 01:30 EDT
    second = datetime(2025, 11, 2, 6, 30, tzinfo=UTC)  # 01:30 EST, an hour later

    (batch,) = reminders_claim_due(now=first)
    reminders_send(reminder_ids=batch, now=first)
    assert reminders_claim_due(now=second) == []

    assert Reminder.objects.count() == 1
    assert len(mail.outbox) == 1
    assert Reminder.objects.get().due_at == first


def test_a_worker_killed_mid_batch_leaves_one_message_unknown_and_sends_the_rest_once():
    patients = [patient_in("Europe/London", reminder=time(18, 0)) for _ in range(5)]
    now = datetime(2025, 1, 15, 18, 0, tzinfo=UTC)
    (batch,) = reminders_claim_due(now=now)
    real_send = mail.EmailMessage.send
    calls = []

    def dies_on_the_third(self, *args, **kwargs):
        calls.append(self.to)
        if len(calls) == 3:
            raise SystemExit("SIGKILL")  # the process is gone mid-send
        return real_send(self, *args, **kwargs)

    with (
        mock.patch.object(mail.EmailMessage, "send", dies_on_the_third),
        pytest.raises(SystemExit),
    ):
        reminders_send(reminder_ids=batch, now=now)

    statuses = sorted(Reminder.objects.values_list("status", flat=True))
    assert statuses == ["claimed", "claimed", "sending", "sent", "sent"]

    later = now + timedelta(minutes=5)
    assert reminders_send(reminder_ids=batch, now=later) == {"sent": 2, "skipped": 0}
    notifications_sweep(now=now + timedelta(minutes=11), batch=200)
    statuses = sorted(Reminder.objects.values_list("status", flat=True))
    assert statuses == ["sent", "sent", "sent", "sent", "unknown"]
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        p.email for p in patients if [p.email] != calls[2]
    )
