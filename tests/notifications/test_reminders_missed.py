"""A dispatch down across a patient's local midnight: the day's reminder was never claimed.
The daily job records it as skipped, too late (never sent a day late), so the record the
clinic reads has every day a reminder was due."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from apps.notifications.models import Reminder
from apps.notifications.reminders import reminders_claim_due, reminders_record_missed
from apps.notifications.tasks import record_missed_reminders
from config.celery import DAILY_JOBS
from tests.factories import ExerciseItemFactory

pytestmark = pytest.mark.django_db

UTC = ZoneInfo("UTC")
MONDAY = date(2025, 1, 13)


def patient_in(zone, reminder=time(18, 0), weekdays=0b1111111, start=MONDAY, **fields):
    item = ExerciseItemFactory(
        program__start_date=start,
        program__weekdays=weekdays,
        program__patient__time_zone=zone,
        program__patient__reminder_time=reminder,
        **{f"program__patient__{k}": v for k, v in fields.items()},
    )
    return item.program.patient


def test_a_reminder_no_dispatch_claimed_before_midnight_is_recorded_skipped_too_late():
    patient = patient_in("Europe/London")
    # The dispatch was down from Monday 17:00 to Tuesday 00:30: Monday's 18:00 never came.

    outcome = reminders_record_missed(now=datetime(2025, 1, 14, 0, 30, tzinfo=UTC))

    assert outcome == {"skipped": 1}
    reminder = Reminder.objects.get()
    assert (reminder.patient, reminder.local_date) == (patient, MONDAY)
    assert (reminder.status, reminder.skip_reason) == ("skipped", "too_late")
    assert reminder.due_at == datetime(2025, 1, 13, 18, 0, tzinfo=UTC)
    assert mail.outbox == []


def test_a_second_run_records_nothing_more():
    patient_in("Europe/London")
    now = datetime(2025, 1, 14, 0, 30, tzinfo=UTC)

    reminders_record_missed(now=now)
    assert reminders_record_missed(now=now + timedelta(hours=1)) == {}

    assert Reminder.objects.count() == 1


def test_a_day_that_had_its_reminder_is_left_as_it_was():
    patient_in("Europe/London")
    reminders_claim_due(now=datetime(2025, 1, 13, 18, 0, tzinfo=UTC))
    (claimed,) = Reminder.objects.values_list("pk", "status")

    assert reminders_record_missed(now=datetime(2025, 1, 14, 0, 30, tzinfo=UTC)) == {}

    assert list(Reminder.objects.values_list("pk", "status")) == [claimed]


def test_today_is_left_to_the_dispatch_even_after_the_reminder_time():
    # 20:00 in London: today's 18:00 reminder may still go (the grace period is the
    # dispatch's to judge); only finished days are the job's, the last two of them.
    patient_in("Europe/London", start=date(2025, 1, 1))

    reminders_record_missed(now=datetime(2025, 1, 14, 20, 0, tzinfo=UTC))

    assert set(Reminder.objects.values_list("local_date", flat=True)) == {
        date(2025, 1, 12),
        MONDAY,
    }


def test_a_day_not_yet_over_in_the_patients_zone_is_not_touched():
    # 00:30 UTC on Tuesday is 16:30 on Monday in Los Angeles: Monday is not over there.
    patient_in("America/Los_Angeles", reminder=time(9, 0), start=date(2025, 1, 1))

    reminders_record_missed(now=datetime(2025, 1, 14, 0, 30, tzinfo=UTC))

    assert MONDAY not in set(Reminder.objects.values_list("local_date", flat=True))


def test_a_day_without_exercises_records_no_reminder():
    monday_only = 0b0000001
    patient_in("Europe/London", weekdays=monday_only, start=date(2025, 1, 1))

    reminders_record_missed(now=datetime(2025, 1, 16, 0, 30, tzinfo=UTC))  # Tue, Wed missed

    assert not Reminder.objects.exists()


def test_it_runs_once_a_day_with_the_other_daily_jobs():
    assert DAILY_JOBS["reminders-record-missed"] == record_missed_reminders.name
