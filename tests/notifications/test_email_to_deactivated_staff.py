"""A staff email waiting for a retry is never sent once its recipient was deactivated: the
person has left the clinic, and the email names a patient with their pain, notes and level.
Deactivation ends everything the account held; an email queued for it was still sent."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone

from apps.clinics.services import staff_set_active
from apps.notifications.models import DeliveryStatus, StaffNotification
from apps.notifications.services import notification_deliver, set_log_evaluate
from apps.patients.models import Patient
from tests.factories import AdminFactory, LadderItemFactory, StaffFactory
from tests.notifications.factories import SetLogFactory

pytestmark = pytest.mark.django_db


def test_an_email_to_a_therapist_deactivated_since_is_skipped_not_sent():
    item = LadderItemFactory(per_side=False, ladder__name="Clamshell")
    patient = item.program.patient
    leaver = patient.therapist
    (notification_id,) = set_log_evaluate(log_id=SetLogFactory(item=item, reps=5, pain=8).pk)
    now = timezone.now()
    with mock.patch("django.core.mail.EmailMessage.send", side_effect=OSError("refused")):
        assert notification_deliver(notification_id=notification_id, now=now) is False
    # The therapist leaves: their patients move to a colleague, then they are deactivated.
    colleague = StaffFactory(clinic=patient.clinic)
    Patient.objects.filter(pk=patient.pk).update(therapist=colleague)
    staff_set_active(admin=AdminFactory(clinic=patient.clinic), staff=leaver, active=False)

    sent = notification_deliver(notification_id=notification_id, now=now + timedelta(hours=1))

    assert sent is False
    assert mail.outbox == []
    row = StaffNotification.objects.get(pk=notification_id)
    assert row.status == DeliveryStatus.SKIPPED
    assert "deactivated" in row.error
