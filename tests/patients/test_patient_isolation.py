import pytest

from apps.patients.models import Patient
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db


def test_a_therapist_of_clinic_a_gets_404_for_clinic_b_patient(therapist_a, patient_b):
    response = signed_in(therapist_a).get(f"/patients/{patient_b.public_id}/")

    assert response.status_code == 404


def test_a_therapist_sees_their_own_clinic_patient(therapist_a, patient_a):
    response = signed_in(therapist_a).get(f"/patients/{patient_a.public_id}/")

    assert response.status_code == 200


def test_an_admin_of_clinic_b_gets_404_for_clinic_a_patient(admin_b, patient_a):
    assert signed_in(admin_b).get(f"/patients/{patient_a.public_id}/").status_code == 404


def test_a_patient_cannot_open_staff_pages(patient_a):
    client = signed_in(patient_a.user)

    assert client.get(f"/patients/{patient_a.public_id}/").status_code == 403
    assert client.get("/patients/").status_code == 403


def test_visible_to_never_crosses_clinics(therapist_a, admin_b, patient_a, patient_b):
    assert list(Patient.objects.visible_to(therapist_a)) == [patient_a]
    assert list(Patient.objects.visible_to(admin_b)) == [patient_b]
    assert list(Patient.objects.visible_to(patient_a.user)) == [patient_a]
