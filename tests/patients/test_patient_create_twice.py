"""Adding a patient twice with the same one-time key (a double click on Add, a retried API
call) adds them once: the second request answers with the patient the first added."""

from __future__ import annotations

import uuid

import pytest

from apps.audit.models import AuditEntry
from apps.clinics.models import User
from apps.patients.models import Patient
from tests.conftest import signed_in
from tests.once import assert_reused, form_key

pytestmark = pytest.mark.django_db

NEW_PATIENT = {
    "full_name": "Nia Okafor",
    "email": "nia@mail.example",
    "year_of_birth": 1970,
    "time_zone": "Europe/Madrid",
    "reminder_channel": "email",
    "reminders_enabled": "on",
}


def test_the_add_patient_form_sent_twice_adds_the_patient_once(therapist_a):
    client = signed_in(therapist_a)
    form = NEW_PATIENT | {"client_id": form_key(client.get("/patients/new/").content.decode())}

    answers = [client.post("/patients/new/", form) for _ in range(2)]

    patient = Patient.objects.get()  # one patient, one account, one audit entry
    assert {a["Location"] for a in answers} == {f"/patients/{patient.public_id}/"}
    assert User.objects.filter(role="patient").count() == 1
    assert AuditEntry.objects.filter(action="create", patient=patient).count() == 1


def test_the_edit_form_carries_no_key(therapist_a, patient_a):
    page = signed_in(therapist_a).get(f"/patients/{patient_a.public_id}/edit/")

    assert 'name="client_id"' not in page.content.decode()


def test_a_patient_added_by_the_api_retried_with_its_client_id_is_a_200(therapist_a):
    body = NEW_PATIENT | {"reminders_enabled": True, "client_id": str(uuid.uuid4())}
    client = signed_in(therapist_a)

    first = client.post("/api/v1/patients/create/", body, content_type="application/json")
    again = client.post("/api/v1/patients/create/", body, content_type="application/json")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert Patient.objects.count() == 1


def test_a_key_of_another_clinics_patient_is_refused(therapist_a, therapist_b):
    body = NEW_PATIENT | {"reminders_enabled": True, "client_id": str(uuid.uuid4())}
    signed_in(therapist_b).post("/api/v1/patients/create/", body, content_type="application/json")

    again = signed_in(therapist_a).post(
        "/api/v1/patients/create/", body, content_type="application/json"
    )

    assert again.status_code == 400
    assert "client_id" in again.json()["errors"]
    assert not Patient.objects.filter(clinic=therapist_a.clinic).exists()


def _create(client, body):
    return client.post("/api/v1/patients/create/", body, content_type="application/json")


def test_a_client_id_sent_again_with_other_details_is_a_409_naming_them(therapist_a):
    body = NEW_PATIENT | {"reminders_enabled": True, "client_id": str(uuid.uuid4())}
    client = signed_in(therapist_a)
    _create(client, body)

    again = _create(client, body | {"full_name": "Ada Byrne", "year_of_birth": 1981})

    assert_reused(again, "full_name", "year_of_birth")
    assert list(Patient.objects.values_list("full_name", "year_of_birth")) == [("Nia Okafor", 1970)]
    assert AuditEntry.objects.filter(action="create").count() == 1


def test_a_retry_that_differs_only_in_form_is_the_same_patient(therapist_a):
    body = NEW_PATIENT | {"reminders_enabled": True, "client_id": str(uuid.uuid4())}
    client = signed_in(therapist_a)
    first = _create(client, body)

    # Spaces around the name, the address in capitals: stored the same.
    again = _create(client, body | {"full_name": " Nia Okafor ", "email": "NIA@mail.example"})

    assert again.status_code == 200
    assert again.json() == first.json()


def test_a_retry_after_the_patient_was_edited_is_still_the_same_request(therapist_a):
    body = NEW_PATIENT | {"reminders_enabled": True, "client_id": str(uuid.uuid4())}
    client = signed_in(therapist_a)
    patient_id = _create(client, body).json()["id"]
    client.patch(
        f"/api/v1/patients/{patient_id}/update/",
        {"full_name": "Nia Okafor-Reid"},
        content_type="application/json",
    )

    again = _create(client, body)

    assert again.status_code == 200
    assert again.json()["full_name"] == "Nia Okafor-Reid"
    assert Patient.objects.count() == 1


def test_the_add_form_sent_back_with_other_details_adds_nothing_and_says_why(therapist_a):
    client = signed_in(therapist_a)
    form = NEW_PATIENT | {"client_id": form_key(client.get("/patients/new/").content.decode())}
    client.post("/patients/new/", form)

    # The browser's Back button, another name typed into the same form, Add.
    page = client.post("/patients/new/", form | {"full_name": "Ada Byrne"})

    assert page.status_code == 400
    assert "already used for a different patient" in page.content.decode()
    assert list(Patient.objects.values_list("full_name", flat=True)) == ["Nia Okafor"]


def test_a_patient_added_before_requests_were_kept_answers_a_replay_as_before(therapist_a):
    body = NEW_PATIENT | {"reminders_enabled": True, "client_id": str(uuid.uuid4())}
    client = signed_in(therapist_a)
    first = _create(client, body)
    Patient.objects.update(client_request=None)  # as the migration left older rows

    again = _create(client, body | {"full_name": "Ada Byrne"})

    assert (again.status_code, again.json()) == (200, first.json())
