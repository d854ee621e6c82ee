"""Erasing a patient and its audit entry are one transaction: if the erasure fails part-way,
the entry is rolled back with it and the patient's data is still there."""

from __future__ import annotations

import pytest

from apps.audit.models import Action, AuditEntry
from apps.patients import privacy
from apps.patients.models import Patient

pytestmark = pytest.mark.django_db


class Down(Exception):
    pass


def test_a_failed_erasure_leaves_the_patient_and_no_deletion_entry(admin_a, patient_a, monkeypatch):
    def fail(user):
        raise Down

    monkeypatch.setattr(privacy, "_close_account", fail)

    with pytest.raises(Down):
        privacy.patient_erase(actor=admin_a, patient=patient_a, confirmation=patient_a.full_name)

    assert Patient.objects.filter(pk=patient_a.pk).exists()
    assert not AuditEntry.objects.filter(action=Action.DELETE).exists()


def test_an_erasure_is_recorded_once(admin_a, patient_a):
    privacy.patient_erase(actor=admin_a, patient=patient_a, confirmation=patient_a.full_name)

    assert AuditEntry.objects.filter(action=Action.DELETE).count() == 1
