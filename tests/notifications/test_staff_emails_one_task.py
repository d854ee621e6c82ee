"""Every staff email is queued one way: ``enqueue_notifications`` (reserved, ``EMAILS_PER_TASK``
a ``deliver_notifications`` task). The sweep's retries and the repair of given-up evaluations
each queued one ``deliver_notification`` task an email, under a reservation of their own."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import TestCase
from django.utils import timezone

from apps.core.models import OutboxMessage
from apps.notifications.dispatch import DELIVER_NOTIFICATIONS, EMAILS_PER_TASK
from apps.notifications.models import DeliveryStatus, StaffNotification
from apps.notifications.services import set_log_evaluate
from apps.notifications.sweep import notifications_sweep
from apps.notifications.tasks import sweep_notifications
from tests.factories import LadderItemFactory
from tests.notifications.factories import SetLogFactory

pytestmark = pytest.mark.django_db


def emails_due_again(count: int) -> list[int]:
    """``count`` recorded staff emails (pain alerts of different patients) whose first try
    failed and whose retry is due."""
    ids = [
        notification_id
        for _ in range(count)
        for notification_id in set_log_evaluate(
            log_id=SetLogFactory(item=LadderItemFactory(per_side=False), pain=8).pk
        )
    ]
    assert len(ids) == count
    StaffNotification.objects.filter(pk__in=ids).update(
        status=DeliveryStatus.CLAIMED, retry_after=timezone.now() - timedelta(minutes=5)
    )
    return ids


def test_the_sweep_queues_due_emails_in_batches_of_the_one_task():
    ids = emails_due_again(EMAILS_PER_TASK + 1)

    with TestCase.captureOnCommitCallbacks(execute=False):
        sweep_notifications()

    messages = list(OutboxMessage.objects.order_by("pk"))
    assert {message.task for message in messages} == {DELIVER_NOTIFICATIONS}
    batches = [message.args[0] for message in messages]
    assert sorted(pk for batch in batches for pk in batch) == sorted(ids)
    assert [len(batch) for batch in batches] == [EMAILS_PER_TASK, 1]
    tokens = {message.args[1] for message in messages}
    reserved = set(StaffNotification.objects.values_list("claim_token", flat=True))
    assert {str(token) for token in reserved} == tokens


def test_emails_the_sweep_queued_are_left_to_their_tasks_by_the_next_sweep():
    emails_due_again(2)
    with TestCase.captureOnCommitCallbacks(execute=False):
        sweep_notifications()

    later = timezone.now() + timedelta(minutes=2)
    assert notifications_sweep(now=later, batch=10).notifications == []
