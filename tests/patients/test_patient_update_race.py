"""A staff PATCH of a patient changes only the fields it sends: a change to the same patient
committed while the PATCH is under way (the patient turning reminders off on their phone, a
colleague's own PATCH) is kept, not written over with the patient as the PATCH first read
them.

Real threads, each with its own PostgreSQL connection (tests/programs/races.py): writer A
holds its change uncommitted until the PATCH, started after A's change, is seen waiting."""

from __future__ import annotations

import pytest

from apps.patients.models import Patient
from apps.patients.services import patient_reminders_choose
from tests.conftest import signed_in
from tests.programs.races import race

pytestmark = pytest.mark.django_db(transaction=True)


def patch(user, patient, body):
    def send() -> None:
        response = signed_in(user).patch(
            f"/api/v1/patients/{patient.public_id}/update/", body, content_type="application/json"
        )
        assert response.status_code == 200, response.content

    return send


def test_the_patients_own_reminder_choice_meanwhile_is_kept(
    require_postgres, therapist_a, patient_a
):
    def turn_reminders_off() -> None:
        patient_reminders_choose(patient=patient_a, reminders_enabled=False, reminder_time=None)

    race(turn_reminders_off, patch(therapist_a, patient_a, {"phone": "+44 20 7946 0000"}))

    saved = Patient.objects.get(pk=patient_a.pk)
    assert (saved.phone, saved.reminders_enabled) == ("+44 20 7946 0000", False)


def test_a_colleagues_change_meanwhile_is_kept(require_postgres, therapist_a, admin_a, patient_a):
    race(
        patch(admin_a, patient_a, {"email": "ann.new@mail.example"}),
        patch(therapist_a, patient_a, {"full_name": "Ann Lee"}),
    )

    saved = Patient.objects.get(pk=patient_a.pk)
    assert (saved.full_name, saved.email) == ("Ann Lee", "ann.new@mail.example")
