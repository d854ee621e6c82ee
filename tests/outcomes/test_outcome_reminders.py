"""Due questionnaires ride along with the day's exercise reminder (never a message alone)."""

from __future__ import annotations

import datetime as dt
from typing import cast

import pytest
from django.utils import timezone

from apps.notifications.messages import reminder_message
from apps.notifications.models import Reminder
from apps.outcomes import services
from apps.patients.models import Patient
from apps.programs.models import Program
from tests.factories import PatientFactory, ProgramFactory

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
