from datetime import time

import pytest

from apps.audit.models import AuditEntry
from apps.patients.models import Patient
from tests.conftest import signed_in
from tests.factories import PatientFactory, StaffFactory

pytestmark = pytest.mark.django_db
NEW = {
    "full_name": "Lee Park",
    "email": "lee@mail.example",
    "year_of_birth": 1980,
    "time_zone": "Asia/Seoul",
}


def test_the_list_is_scoped_to_the_therapist_and_searchable(therapist_a, patient_a, patient_b):
    colleague = PatientFactory(
        therapist=StaffFactory(clinic=therapist_a.clinic), full_name="Cara C"
    )
    client = signed_in(therapist_a)

    mine = client.get("/api/v1/patients/").json()
    everyone = client.get("/api/v1/patients/?scope=all&q=cara").json()

    assert [row["id"] for row in mine["results"]] == [str(patient_a.public_id)]
    assert [row["id"] for row in everyone["results"]] == [str(colleague.public_id)]


@pytest.mark.parametrize("count", [1, 8])
def test_the_list_runs_a_fixed_number_of_queries(therapist_a, django_assert_max_num_queries, count):
    PatientFactory.create_batch(count, therapist=therapist_a)
    client = signed_in(therapist_a)

    with django_assert_max_num_queries(12):
        response = client.get("/api/v1/patients/")

    assert len(response.json()["results"]) == count


def test_a_bad_scope_is_a_400(therapist_a):
    response = signed_in(therapist_a).get("/api/v1/patients/?scope=everyone")

    assert response.status_code == 400
    assert response.json()["errors"] == {"scope": ["Use mine or all."]}


def test_a_search_with_a_null_character_is_a_400_not_a_500(therapist_a, patient_a):
    response = signed_in(therapist_a).get("/api/v1/patients/?q=ann%00")

    assert response.status_code == 400
    assert response.json() == {
        "message": "q: Null characters are not allowed.",
        "errors": {"q": ["Null characters are not allowed."]},
    }


def test_create_makes_the_caller_the_therapist_and_is_audited(therapist_a):
    response = signed_in(therapist_a).post(
        "/api/v1/patients/create/", NEW, content_type="application/json"
    )

    assert response.status_code == 201
    patient = Patient.objects.get(public_id=response.json()["id"])
    assert (patient.therapist, patient.time_zone) == (therapist_a, "Asia/Seoul")
    assert AuditEntry.objects.filter(action="create", patient=patient).exists()


def test_create_with_bad_input_is_a_400_with_messages_and_saves_nothing(therapist_a):
    bad = NEW | {"time_zone": "Nowhere/City", "year_of_birth": 1800}

    response = signed_in(therapist_a).post(
        "/api/v1/patients/create/", bad, content_type="application/json"
    )

    body = response.json()
    assert response.status_code == 400
    assert set(body["errors"]) == {"time_zone", "year_of_birth"}
    assert body["message"]
    assert not Patient.objects.exists()


@pytest.mark.parametrize("method", ["create", "update"])
def test_an_email_longer_than_the_column_is_a_400_not_a_500(therapist_a, patient_a, method):
    client, email = signed_in(therapist_a), "l" * 250 + "@mail.example"
    if method == "create":
        response = client.post(
            "/api/v1/patients/create/", NEW | {"email": email}, "application/json"
        )
    else:
        url = f"/api/v1/patients/{patient_a.public_id}/update/"
        response = client.patch(url, {"email": email}, "application/json")

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "email": ["Ensure this field has no more than 254 characters."]
    }
    assert not Patient.objects.filter(email=email).exists()


