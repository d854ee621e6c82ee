"""Due questionnaires ride along with the day's exercise reminder (never a message alone)."""

from __future__ import annotations

import datetime as dt
from typing import cast

import pytest
import time_machine
from django.core import mail
from django.test import TestCase
from django.utils import timezone

from apps.notifications.messages import reminder_message
from apps.notifications.models import Reminder
from apps.notifications.tasks import reminders_dispatch
from apps.outcomes import services
from apps.patients.models import Patient
from apps.programs.models import Program, ProgramItem
from tests.conftest import celery_conf
from tests.factories import ExerciseItemFactory, PatientFactory, ProgramFactory

pytestmark = pytest.mark.django_db


def _reminder(patient: Patient) -> Reminder:
    return Reminder.objects.create(
        patient=patient, local_date=patient.local_today(), due_at=timezone.now()
    )


def test_the_reminder_mentions_due_questionnaires() -> None:
    patient = cast(Patient, PatientFactory())
    program = cast(Program, ProgramFactory(patient=patient, start_date=patient.local_today()))
    services.measures_set(user=program.created_by, program=program, instruments=["nprs", "psfs"])
    message = reminder_message(reminder=_reminder(patient))
    assert "a few short questions about your hip (2 to answer)" in message.body
    assert "and a few short questions" in (message.short_body or "")


def test_without_questionnaires_the_reminder_is_unchanged() -> None:
    patient = cast(Patient, PatientFactory())
    ProgramFactory(patient=patient, start_date=patient.local_today() - dt.timedelta(days=3))
    message = reminder_message(reminder=_reminder(patient))
    assert "short questions" not in message.body


@pytest.fixture
def eager():
    with celery_conf(task_always_eager=True):
        yield


def _run_beat(at: dt.datetime) -> None:
    with time_machine.travel(at, tick=False), TestCase.captureOnCommitCallbacks(execute=True):
        reminders_dispatch()


def _patient_with_questionnaires_due(reminder_at: dt.time) -> Patient:
    item = cast(ProgramItem, ExerciseItemFactory(
        program__start_date=dt.date(2025, 1, 15), program__patient__time_zone="Europe/London",
        program__patient__reminder_time=reminder_at,
    ))  # fmt: skip
    program = item.program
    services.measures_set(user=program.created_by, program=program, instruments=["nprs", "psfs"])
    return cast(Patient, program.patient)


@pytest.mark.usefixtures("eager")
def test_due_questionnaires_make_no_message_of_their_own_and_ride_with_the_one_reminder() -> None:
    patient = _patient_with_questionnaires_due(dt.time(18, 0))
    for minute in (0, 1, 30):
        _run_beat(dt.datetime(2025, 1, 15, 18, minute, tzinfo=dt.UTC))
    (message,) = [m for m in mail.outbox if m.to == [patient.email]]
    assert "a few short questions about your hip (2 to answer)" in message.body


@pytest.mark.usefixtures("eager")
def test_in_quiet_hours_due_questionnaires_send_nothing() -> None:
    _patient_with_questionnaires_due(dt.time(21, 30))
    for hour, minute in ((21, 30), (22, 0), (23, 59)):
        _run_beat(dt.datetime(2025, 1, 15, hour, minute, tzinfo=dt.UTC))
    assert mail.outbox == []
    assert Reminder.objects.get().skip_reason == "quiet_hours"


def test_due_counts_for_many_patients_agree_with_each_patients_own_count() -> None:
    """The fan-out reads the due questionnaires of a whole batch in one query."""
    from apps.outcomes.selectors import due_count, due_counts

    with_two = cast(Patient, PatientFactory())
    program = cast(Program, ProgramFactory(patient=with_two, start_date=with_two.local_today()))
    services.measures_set(user=program.created_by, program=program, instruments=["nprs", "psfs"])
    none_yet = cast(Patient, PatientFactory())
    later = cast(Program, ProgramFactory(patient=none_yet, start_date=none_yet.local_today()))
    services.measures_set(user=later.created_by, program=later, instruments=["nprs"])
    without = cast(Patient, PatientFactory())
    days = {
        with_two.pk: with_two.local_today(),
        # The day before the baseline is due: nothing waits yet.
        none_yet.pk: none_yet.local_today() - dt.timedelta(days=1),
        without.pk: without.local_today(),
    }

    counts = due_counts(days=days)

    assert counts == {pk: due_count(patient=Patient.objects.get(pk=pk), on=on)
                      for pk, on in days.items()}  # fmt: skip
    assert counts == {with_two.pk: 2, none_yet.pk: 0, without.pk: 0}
    assert due_counts(days={}) == {}
