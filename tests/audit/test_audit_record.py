import pytest

from apps.audit.models import Action, AuditEntry
from apps.audit.services import GENESIS_HASH, audit_record, entry_hash

pytestmark = pytest.mark.django_db


def test_entries_are_chained_by_hash(therapist_a, patient_a):
    first = audit_record(actor=therapist_a, action=Action.VIEW, patient=patient_a, target=patient_a)
    second = audit_record(actor=therapist_a, action=Action.EXPORT, patient=patient_a)

    assert first.previous_hash == GENESIS_HASH
    assert second.previous_hash == first.entry_hash
    reloaded = AuditEntry.objects.get(pk=second.pk)
    assert entry_hash(reloaded, reloaded.previous_hash) == reloaded.entry_hash


def test_an_entry_names_records_without_copying_health_data(therapist_a, patient_a):
    entry = audit_record(actor=therapist_a, action=Action.VIEW, patient=patient_a, target=patient_a)

    assert entry.patient_ref == str(patient_a.public_id)
    assert patient_a.full_name not in repr(entry.__dict__)
    assert entry.clinic_id == therapist_a.clinic_id
