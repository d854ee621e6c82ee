"""A patient's sign-in account in Django admin: its Active box is shown, not offered. Unticking
it there used to leave the patient unarchived (on every list, reminders still due) with their
phones' sessions only paused, and ticking it again brought those sessions back; archiving and
restoring on the clinic's pages are what end a patient's sign-in and bring it back."""

from html import unescape

import pytest

from apps.clinics.models import User
from apps.patients.models import Patient
from tests.clinics.test_operator_admin_checks import _operator, _staff_form
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db

HELP = (
    "A patient's sign-in is ended and brought back by archiving and restoring the patient on "
    "the clinic's pages, not here."
)


def _page(patient):
    return f"/ops/admin/clinics/user/{patient.user.pk}/change/"


def test_a_patients_active_box_is_shown_not_offered_and_says_where_to_archive(patient_a):
    page = unescape(_operator().get(_page(patient_a)).content.decode())

    assert 'name="is_active"' not in page
    assert HELP in page


def test_unticking_a_patients_active_box_changes_nothing(patient_a):
    phone = signed_in(patient_a.user)
    form = _staff_form(patient_a.user, email=patient_a.user.email or "")
    del form["is_active"]  # an unticked box is not sent

    response = _operator().post(_page(patient_a), form)

    assert response.status_code == 302
    assert User.objects.get(pk=patient_a.user.pk).is_active
    assert Patient.objects.get(pk=patient_a.pk).archived_at is None
    assert phone.get("/today/").status_code == 200


def test_a_staff_members_active_box_is_still_offered(therapist_a):
    page = _operator().get(f"/ops/admin/clinics/user/{therapist_a.pk}/change/")
    page = unescape(page.content.decode())

    assert 'name="is_active"' in page
    assert HELP not in page
