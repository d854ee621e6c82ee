"""A staff email whose task runs twice with the same reservation is sent once.

The sweep and the repair of given-up evaluations queue an email with the token they reserved
it under, and the outbox runs a task again when its worker died after the work but before
marking it done. The second run found the row by that token, already sent, and sent it
again: taking the row must say whether this run took it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from apps.notifications import delivery
from apps.notifications.models import DeliveryStatus, StaffNotification
from apps.notifications.services import notification_deliver, set_log_evaluate
from tests.factories import LadderItemFactory
from tests.notifications.factories import SetLogFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reserved() -> tuple[int, object]:
    item = LadderItemFactory(per_side=False)
    (notification_id,) = set_log_evaluate(log_id=SetLogFactory(item=item, reps=5, pain=8).pk)
    now = timezone.now()
    token = delivery.reserve(
        StaffNotification, [notification_id], now=now, hold=timedelta(minutes=4)
    )
    return notification_id, token


def test_an_email_task_run_again_after_it_sent_sends_nothing(reserved):
    notification_id, token = reserved

    assert notification_deliver(notification_id=notification_id, token=token) is True
    assert notification_deliver(notification_id=notification_id, token=token) is False

    assert len(mail.outbox) == 1
    assert StaffNotification.objects.get().status == DeliveryStatus.SENT


def test_an_email_being_sent_is_not_sent_by_a_second_run_of_its_task(reserved):
    """The first run took the row and is sending it when the second starts."""
    notification_id, token = reserved
    first = delivery.take_one(StaffNotification, notification_id, now=timezone.now(), token=token)
    assert first is not None

    assert notification_deliver(notification_id=notification_id, token=token) is False

    assert mail.outbox == []
    assert StaffNotification.objects.get().status == DeliveryStatus.SENDING
