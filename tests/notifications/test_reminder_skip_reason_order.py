"""The one reason a skipped reminder's record gives when several hold: the patient archived,
opted out or the clinic suspended first (nothing would be sent whatever the day), then a day
the patient completed, before any reason that would read as something missed ("too late",
quiet hours, ...). A reminder held up past its time by an outage, for a day the patient
then finished, reads "day complete" on /inbox/reminders/, not "too late"."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.core import mail

from apps.clinics.models import Clinic, User
from apps.clinics.services import clinic_suspend
from apps.notifications.models import Reminder
from apps.notifications.reminders import (
    reminders_claim_due,
    reminders_record_missed,
    reminders_send,
)
from apps.patients.models import Patient, Side
from tests.factories import ExerciseItemFactory
from tests.notifications.factories import SetLogFactory

pytestmark = pytest.mark.django_db

WEDNESDAY = date(2025, 1, 15)
DUE = datetime(2025, 1, 15, 8, 0, tzinfo=UTC)
GRACE = timedelta(hours=2)  # the clinic's default


def patient_who_finishes_the_day(*, finished: bool = True) -> Patient:
    item = ExerciseItemFactory(
        program__start_date=date(2025, 1, 1),
        program__patient__time_zone="Europe/London",
        program__patient__reminder_time=time(8, 0),
    )
    for side in (Side.LEFT, Side.RIGHT) if finished else ():
        for _ in range(item.sets):
            SetLogFactory(item=item, side=side, performed_on=WEDNESDAY)
    return item.program.patient


def claimed_at_its_time() -> list[int]:
    (batch,) = reminders_claim_due(now=DUE)
    return batch


def test_a_reminder_held_up_past_its_grace_for_a_finished_day_reads_day_complete():
    patient_who_finishes_the_day()
    batch = claimed_at_its_time()

    outcome = reminders_send(reminder_ids=batch, now=DUE + GRACE + timedelta(minutes=1))

    assert outcome == {"skipped": 1}
    assert Reminder.objects.get().skip_reason == "day_complete"
    assert mail.outbox == []


def test_a_late_reminder_for_a_day_not_finished_still_reads_too_late():
    patient_who_finishes_the_day(finished=False)
    batch = claimed_at_its_time()

    reminders_send(reminder_ids=batch, now=DUE + GRACE + timedelta(minutes=1))

    assert Reminder.objects.get().skip_reason == "too_late"


def test_a_finished_day_inside_quiet_hours_reads_day_complete():
    patient = patient_who_finishes_the_day()
    Clinic.objects.filter(pk=patient.clinic_id).update(
        quiet_hours_start=time(7, 0), quiet_hours_end=time(9, 0)
    )
    batch = claimed_at_its_time()

    reminders_send(reminder_ids=batch, now=DUE)

    assert Reminder.objects.get().skip_reason == "day_complete"


def test_a_finished_day_no_dispatch_reached_is_recorded_as_complete_not_too_late():
    patient_who_finishes_the_day()
    # The dispatch was down from Wednesday 07:00 to Thursday 00:30.

    reminders_record_missed(now=datetime(2025, 1, 16, 0, 30, tzinfo=UTC))

    # Tuesday, looked back at too, was not done: its reminder did go missing.
    records = Reminder.objects.values_list("local_date", "status", "skip_reason")
    assert sorted(records) == [
        (WEDNESDAY - timedelta(days=1), "skipped", "too_late"),
        (WEDNESDAY, "skipped", "day_complete"),
    ]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"archived_at": DUE}, "archived"),
        ({"reminders_enabled": False}, "opted_out"),
        (None, "clinic_suspended"),
    ],
)
def test_archived_opted_out_and_suspended_still_come_before_a_finished_day(change, reason):
    patient = patient_who_finishes_the_day()
    batch = claimed_at_its_time()
    if change is None:
        operator = User.objects.create_superuser("ops@example.org", "a long operator password")
        clinic_suspend(clinic=patient.clinic, actor=operator, reason="Unpaid")
    else:
        Patient.objects.filter(pk=patient.pk).update(**change)

    reminders_send(reminder_ids=batch, now=DUE + GRACE + timedelta(minutes=1))

    assert Reminder.objects.get().skip_reason == reason
