"""The one-time sign-in email is sent by a worker: the request does the same work, in the
same time and with the same words, whether or not the address belongs to a patient."""

import uuid
from unittest import mock

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.patients import auth
from apps.patients.models import OneTimeSignInLink

pytestmark = pytest.mark.django_db


def post_without_worker(client, email, capture):
    """Post the request; return the answer, the queries it ran and what it queued."""
    with (
        mock.patch("apps.core.outbox.publish") as enqueue,
        CaptureQueriesContext(connection) as queries,
        capture(execute=True) as callbacks,
    ):
        response = client.post("/sign-in/link/", {"email": email})
    return response, len(queries), len(callbacks), enqueue


def test_the_request_sends_nothing_itself_and_queues_one_message_either_way(
    client, patient_a, django_capture_on_commit_callbacks
):
    known = post_without_worker(client, patient_a.email, django_capture_on_commit_callbacks)
    unknown = post_without_worker(
        client, "nobody@nowhere.example", django_capture_on_commit_callbacks
    )

    assert mail.outbox == []
    assert OneTimeSignInLink.objects.count() == 0
    for response, _, callbacks, enqueue in (known, unknown):
        assert response.status_code == 200
        assert callbacks == 1
        assert enqueue.call_count == 1
        (message,) = enqueue.call_args.args[0]
        assert message.task == "apps.notifications.tasks.send_one_time_links"
    # The same work in the request (no lookup of the address) and the same words.
    assert known[1] == unknown[1]
    assert known[0].content == unknown[0].content


def test_the_message_is_queued_only_after_commit(
    client, patient_a, django_capture_on_commit_callbacks
):
    with (
        mock.patch("apps.core.outbox.publish") as enqueue,
        django_capture_on_commit_callbacks(execute=False) as callbacks,
    ):
        client.post("/sign-in/link/", {"email": patient_a.email})
        assert enqueue.call_count == 0

    assert len(callbacks) == 1


def test_the_worker_emails_each_patient_with_the_address_once_however_often_it_runs(
    therapist_a, patient_a
):
    from apps.notifications.tasks import send_one_time_links
    from tests.factories import PatientFactory

    sibling = PatientFactory(therapist=therapist_a, email=patient_a.email)
    request_id = str(uuid.uuid4())

    first = send_one_time_links(patient_a.email.upper(), request_id)
    again = send_one_time_links(patient_a.email, request_id)

    assert (first, again) == (2, 0)
    assert sorted(m.to[0] for m in mail.outbox) == [patient_a.email, sibling.email]
    assert OneTimeSignInLink.objects.filter(patient=sibling).count() == 1


def test_the_worker_sends_nothing_for_an_unknown_or_revoked_address(patient_a):
    auth.personal_link_revoke(patient=patient_a)

    assert auth.one_time_links_send(email=patient_a.email, request_id=uuid.uuid4()) == 0
    assert auth.one_time_links_send(email="nobody@nowhere.example", request_id=uuid.uuid4()) == 0
    assert mail.outbox == []


def test_an_email_the_mail_server_refused_is_sent_when_the_task_runs_again(patient_a):
    """A refused email leaves no link behind for the request, so the retry makes and sends
    one; before, the retry found the request answered and the patient never got a link."""
    request_id = uuid.uuid4()

    with (
        mock.patch("django.core.mail.EmailMessage.send", side_effect=OSError("refused")),
        pytest.raises(OSError, match="refused"),
    ):
        auth.one_time_links_send(email=patient_a.email, request_id=request_id)
    assert OneTimeSignInLink.objects.count() == 0

    assert auth.one_time_links_send(email=patient_a.email, request_id=request_id) == 1
    assert [m.to for m in mail.outbox] == [[patient_a.email]]
    assert OneTimeSignInLink.objects.count() == 1
