"""A change of a patient that changes nothing (an API PATCH with an empty body, or with the
values the patient already has) writes nothing and records nothing: before, it wrote the row
and put a "change" in the audit log with nothing changed. The API answers 200 with the
patient as they are."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.audit.models import AuditEntry
from apps.patients.models import Patient
from apps.patients.services import patient_update
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db


def _patch(user, patient, body):
    url = f"/api/v1/patients/{patient.public_id}/update/"
    with CaptureQueriesContext(connection) as queries:
        response = signed_in(user).patch(url, body, content_type="application/json")
    table = Patient._meta.db_table
    statements = [query["sql"] or "" for query in queries]  # a prepared statement's is None
    writes = [sql for sql in statements if sql.startswith(f'UPDATE "{table}"')]
    return response, writes


def _changes():
    return AuditEntry.objects.filter(action="change")


def test_an_empty_patch_writes_nothing_and_records_nothing(therapist_a, patient_a):
    response, writes = _patch(therapist_a, patient_a, {})

    assert response.status_code == 200
    assert (response.json()["full_name"], response.json()["email"]) == (
        "Ann A",
        patient_a.email,
    )
    assert writes == []
    assert not _changes().exists()


def test_a_patch_of_the_values_the_patient_has_writes_nothing(therapist_a, patient_a):
    same = {"full_name": " Ann A ", "email": patient_a.email.upper(), "year_of_birth": 1961}

    response, writes = _patch(therapist_a, patient_a, same)

    assert response.status_code == 200
    assert writes == []
    assert not _changes().exists()


def test_a_patch_that_changes_one_value_is_written_and_recorded(therapist_a, patient_a):
    response, writes = _patch(therapist_a, patient_a, {"full_name": "Ann A", "phone": "0161 4960"})

    assert response.status_code == 200
    assert len(writes) == 1
    assert _changes().filter(patient=patient_a).count() == 1


def test_a_full_update_with_every_value_as_it_is_records_nothing(therapist_a, patient_a):
    details = {
        "therapist": therapist_a, "full_name": "Ann A", "year_of_birth": 1961,
        "email": patient_a.email, "phone": patient_a.phone, "time_zone": patient_a.time_zone,
        "reminder_time": patient_a.reminder_time, "reminder_channel": patient_a.reminder_channel,
        "reminders_enabled": patient_a.reminders_enabled,
    }  # fmt: skip

    patient_update(patient=patient_a, **details, actor=therapist_a)

    assert not _changes().exists()
