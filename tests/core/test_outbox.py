"""The transactional outbox: written with the change, published after commit, run once,
republished by the sweep only when its time came and went."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from celery import shared_task
from django.db import transaction
from django.test import TestCase
from django.utils import timezone

from apps.core import outbox
from apps.core.models import OutboxMessage
from config.celery import app as celery_app
from tests.conftest import celery_conf

pytestmark = pytest.mark.django_db

RAN: list[int] = []
RECORD = "tests.core.test_outbox.record"
EXPLODE = "tests.core.test_outbox.explode"


@shared_task(name=RECORD)
def record(value: int) -> None:
    RAN.append(value)


@shared_task(name=EXPLODE)
def explode() -> None:
    raise RuntimeError("boom")


@pytest.fixture(autouse=True)
def _clean():
    RAN.clear()
    yield
    RAN.clear()


@pytest.fixture
def eager():
    with celery_conf(task_always_eager=True):
        yield


def committed(fn, *args, **kwargs):
    """Run ``fn`` in a transaction and its on-commit callbacks (the publish) after it."""
    with TestCase.captureOnCommitCallbacks(execute=True), transaction.atomic():
        return fn(*args, **kwargs)


def test_it_writes_the_row_in_the_callers_transaction_and_publishes_after_commit():
    with mock.patch.object(celery_app, "send_task") as send_task:
        with TestCase.captureOnCommitCallbacks() as callbacks, transaction.atomic():
            message = outbox.enqueue(RECORD, [7])
            assert OutboxMessage.objects.filter(pk=message.pk).exists()
            send_task.assert_not_called()
        for callback in callbacks:
            callback()

    send_task.assert_called_once()
    assert send_task.call_args.args == (RECORD,)
    assert send_task.call_args.kwargs["args"] == [7]
    assert send_task.call_args.kwargs["headers"] == {"outbox_id": str(message.pk)}


def test_many_messages_are_written_in_one_insert_and_each_published_after_commit(
    django_assert_max_num_queries,
):
    with mock.patch.object(celery_app, "send_task") as send_task:
        with TestCase.captureOnCommitCallbacks() as callbacks, transaction.atomic():
            with django_assert_max_num_queries(1):
                messages = outbox.enqueue_many(RECORD, [[1], [2], [3]])
            assert OutboxMessage.objects.filter(task=RECORD).count() == 3
            send_task.assert_not_called()
        for callback in callbacks:
            callback()

    assert [call.kwargs["args"] for call in send_task.call_args_list] == [[1], [2], [3]]
    assert [call.kwargs["headers"] for call in send_task.call_args_list] == [
        {"outbox_id": str(message.pk)} for message in messages
    ]


def test_a_rolled_back_change_leaves_no_message_and_publishes_nothing():
    def change_that_fails() -> None:
        with transaction.atomic():
            outbox.enqueue(RECORD, [7])
            raise RuntimeError("the change failed")

    with (
        mock.patch.object(celery_app, "send_task") as send_task,
        TestCase.captureOnCommitCallbacks(execute=True),
        pytest.raises(RuntimeError),
    ):
        change_that_fails()

    assert not OutboxMessage.objects.exists()
    send_task.assert_not_called()


def test_a_broker_that_is_down_leaves_the_message_due_for_the_sweep():
    with mock.patch.object(celery_app, "send_task", side_effect=ConnectionError("down")):
        message = committed(outbox.enqueue, RECORD, [7])  # no exception
    message.refresh_from_db()
    assert message.status == "pending"
    assert message.available_at <= timezone.now()

    with celery_conf(task_always_eager=True):
        assert outbox.outbox_sweep(now=timezone.now()) == 1

    message.refresh_from_db()
    assert RAN == [7]
    assert (message.status, message.attempts, message.published) == ("done", 1, 1)


def test_a_message_the_broker_refused_is_logged_without_its_arguments(caplog):
    """Arguments can be personal data (the address a one-time sign-in link is asked for):
    the warning names the message and its task, never what it carries."""
    with mock.patch.object(celery_app, "send_task", side_effect=ConnectionError("down")):
        message = committed(outbox.enqueue, RECORD, ["someone@mail.example"])

    assert f"outbox message {message.pk} ({RECORD}, pending)" in caplog.text
    assert "someone@mail.example" not in caplog.text
    assert "someone@mail.example" not in str(message)  # nor its text, wherever it is printed


def test_the_sweep_does_not_publish_again_what_was_just_published():
    with mock.patch.object(celery_app, "send_task") as send_task:
        committed(outbox.enqueue, RECORD, [7])
        assert outbox.outbox_sweep(now=timezone.now()) == 0
        later = timezone.now() + outbox.requeue_after() + timedelta(seconds=1)
        assert outbox.outbox_sweep(now=later) == 1  # lost with the broker: published again
        assert outbox.outbox_sweep(now=later) == 0

    assert send_task.call_count == 2


def test_a_message_delivered_twice_runs_once(eager):
    message = committed(outbox.enqueue, RECORD, [7])

    celery_app.tasks[RECORD].apply(args=[7], headers={"outbox_id": str(message.pk)})

    message.refresh_from_db()
    assert RAN == [7]
    assert message.status == "done"


def test_a_done_message_keeps_no_arguments(eager):
    message = committed(outbox.enqueue, RECORD, [11])

    celery_app.tasks[RECORD].apply(args=[11], headers={"outbox_id": str(message.pk)})

    message.refresh_from_db()
    assert (message.status, message.args) == ("done", [])


def test_a_message_leased_by_a_live_worker_is_skipped_and_the_sweep_waits_for_the_lease():
    with mock.patch.object(celery_app, "send_task"):
        message = committed(outbox.enqueue, RECORD, [7])
    now = timezone.now()
    assert outbox.claim(message.pk, lease=timedelta(seconds=90), now=now) is True

    assert outbox.claim(message.pk, lease=timedelta(seconds=90), now=now) is False
    with mock.patch.object(celery_app, "send_task") as send_task:
        assert outbox.outbox_sweep(now=now + timedelta(seconds=60)) == 0
        # The worker died: once its lease is over the message is published again.
        assert outbox.outbox_sweep(now=now + timedelta(seconds=91)) == 1
    send_task.assert_called_once()
    assert outbox.claim(message.pk, lease=timedelta(seconds=90), now=now + timedelta(seconds=92))


def test_a_failing_task_is_retried_with_backoff_then_given_up(eager):
    message = committed(outbox.enqueue, EXPLODE)

    message.refresh_from_db()
    assert (message.status, message.attempts, message.leased_until) == ("pending", 1, None)
    assert "boom" in message.error
    assert message.available_at > timezone.now() + timedelta(seconds=20)

    later = timezone.now()
    for _ in range(outbox.MAX_ATTEMPTS + 1):
        later += timedelta(hours=2)
        outbox.outbox_sweep(now=later)
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("dead", outbox.MAX_ATTEMPTS)
    # When it was given up, which the purge counts its days from.
    assert message.done_at is not None
    assert timezone.now() < message.done_at <= later


def test_a_key_keeps_one_pending_message_per_piece_of_work():
    with mock.patch.object(celery_app, "send_task") as send_task:
        first = committed(outbox.enqueue, RECORD, [7], key="record:7")
        second = committed(outbox.enqueue, RECORD, [7], key="record:7")
        other = committed(outbox.enqueue, RECORD, [8], key="record:8")

    assert first is not None
    assert other is not None
    assert second is None
    assert OutboxMessage.objects.count() == 2
    assert send_task.call_count == 2


def test_a_call_without_the_header_just_runs():
    record(3)
    record.apply(args=[4])

    assert RAN == [3, 4]
    assert not OutboxMessage.objects.exists()


def test_done_messages_are_forgotten_after_a_week(eager):
    message = committed(outbox.enqueue, RECORD, [7])
    week = timedelta(days=7)

    outbox.outbox_purge(now=timezone.now() + week - timedelta(minutes=1))
    assert OutboxMessage.objects.filter(pk=message.pk).exists()
    outbox.outbox_purge(now=timezone.now() + week + timedelta(minutes=1))
    assert not OutboxMessage.objects.filter(pk=message.pk).exists()


# --- Published once the response is sent ---------------------------------------------------


def _request_enqueuing(response_class=None):
    """The middleware around a view that commits one message; what ``send_task`` saw."""
    from django.http import HttpResponse, StreamingHttpResponse
    from django.test import RequestFactory

    def view(request):
        with transaction.atomic():
            outbox.enqueue(RECORD, [5])
        if response_class is StreamingHttpResponse:
            return StreamingHttpResponse(iter([b"a", b"b"]))
        return HttpResponse("ok")

    middleware = outbox.PublishAfterResponseMiddleware(view)
    return middleware(RequestFactory().post("/api/v1/me/logs/"))


@pytest.mark.django_db(transaction=True)
def test_a_requests_message_is_published_after_its_response_is_sent():
    with mock.patch.object(celery_app, "send_task") as send_task:
        response = _request_enqueuing()
        assert send_task.call_count == 0  # committed, not yet published: the answer goes first
        assert OutboxMessage.objects.filter(task=RECORD).count() == 1

        response.close()  # what the server does once it has written the response

        assert send_task.call_count == 1
        assert send_task.call_args.args == (RECORD,)


@pytest.mark.django_db(transaction=True)
def test_a_streamed_response_publishes_before_streaming():
    from django.http import StreamingHttpResponse

    with mock.patch.object(celery_app, "send_task") as send_task:
        _request_enqueuing(StreamingHttpResponse)
        assert send_task.call_count == 1


@pytest.mark.django_db(transaction=True)
def test_a_view_that_raises_after_committing_still_publishes():
    from django.test import RequestFactory

    def view(request):
        with transaction.atomic():
            outbox.enqueue(RECORD, [6])
        raise RuntimeError("after the commit")

    middleware = outbox.PublishAfterResponseMiddleware(view)
    with mock.patch.object(celery_app, "send_task") as send_task:
        with pytest.raises(RuntimeError):
            middleware(RequestFactory().get("/"))
        assert send_task.call_count == 1


@pytest.mark.django_db(transaction=True)
def test_outside_a_request_a_message_is_published_at_commit():
    with mock.patch.object(celery_app, "send_task") as send_task:
        with transaction.atomic():
            outbox.enqueue(RECORD, [8])
            assert send_task.call_count == 0
        assert send_task.call_count == 1


def test_the_middleware_is_installed():
    from django.conf import settings

    assert "apps.core.outbox.PublishAfterResponseMiddleware" in settings.MIDDLEWARE
