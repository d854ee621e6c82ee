"""POST /api/v1/patients/<id>/archive/ and /restore/, and the list's status=archived."""

import pytest

from apps.audit.models import AuditEntry
from apps.patients.archive_services import patient_archive
from apps.patients.models import Patient
from tests.conftest import signed_in
from tests.factories import PatientFactory, StaffFactory
from tests.security.matrix import api_schema

pytestmark = pytest.mark.django_db


def api(patient, action):
    return f"/api/v1/patients/{patient.public_id}/{action}/"


def archived_at(patient):
    return Patient.objects.get(pk=patient.pk).archived_at


def entries(patient, detail):
    return AuditEntry.objects.filter(patient=patient, action="change", detail=detail).count()


def test_archive_answers_the_patient_with_archived_at_and_is_audited(therapist_a, patient_a):
    response = signed_in(therapist_a).post(api(patient_a, "archive"))

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(patient_a.public_id)
    assert body["archived_at"] is not None
    assert archived_at(patient_a) is not None
    assert entries(patient_a, "patient archived (discharged)") == 1


def test_archive_twice_is_200_and_records_once(therapist_a, patient_a):
    client = signed_in(therapist_a)
    first = client.post(api(patient_a, "archive")).json()

    second = client.post(api(patient_a, "archive"))

    assert second.status_code == 200
    assert second.json()["archived_at"] == first["archived_at"]
    assert entries(patient_a, "patient archived (discharged)") == 1


def test_restore_answers_the_patient_without_archived_at_and_is_audited(therapist_a, patient_a):
    patient_archive(patient=patient_a, actor=therapist_a)
    client = signed_in(therapist_a)

    response = client.post(api(patient_a, "restore"))
    again = client.post(api(patient_a, "restore"))

    assert response.status_code == again.status_code == 200
    assert response.json()["archived_at"] is None
    assert archived_at(patient_a) is None
    assert entries(patient_a, "patient restored") == 1


def test_restore_with_a_deactivated_therapist_is_a_400_in_the_error_format(admin_a, patient_a):
    patient_archive(patient=patient_a, actor=admin_a)
    type(admin_a).objects.filter(pk=patient_a.therapist_id).update(is_active=False)

    response = signed_in(admin_a).post(api(patient_a, "restore"))

    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"message", "errors"}
    assert list(body["errors"]) == ["therapist"]
    assert archived_at(patient_a) is not None


def test_an_archived_patient_is_still_readable_and_listed_on_request(therapist_a, patient_a):
    patient_archive(patient=patient_a, actor=therapist_a)
    client = signed_in(therapist_a)

    detail = client.get(f"/api/v1/patients/{patient_a.public_id}/")
    active = client.get("/api/v1/patients/").json()
    archived = client.get("/api/v1/patients/?status=archived").json()

    assert detail.status_code == 200
    assert detail.json()["archived_at"] is not None
    assert active["results"] == []
    assert [row["id"] for row in archived["results"]] == [str(patient_a.public_id)]


def test_a_bad_status_is_a_400(therapist_a):
    response = signed_in(therapist_a).get("/api/v1/patients/?status=gone")

    assert response.status_code == 400
    assert response.json()["errors"] == {"status": ["Use active or archived."]}


@pytest.mark.parametrize("count", [1, 8])
def test_the_archived_list_runs_a_fixed_number_of_queries(
    therapist_a, django_assert_max_num_queries, count
):
    for patient in PatientFactory.create_batch(count, therapist=therapist_a):
        patient_archive(patient=patient, actor=therapist_a)
    client = signed_in(therapist_a)

    with django_assert_max_num_queries(12):
        response = client.get("/api/v1/patients/?status=archived")

    assert len(response.json()["results"]) == count


def test_a_colleagues_patient_is_a_404_for_a_therapist(therapist_a):
    colleague_patient = PatientFactory(therapist=StaffFactory(clinic=therapist_a.clinic))
    client = signed_in(therapist_a)

    assert client.post(api(colleague_patient, "archive")).status_code == 404
    assert client.post(api(colleague_patient, "restore")).status_code == 404
    assert archived_at(colleague_patient) is None


def test_another_clinics_patient_is_a_404_in_the_error_format(admin_a, patient_b):
    client = signed_in(admin_a)

    for action in ("archive", "restore"):
        response = client.post(api(patient_b, action))
        assert response.status_code == 404
        assert set(response.json()) == {"message", "errors"}
    assert archived_at(patient_b) is None


def test_a_patient_is_refused(patient_a):
    client = signed_in(patient_a.user)

    assert client.post(api(patient_a, "archive")).status_code == 403
    assert client.post(api(patient_a, "restore")).status_code == 403
    assert archived_at(patient_a) is None


def test_both_operations_are_documented_archive_without_a_body():
    paths = api_schema()["paths"]

    for action in ("archive", "restore"):
        operation = paths[f"/api/v1/patients/{{public_id}}/{action}/"]["post"]
        assert operation["operationId"] == f"patients_{action}"
        assert "200" in operation["responses"]
    assert "requestBody" not in paths["/api/v1/patients/{public_id}/archive/"]["post"]
    # Restore takes an optional body: the therapist, when theirs has been deactivated.
    restore = paths["/api/v1/patients/{public_id}/restore/"]["post"]
    assert restore["requestBody"].get("required") is not True
    listing = paths["/api/v1/patients/"]["get"]
    assert "status" in [p["name"] for p in listing["parameters"]]
