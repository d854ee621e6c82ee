"""Audit entries are numbered per clinic, so no clinic learns how busy the others are; the
hash chain stays one for the whole installation."""

import importlib

import pytest
from django.db import connection

from apps.audit.models import Action, AuditEntry
from apps.audit.selectors import audit_chain_verify
from apps.audit.services import audit_record
from tests.audit.tampering import raw_update
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db

migration = importlib.import_module("apps.audit.migrations.0003_clinic_sequence")


class SchemaEditor:
    """What the migration's function uses of a schema editor (SQLite refuses a real one
    inside the test's transaction)."""

    connection = connection

    def execute(self, sql, params=None):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def record(user, patient):
    return audit_record(actor=user, action=Action.VIEW, patient=patient, target=patient)


@pytest.fixture
def interleaved(therapist_a, therapist_b, patient_a, patient_b):
    """A, B, B, A, B, A: six entries of the chain, three per clinic."""
    order = [(therapist_a, patient_a), (therapist_b, patient_b), (therapist_b, patient_b)]
    order += [(therapist_a, patient_a), (therapist_b, patient_b), (therapist_a, patient_a)]
    return [record(user, patient) for user, patient in order]


def numbers(clinic):
    entries = AuditEntry.objects.filter(clinic=clinic).order_by("sequence")
    return list(entries.values_list("clinic_sequence", flat=True))


def test_each_clinic_counts_its_own_entries(interleaved, clinic_a, clinic_b):
    assert numbers(clinic_a) == [1, 2, 3]
    assert numbers(clinic_b) == [1, 2, 3]
    assert [e.sequence for e in interleaved] == [1, 2, 3, 4, 5, 6]
    assert audit_chain_verify().first_break is None


def test_the_admin_sees_only_their_clinics_numbers(interleaved, admin_a):
    response = signed_in(admin_a).get("/audit/")

    assert [e.clinic_sequence for e in response.context["page"]] == [3, 2, 1]
    cells = response.content.decode()
    assert "<td>3</td>" in cells
    # Clinic A's entries are the chain's 1st, 4th and 6th: those numbers never show.
    assert "<td>6</td>" not in cells
    assert "<td>4</td>" not in cells


def test_entries_of_no_clinic_take_no_clinic_number(db):
    entry = audit_record(actor=None, action=Action.SIGN_IN, detail="unknown user")

    assert entry.clinic_id is None
    assert entry.clinic_sequence is None


def test_verify_names_an_entry_whose_clinic_number_was_changed(interleaved):
    raw_update(interleaved[3].pk, clinic_sequence=5)

    broken = audit_chain_verify().first_break

    assert broken is not None
    assert broken.sequence == 4
    assert "clinic" in broken.reason


def test_the_migration_numbers_existing_entries_per_clinic_in_chain_order(
    interleaved, clinic_a, clinic_b
):
    for entry in interleaved:
        raw_update(entry.pk, clinic_sequence=None)
    assert numbers(clinic_a) == [None, None, None]

    migration.number_existing_entries(None, SchemaEditor())

    assert numbers(clinic_a) == [1, 2, 3]
    assert numbers(clinic_b) == [1, 2, 3]
    assert audit_chain_verify().first_break is None
