import pytest

from apps.audit.models import Action, AuditEntry
from apps.audit.selectors import audit_chain_verify
from apps.audit.services import GENESIS_HASH, audit_record, entry_hash
from apps.clinics.models import User

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


def test_an_entry_about_a_clinic_by_someone_of_no_clinic_is_in_that_clinics_log(clinic_a):
    operator = User.objects.create_superuser("ops@example.org", "a long operator password")

    entry = audit_record(actor=operator, action=Action.CHANGE, target=clinic_a, detail="phone")

    assert (entry.clinic_id, entry.clinic_sequence) == (clinic_a.pk, 1)
    assert audit_chain_verify().first_break is None


def test_a_staff_members_entry_about_a_clinic_stays_in_their_own_clinics_log(admin_a, clinic_b):
    entry = audit_record(actor=admin_a, action=Action.VIEW, target=clinic_b)

    assert entry.clinic_id == admin_a.clinic_id
