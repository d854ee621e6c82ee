"""A reminder carries the personal link only while it works, and never extends it."""

from datetime import UTC, date, datetime, time

import pytest
import time_machine
from django.core import mail
from django.test import TestCase

from apps.notifications.tasks import reminders_dispatch
from apps.patients import auth
from apps.patients.models import Patient
from tests.factories import ExerciseItemFactory

pytestmark = pytest.mark.django_db

REMINDED = datetime(2025, 1, 15, 18, 0, tzinfo=UTC)  # 18:00 in London


def patient_with_link_issued(at):
    item = ExerciseItemFactory(
        program__start_date=date(2025, 1, 1),
        program__patient__time_zone="Europe/London",
        program__patient__reminder_time=time(18, 0),
    )
    patient = item.program.patient
    Patient.objects.filter(pk=patient.pk).update(link_issued_at=at)
    patient.refresh_from_db()
    return patient


def remind(at):
    with time_machine.travel(at, tick=False), TestCase.captureOnCommitCallbacks(execute=True):
        reminders_dispatch()
    (email,) = mail.outbox
    return email


def test_a_reminder_carries_a_working_link_and_does_not_extend_it(eager):
    issued = datetime(2024, 12, 1, 12, 0, tzinfo=UTC)  # works until 30 May 2025, 12:00
    patient = patient_with_link_issued(issued)

    email = remind(REMINDED)

    assert auth.personal_link_url(patient) in email.body
    assert Patient.objects.get(pk=patient.pk).link_issued_at == issued
    token = auth.personal_link_token(patient)
    with time_machine.travel(datetime(2025, 5, 30, 12, 0, tzinfo=UTC), tick=False):
        assert auth.patient_for_link(public_id=patient.public_id, token=token) is None


def test_a_reminder_never_sends_an_expired_link_and_points_to_sign_in_by_email(eager):
    issued = datetime(2024, 7, 1, 12, 0, tzinfo=UTC)  # expired on 28 December 2024
    patient = patient_with_link_issued(issued)

    email = remind(REMINDED)

    assert f"/p/{patient.public_id}/" not in email.body
    assert "http://127.0.0.1:8000/sign-in/link/" in email.body
    assert "Your personal link no longer works" in email.body
    assert "http://127.0.0.1:8000/today/" in email.body
    assert Patient.objects.get(pk=patient.pk).link_issued_at == issued
