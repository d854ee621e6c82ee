"""The Inbox's link to the reminders says whose reminders it lists: a therapist's patients, or
the whole clinic's for a clinic admin (who sees every patient's there)."""

import pytest

from tests.conftest import signed_in

pytestmark = pytest.mark.django_db


def test_a_therapist_reads_of_their_own_patients(therapist_a):
    page = signed_in(therapist_a).get("/inbox/").content.decode()

    assert "Reminders sent to your patients" in page


def test_a_clinic_admin_reads_of_the_clinics_patients(admin_a):
    page = signed_in(admin_a).get("/inbox/").content.decode()

    assert "Reminders sent to the clinic's patients" in page
    assert "Reminders sent to your patients" not in page
