"""A patient is handed only to an active therapist or admin: a deactivated colleague cannot
sign in to see them, nor gets their prompts and pain alerts. The page offers active staff
only; the API and the services refuse the rest with a 400 that says what to do. A patient
whose own therapist was deactivated stays editable (keeping that therapist) until moved."""

import pytest
from django.core.exceptions import ValidationError

from apps.clinics.models import User
from apps.patients.models import Patient
from apps.patients.services import patient_create, patient_update
from tests.conftest import signed_in
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def gone(clinic_a):
    """A colleague of the clinic who has been deactivated."""
    colleague = StaffFactory(clinic=clinic_a, full_name="Gwen Gone")
    User.objects.filter(pk=colleague.pk).update(is_active=False)
    return User.objects.get(pk=colleague.pk)


def test_moving_a_patient_to_a_deactivated_colleague_through_the_api_is_a_400(
    admin_a, patient_a, therapist_a, gone
):
    response = signed_in(admin_a).patch(
        f"/api/v1/patients/{patient_a.public_id}/update/",
        {"therapist": str(gone.public_id)},
        "application/json",
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "therapist": ["Gwen Gone has been deactivated: choose an active colleague."]
    }
    assert Patient.objects.get(pk=patient_a.pk).therapist_id == therapist_a.pk


def test_adding_a_patient_for_a_deactivated_colleague_through_the_api_is_a_400(admin_a, gone):
    response = signed_in(admin_a).post(
        "/api/v1/patients/create/",
        {"full_name": "Lee Park", "year_of_birth": 1980, "therapist": str(gone.public_id)},
        "application/json",
    )

    assert response.status_code == 400
    assert "has been deactivated" in response.json()["errors"]["therapist"][0]
    assert not Patient.objects.filter(full_name="Lee Park").exists()


def test_the_services_refuse_a_deactivated_newcomer(admin_a, patient_a, gone):
    with pytest.raises(ValidationError, match="choose an active colleague"):
        patient_update(
            patient=patient_a, therapist=gone, full_name=patient_a.full_name,
            year_of_birth=patient_a.year_of_birth, time_zone=patient_a.time_zone, actor=admin_a,
        )  # fmt: skip
    with pytest.raises(ValidationError, match="choose an active colleague"):
        patient_create(
            therapist=gone,
            full_name="Lee Park",
            year_of_birth=1980,
            reminders_enabled=False,
            actor=admin_a,
        )


def test_a_patient_keeping_their_deactivated_therapist_stays_editable(
    admin_a, patient_a, therapist_a
):
    User.objects.filter(pk=therapist_a.pk).update(is_active=False)

    response = signed_in(admin_a).patch(
        f"/api/v1/patients/{patient_a.public_id}/update/",
        {"phone": "+44 7700 900123"},
        "application/json",
    )

    assert response.status_code == 200
    patient = Patient.objects.get(pk=patient_a.pk)
    assert (patient.therapist_id, patient.phone) == (therapist_a.pk, "+44 7700 900123")
