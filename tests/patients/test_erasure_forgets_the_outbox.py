"""Erasing a patient forgets the queued work that carries their email address: a one-time
link request keeps the address in its outbox row until it is sent, and a row given up on is
kept until an operator looks, which for an erased patient must not be forever."""

from __future__ import annotations

import uuid

import pytest

from apps.core import outbox
from apps.core.models import OutboxMessage, OutboxStatus
from apps.patients import privacy

pytestmark = pytest.mark.django_db

TASK = "apps.notifications.tasks.send_one_time_links"


def test_erasure_deletes_the_rows_that_carry_the_patients_address(admin_a, patient_a):
    patient_a.email = "Ann.Patient@example.com"
    patient_a.save(update_fields=["email"])
    waiting = outbox.enqueue(TASK, ["ann.patient@example.com", str(uuid.uuid4())])
    given_up = outbox.enqueue(TASK, ["Ann.Patient@example.com", str(uuid.uuid4())])
    OutboxMessage.objects.filter(pk=given_up.pk).update(status=OutboxStatus.DEAD)
    # Someone else's, and an address that merely contains hers: both stay.
    other = outbox.enqueue(TASK, ["bob@example.com", str(uuid.uuid4())])
    longer = outbox.enqueue(TASK, ["joann.patient@example.com", str(uuid.uuid4())])

    privacy.patient_erase(actor=admin_a, patient=patient_a, confirmation=patient_a.full_name)

    left = set(OutboxMessage.objects.values_list("pk", flat=True))
    assert waiting.pk not in left
    assert given_up.pk not in left
    assert {other.pk, longer.pk} <= left
