"""Audit entries cannot be changed or deleted: in Python, and on PostgreSQL in the database."""

import pytest
from django.db import DatabaseError, connection, transaction

from apps.audit.models import Action, AppendOnlyError, AuditEntry
from apps.audit.services import audit_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(therapist_a, patient_a):
    return audit_record(actor=therapist_a, action=Action.VIEW, patient=patient_a, target=patient_a)


def test_saving_an_existing_entry_is_refused(entry):
    entry.detail = "rewritten"

    with pytest.raises(AppendOnlyError):
        entry.save()


def test_deleting_an_entry_is_refused(entry):
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_bulk_updates_are_refused(entry):
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(detail="rewritten")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.bulk_update([entry], ["detail"])


@pytest.mark.postgres
def test_the_database_refuses_update_and_delete(require_postgres, entry):
    for sql in (
        "UPDATE audit_auditentry SET detail = 'x' WHERE id = %s",
        "DELETE FROM audit_auditentry WHERE id = %s",
        "UPDATE audit_auditentry SET patient_id = NULL, detail = 'x' WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [entry.pk])
    entry_after = AuditEntry.objects.get(pk=entry.pk)
    assert entry_after.detail == entry.detail


@pytest.mark.postgres
def test_the_database_lets_an_erased_patient_be_unlinked(require_postgres, entry):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET patient_id = NULL WHERE id = %s", [entry.pk])

    assert AuditEntry.objects.get(pk=entry.pk).patient_ref == entry.patient_ref
