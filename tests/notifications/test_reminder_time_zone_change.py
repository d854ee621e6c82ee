"""A patient who changes their time zone (``patient_reminders_choose``) is reminded once per
local date, at their time in the new zone: a date that already had its reminder gets no
second one, a date that had none yet still gets it, and quiet hours are the patient's local
hours wherever they are. No reminder row is touched by the change: the rules follow from one
row per patient and local date, claimed when due in the patient's zone of that minute."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from apps.notifications.models import Reminder
from apps.notifications.reminders import reminders_claim_due, reminders_send
from apps.patients.reminder_choice import patient_reminders_choose
from tests.factories import ExerciseItemFactory

pytestmark = pytest.mark.django_db

UTC = ZoneInfo("UTC")
DAY = date(2025, 1, 15)  # a Wednesday in winter: London is UTC, New York UTC-5, Tokyo UTC+9


def patient_in(zone, reminder):
    item = ExerciseItemFactory(
        program__start_date=date(2025, 1, 1),
        program__patient__time_zone=zone,
        program__patient__reminder_time=reminder,
    )
    return item.program.patient


def at(hour, minute=0, day=DAY):
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def dispatch(now):
    """One beat at ``now``: claim who is due and send them."""
    outcomes = {}
    for batch in reminders_claim_due(now=now):
        outcomes |= reminders_send(reminder_ids=batch, now=now)
    return outcomes


def move(patient, zone):
    patient_reminders_choose(
        patient=patient, reminders_enabled=True, reminder_time=patient.reminder_time,
        time_zone=zone,
    )  # fmt: skip


def test_moving_west_after_todays_reminder_sends_no_second_one_that_day():
    patient = patient_in("Europe/London", time(8, 0))
    assert dispatch(at(8)) == {"sent": 1, "skipped": 0}
    move(patient, "America/New_York")  # 10:00 in London, 05:00 in New York: still the 15th

    assert dispatch(at(13)) == {}  # 08:00 in New York
    assert dispatch(at(13, 1)) == {}

    assert list(Reminder.objects.values_list("local_date", "status")) == [(DAY, "sent")]
    assert len(mail.outbox) == 1


def test_moving_before_todays_reminder_sends_it_at_the_time_in_the_new_zone():
    patient = patient_in("Europe/London", time(18, 0))
    move(patient, "America/New_York")  # at 12:00 in London, 07:00 in New York

    assert dispatch(at(18)) == {}  # 18:00 in London: no longer the patient's evening
    assert dispatch(at(23)) == {"sent": 1, "skipped": 0}  # 18:00 in New York

    reminder = Reminder.objects.get()
    assert (reminder.local_date, reminder.due_at) == (DAY, at(23))
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("moved_at", "outcome", "status"),
    [
        (at(18, 30), {"sent": 1, "skipped": 0}, "sent"),  # within the 2-hour grace period
        (at(20, 30), {"skipped": 1}, "skipped"),  # later: skipped "too late", as any late one
    ],
)
def test_moving_east_after_the_time_has_passed_there_is_a_late_reminder(moved_at, outcome, status):
    patient = patient_in("America/New_York", time(18, 0))
    move(patient, "Europe/London")  # at 13:30 or 15:30 in New York: 18:00 not come there yet

    assert dispatch(moved_at) == outcome

    reminder = Reminder.objects.get()
    assert (reminder.local_date, reminder.due_at, reminder.status) == (DAY, at(18), status)


def test_moving_east_past_midnight_the_new_date_gets_its_own_reminder():
    patient = patient_in("America/New_York", time(18, 0))
    assert dispatch(at(23)) == {"sent": 1, "skipped": 0}  # 18:00 on the 15th in New York
    move(patient, "Asia/Tokyo")  # at 08:30 on the 16th in Tokyo

    assert dispatch(at(9, 0, DAY.replace(day=16))) == {"sent": 1, "skipped": 0}  # 18:00 Tokyo

    rows = list(Reminder.objects.order_by("local_date").values_list("local_date", "status"))
    assert rows == [(DAY, "sent"), (date(2025, 1, 16), "sent")]


def test_a_reminder_claimed_before_the_move_is_not_sent_for_a_date_the_patient_has_left():
    patient = patient_in("Europe/London", time(18, 0))
    (batch,) = reminders_claim_due(now=at(18))
    move(patient, "Pacific/Auckland")  # 07:00 on the 16th in Auckland

    assert reminders_send(reminder_ids=batch, now=at(18, 1)) == {"skipped": 1}
    assert Reminder.objects.get().skip_reason == "too_late"
    # 18:00 on the 16th in Auckland: that date's own reminder.
    assert dispatch(at(5, 0, DAY.replace(day=16))) == {"sent": 1, "skipped": 0}
    assert len(mail.outbox) == 1


def test_quiet_hours_are_the_patients_local_hours_in_the_new_zone():
    """08:30 in Tokyo is 23:30 at the clinic in London, inside its quiet hours (21:00 to
    08:00) there: the reminder is sent, as quiet hours keep the patient's nights quiet."""
    patient = patient_in("Europe/London", time(8, 30))
    move(patient, "Asia/Tokyo")

    assert dispatch(at(23, 30, date(2025, 1, 14))) == {"sent": 1, "skipped": 0}
    assert Reminder.objects.get().local_date == DAY
