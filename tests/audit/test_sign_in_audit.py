"""Staff sign-ins are recorded in the audit log."""

import pytest

from apps.audit.models import Action, AuditEntry
from tests.factories import STAFF_PASSWORD

pytestmark = pytest.mark.django_db


def test_a_staff_sign_in_is_recorded(client, therapist_a):
    response = client.post("/sign-in/", {"username": therapist_a.email, "password": STAFF_PASSWORD})

    assert response.status_code == 302
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.clinic_id) == (
        Action.SIGN_IN,
        therapist_a,
        therapist_a.clinic_id,
    )
    assert entry.ip_address == "127.0.0.1"


def test_a_failed_sign_in_records_no_entry(client, therapist_a):
    client.post("/sign-in/", {"username": therapist_a.email, "password": "wrong password"})

    assert not AuditEntry.objects.exists()


def test_a_patient_sign_in_is_not_a_staff_sign_in(client, patient_a):
    from apps.patients.auth import personal_link_path

    client.post(personal_link_path(patient_a), {"year_of_birth": patient_a.year_of_birth})

    assert not AuditEntry.objects.filter(action=Action.SIGN_IN).exists()
