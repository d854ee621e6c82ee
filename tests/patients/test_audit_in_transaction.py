"""Patient changes and their audit entries are saved together or not at all: the services
write the entry inside their own transaction, so a failure on either side leaves neither."""

from __future__ import annotations

import pytest

from apps.audit.models import Action, AuditEntry
from apps.patients import auth, services
from apps.patients.models import Patient
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db


class AuditDown(Exception):
    pass


@pytest.fixture
def audit_fails(monkeypatch):
    def fail(**kwargs):
        raise AuditDown

    monkeypatch.setattr("apps.patients.services.audit_record", fail)


def _details(patient: Patient) -> dict[str, object]:
    return {name: getattr(patient, name) for name in services.PATIENT_FIELDS}


def test_a_patient_is_not_created_when_its_audit_entry_cannot_be_written(therapist_a, audit_fails):
    with pytest.raises(AuditDown):
        services.patient_create(
            therapist=therapist_a,
            full_name="Ann Other",
            year_of_birth=1960,
            reminders_enabled=False,
            actor=therapist_a,
        )

    assert not Patient.objects.filter(full_name="Ann Other").exists()


def test_a_patient_change_is_undone_when_its_audit_entry_cannot_be_written(
    therapist_a, patient_a, audit_fails
):
    details = _details(patient_a) | {"full_name": "Changed Name"}

    with pytest.raises(AuditDown):
        services.patient_update(patient=patient_a, **details, actor=therapist_a)

    patient_a.refresh_from_db()
    assert patient_a.full_name != "Changed Name"


def test_a_renewed_link_is_undone_when_its_audit_entry_cannot_be_written(
    therapist_a, patient_a, audit_fails
):
    version = patient_a.link_version

    with pytest.raises(AuditDown):
        auth.personal_link_renew(patient=patient_a, actor=therapist_a)

    patient_a.refresh_from_db()
    assert patient_a.link_version == version


def test_a_link_email_that_fails_to_send_leaves_no_audit_entry(therapist_a, patient_a, monkeypatch):
    def mail_down(**kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr("apps.patients.services.send_mail", mail_down)

    with pytest.raises(OSError, match="mail server down"):
        services.patient_link_email_send(
            patient=patient_a, link_url="https://example.test/l", actor=therapist_a
        )

    assert not AuditEntry.objects.filter(action=Action.EXPORT).exists()


def test_each_change_from_the_pages_is_audited_once(therapist_a, patient_a):
    client = signed_in(therapist_a)

    client.post(f"/patients/{patient_a.public_id}/link/revoke/")
    client.post(f"/patients/{patient_a.public_id}/", {"change": "renew-link"})

    details = list(
        AuditEntry.objects.filter(action=Action.CHANGE, target_ref=str(patient_a.public_id))
        .order_by("sequence")
        .values_list("detail", flat=True)
    )
    assert details == ["personal link revoked", "personal link renewed"]