def test_a_rule_of_the_service_is_a_400_too(therapist_a):
    data = NEW | {"reminder_channel": "sms"}

    response = signed_in(therapist_a).post(
        "/api/v1/patients/create/", data, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {"phone": ["Text-message reminders need a phone number."]}


def test_a_reminder_time_inside_the_quiet_hours_is_a_400(therapist_a):
    """Quiet hours (21:00 to 08:00 by default) would skip such a reminder every day."""
    data = NEW | {"reminder_time": "06:30"}

    response = signed_in(therapist_a).post(
        "/api/v1/patients/create/", data, content_type="application/json"
    )

    assert response.status_code == 400
    (message,) = response.json()["errors"]["reminder_time"]
    assert "06:30 is inside the clinic's quiet hours (21:00 to 08:00)" in message
    assert not Patient.objects.exists()


def test_a_reminder_time_outside_the_quiet_hours_is_kept(therapist_a):
    data = NEW | {"reminder_time": "08:00"}

    response = signed_in(therapist_a).post(
        "/api/v1/patients/create/", data, content_type="application/json"
    )

    assert response.status_code == 201
    assert str(Patient.objects.get().reminder_time) == "08:00:00"


def _patient_at_a_time_quiet_hours_grew_over(therapist) -> Patient:
    response = signed_in(therapist).post(
        "/api/v1/patients/create/",
        NEW | {"reminder_time": "20:30"},
        content_type="application/json",
    )
    assert response.status_code == 201
    clinic = therapist.clinic
    clinic.quiet_hours_start = time(20, 0)  # widened after the time was chosen
    clinic.save(update_fields=["quiet_hours_start"])
    return Patient.objects.get()


def test_a_time_quiet_hours_grew_over_does_not_block_a_change_of_phone(therapist_a):
    patient = _patient_at_a_time_quiet_hours_grew_over(therapist_a)

    response = signed_in(therapist_a).patch(
        f"/api/v1/patients/{patient.public_id}/update/",
        {"phone": "+447700900123"},
        content_type="application/json",
    )

    assert response.status_code == 200
    patient.refresh_from_db()
    assert (patient.phone, patient.reminder_time) == ("+447700900123", time(20, 30))


def test_a_new_time_inside_quiet_hours_grown_over_the_old_one_is_a_400(therapist_a):
    patient = _patient_at_a_time_quiet_hours_grew_over(therapist_a)

    response = signed_in(therapist_a).patch(
        f"/api/v1/patients/{patient.public_id}/update/",
        {"reminder_time": "20:45"},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert (
        "20:45 is inside the clinic's quiet hours" in response.json()["errors"]["reminder_time"][0]
    )


def test_only_an_admin_chooses_the_therapist(therapist_a, admin_a):
    colleague = StaffFactory(clinic=therapist_a.clinic)
    data = NEW | {"therapist": str(colleague.public_id)}

    denied = signed_in(therapist_a).post(
        "/api/v1/patients/create/", data, content_type="application/json"
    )
    allowed = signed_in(admin_a).post(
        "/api/v1/patients/create/", data, content_type="application/json"
    )

    assert denied.status_code == 400
    assert allowed.status_code == 201
    assert Patient.objects.get().therapist == colleague


def test_update_changes_only_the_fields_given(therapist_a, patient_a):
    response = signed_in(therapist_a).patch(
        f"/api/v1/patients/{patient_a.public_id}/update/",
        {"phone": "+1 555 0100"},
        content_type="application/json",
    )

    patient_a.refresh_from_db()
    assert response.status_code == 200
    assert (patient_a.phone, patient_a.full_name) == ("+1 555 0100", "Ann A")


def test_a_therapist_cannot_update_a_colleagues_patient_it_is_a_404(therapist_a):
    colleague_patient = PatientFactory(therapist=StaffFactory(clinic=therapist_a.clinic))
    client = signed_in(therapist_a)

    assert client.get(f"/api/v1/patients/{colleague_patient.public_id}/").status_code == 200
    response = client.patch(
        f"/api/v1/patients/{colleague_patient.public_id}/update/",
        {"phone": "1"},
        content_type="application/json",
    )
    assert response.status_code == 404


def test_another_clinics_patient_is_a_404(admin_a, patient_b):
    client = signed_in(admin_a)

    assert client.get(f"/api/v1/patients/{patient_b.public_id}/").status_code == 404
    response = client.patch(
        f"/api/v1/patients/{patient_b.public_id}/update/", {}, content_type="application/json"
    )
    assert response.status_code == 404


def test_a_patient_is_refused(patient_a):
    client = signed_in(patient_a.user)

    assert client.get("/api/v1/patients/").status_code == 403
    assert client.get(f"/api/v1/patients/{patient_a.public_id}/").status_code == 403
