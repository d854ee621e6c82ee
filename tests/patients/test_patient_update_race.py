"""A staff PATCH of a patient changes only the fields it sends: a change to the same patient
committed while the PATCH is under way (the patient turning reminders off on their phone, a
colleague's own PATCH) is kept, not written over with the patient as the PATCH first read
them.

Real threads, each with its own PostgreSQL connection (tests/programs/races.py): writer A
holds its change uncommitted until the PATCH, started after A's change, is seen waiting.

Who may change the patient is asked again of the row the change is made from: a patient moved
to a colleague while the PATCH waited takes no change from their former therapist."""

from __future__ import annotations

import pytest
from django.http import Http404

from apps.patients.models import Patient
from apps.patients.reminder_choice import patient_reminders_choose
from apps.patients.services import patient_update_partial
from tests.conftest import signed_in
from tests.factories import AdminFactory, StaffFactory
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


def test_a_therapist_whose_patient_was_moved_meanwhile_changes_nothing(
    require_postgres, therapist_a, admin_a, patient_a
):
    """The PATCH's access check passes on its first read (the admin's move is not committed
    yet); the move commits while the PATCH waits for the row: the rule is asked again of the
    locked row, so the therapist's change to what is now a colleague's patient is a 404."""
    colleague = StaffFactory(clinic=therapist_a.clinic)
    answers = []

    def move_to_colleague() -> None:
        patient = Patient.objects.get(pk=patient_a.pk)
        patient_update_partial(patient=patient, changes={"therapist": colleague}, actor=admin_a)

    def therapist_patch() -> None:
        answers.append(
            signed_in(therapist_a).patch(
                f"/api/v1/patients/{patient_a.public_id}/update/",
                {"phone": "+44 20 7946 0000"},
                content_type="application/json",
            )
        )

    race(move_to_colleague, therapist_patch)

    assert answers[0].status_code == 404
    saved = Patient.objects.get(pk=patient_a.pk)
    assert (saved.therapist, saved.phone) == (colleague, "")


def test_the_access_rule_is_asked_again_of_the_row_read_for_the_change(
    therapist_a, admin_a, patient_a
):
    colleague = StaffFactory(clinic=therapist_a.clinic)
    as_first_read = Patient.objects.get(pk=patient_a.pk)  # passed the page's access check
    patient_update_partial(patient=patient_a, changes={"therapist": colleague}, actor=admin_a)

    with pytest.raises(Http404):
        patient_update_partial(
            patient=as_first_read, changes={"phone": "+44 20 7946 0000"}, actor=therapist_a
        )

    assert Patient.objects.get(pk=patient_a.pk).phone == ""
    # The admin may change any patient of the clinic, whoever looks after them.
    patient_update_partial(
        patient=as_first_read, changes={"phone": "+44 20 7946 0000"}, actor=admin_a
    )
    assert Patient.objects.get(pk=patient_a.pk).phone == "+44 20 7946 0000"


def test_an_admins_change_while_a_colleague_moves_the_patient_is_made(
    require_postgres, therapist_a, admin_a, patient_a
):
    """An admin may change any patient of the clinic: a move committed while their PATCH waits
    for the row changes nothing for them (the row re-read under the lock used to join the
    therapist as they were before the move, found no row and answered 500)."""
    colleague = StaffFactory(clinic=therapist_a.clinic)
    other_admin = AdminFactory(clinic=therapist_a.clinic)

    def move_to_colleague() -> None:
        patient = Patient.objects.get(pk=patient_a.pk)
        patient_update_partial(patient=patient, changes={"therapist": colleague}, actor=admin_a)

    race(move_to_colleague, patch(other_admin, patient_a, {"phone": "+44 20 7946 0000"}))

    saved = Patient.objects.get(pk=patient_a.pk)
    assert (saved.therapist, saved.phone) == (colleague, "+44 20 7946 0000")
