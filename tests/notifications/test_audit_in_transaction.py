"""Notification changes and their audit entries are saved together or not at all: turning
reminders off with the emailed link and marking a pain alert seen write the entry inside the
service's transaction."""

from __future__ import annotations

from datetime import date

import pytest

from apps.audit.models import AuditEntry
from apps.notifications import services
from apps.notifications.models import PainAlert
from apps.patients.models import Patient

pytestmark = pytest.mark.django_db


class AuditDown(Exception):
    pass


@pytest.fixture
def audit_fails(monkeypatch):
    def fail(**kwargs):
        raise AuditDown

    monkeypatch.setattr("apps.notifications.services.audit_record", fail)


def test_reminders_stay_on_when_the_opt_out_cannot_be_audited(patient_a, audit_fails):
    with pytest.raises(AuditDown):
        services.patient_reminders_opt_out(patient=patient_a)

    assert Patient.objects.get(pk=patient_a.pk).reminders_enabled


def test_an_alert_stays_unseen_when_seeing_it_cannot_be_audited(
    therapist_a, patient_a, audit_fails
):
    alert = PainAlert.objects.create(patient=patient_a, local_date=date(2025, 1, 1), pain=8)

    with pytest.raises(AuditDown):
        services.pain_alert_acknowledge(alert=alert, user=therapist_a)

    alert.refresh_from_db()
    assert alert.acknowledged_at is None


def test_the_opt_out_is_audited_once_in_its_own_transaction(patient_a):
    services.patient_reminders_opt_out(patient=patient_a)

    entries = AuditEntry.objects.filter(target_ref=str(patient_a.public_id))
    assert [e.detail for e in entries] == ["reminders turned off with the emailed link"]
