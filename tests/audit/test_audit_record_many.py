"""A job that changes many records at once writes their audit entries together: the same
entries, in the same chain and clinic numbering, as one ``audit_record`` call each, in a
fixed number of queries however many there are."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.audit.models import Action, AuditEntry
from apps.audit.selectors import audit_chain_verify
from apps.audit.services import AuditRecord, audit_record, audit_record_many
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

COMPARED = (
    "actor_id", "actor_label", "clinic_id", "action", "patient_id", "patient_ref",
    "target_type", "target_ref", "detail", "ip_address",
)  # fmt: skip


def _fields(entry: AuditEntry) -> tuple:
    return tuple(getattr(entry, name) for name in COMPARED)


def test_the_entries_follow_the_chain_and_the_clinics_numbers(therapist_a, patient_a, patient_b):
    audit_record(actor=therapist_a, action=Action.VIEW, patient=patient_a)
    audit_record(actor=None, action=Action.VIEW, patient=patient_b)
    others = PatientFactory.create_batch(2, therapist=patient_a.therapist)

    written = audit_record_many(
        actor=None,
        action=Action.CHANGE,
        records=[AuditRecord(p, p, f"closed: {n}") for n, p in enumerate([patient_a, *others])],
    )

    stored = list(AuditEntry.objects.filter(pk__in=[e.pk for e in written]).order_by("sequence"))
    assert [e.sequence for e in stored] == [3, 4, 5]
    assert [e.clinic_sequence for e in stored] == [2, 3, 4]
    assert [e.detail for e in stored] == ["closed: 0", "closed: 1", "closed: 2"]
    assert audit_chain_verify().first_break is None


def test_an_entry_reads_as_the_one_audit_record_writes(therapist_a, patient_a):
    one = audit_record(
        actor=therapist_a, action=Action.CHANGE, patient=patient_a, target=patient_a, detail="x"
    )
    (many,) = audit_record_many(
        actor=therapist_a, action=Action.CHANGE, records=[AuditRecord(patient_a, patient_a, "x")]
    )

    assert _fields(AuditEntry.objects.get(pk=many.pk)) == _fields(one)
    assert many.previous_hash == one.entry_hash


def _queries_to_write(count: int, therapist) -> int:
    patients = PatientFactory.create_batch(count, therapist=therapist)
    with CaptureQueriesContext(connection) as queries:
        audit_record_many(
            actor=None, action=Action.CHANGE, records=[AuditRecord(p, p) for p in patients]
        )
    return len(queries)


def test_the_queries_do_not_grow_with_the_entries(therapist_a):
    one, thirty = _queries_to_write(1, therapist_a), _queries_to_write(30, therapist_a)

    # The savepoint, the chain's lock with its last entries (two statements, one round
    # trip), the insert, the release.
    assert one == thirty == 5
    assert AuditEntry.objects.count() == 31
    assert audit_chain_verify().first_break is None


def test_entries_of_two_clinics_are_refused_and_nothing_is_written(patient_a, patient_b):
    with pytest.raises(ValueError, match="one clinic"):
        audit_record_many(
            actor=None,
            action=Action.CHANGE,
            records=[AuditRecord(patient_a, patient_a), AuditRecord(patient_b, patient_b)],
        )

    assert not AuditEntry.objects.exists()


def test_no_records_write_nothing():
    assert audit_record_many(actor=None, action=Action.CHANGE, records=[]) == []
