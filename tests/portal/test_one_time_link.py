import re
from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from apps.patients import auth
from apps.patients.models import OneTimeSignInLink

pytestmark = pytest.mark.django_db


@pytest.fixture
def ask(client, django_capture_on_commit_callbacks):
    """Request a link as a patient would, then let the worker (inline here) do its part."""

    def request_link(email: str):
        # The worker's part runs inline: the same task, applied in this process.
        def run_inline(messages):
            from config.celery import app

            # What a worker does when it starts: import every app's tasks module. Without it
            # the task is registered only if another test imported it first.
            app.loader.import_default_modules()
            for message in messages:
                app.tasks[message.task].apply(message.args).get()
            return len(messages)

        with (
            mock.patch("apps.core.outbox.publish", side_effect=run_inline),
            django_capture_on_commit_callbacks(execute=True),
        ):
            return client.post("/sign-in/link/", {"email": email})

    return request_link


def link_from(message) -> str:
    found = re.search(r"http\S+/sign-in/link/(\S+)/", message.body)
    assert found is not None
    return found.group(1)


def test_requesting_a_link_emails_one_that_signs_in_once(client, ask, patient_a):
    response = ask(patient_a.email.upper())
    assert response.status_code == 200
    token = link_from(mail.outbox[0])

    assert client.get(f"/sign-in/link/{token}/").status_code == 200  # a button, not a sign-in
    assert client.get("/today/").status_code == 302
    assert client.post(f"/sign-in/link/{token}/").status_code == 302
    assert client.get("/today/").status_code == 200

    other = client.__class__()
    assert other.post(f"/sign-in/link/{token}/").status_code == 404


def test_the_reply_is_the_same_for_an_unknown_address(ask, patient_a):
    known = ask(patient_a.email)
    unknown = ask("nobody@nowhere.example")

    assert known.status_code == unknown.status_code == 200
    assert known.content == unknown.content
    assert len(mail.outbox) == 1


def test_an_expired_link_is_refused(client, patient_a):
    token = auth.one_time_link_create(patient=patient_a)

    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert client.post(f"/sign-in/link/{token}/").status_code == 404


def test_only_a_hash_of_the_token_is_stored(patient_a):
    token = auth.one_time_link_create(patient=patient_a)

    stored = OneTimeSignInLink.objects.get()
    assert token not in stored.token_hash
    assert len(stored.token_hash) == 64


def test_requests_are_rate_limited_without_saying_so(ask, patient_a):
    for _ in range(8):
        response = ask(patient_a.email)

    assert response.status_code == 200
    assert len(mail.outbox) == 5


def test_a_bad_address_gets_a_400_that_says_why(client, db):
    response = client.post("/sign-in/link/", {"email": "not-an-email"})

    assert response.status_code == 400
    assert b"valid email" in response.content


def test_a_link_emailed_before_the_personal_link_was_revoked_no_longer_signs_in(
    client, ask, patient_a
):
    # A revoked patient gets no new one-time link; one already in their inbox (or in the
    # hands of whoever has their phone or mailbox, the reason to revoke) must stop too.
    ask(patient_a.email)
    token = link_from(mail.outbox[0])
    auth.personal_link_revoke(patient=patient_a)

    assert client.get(f"/sign-in/link/{token}/").status_code == 404
    assert client.post(f"/sign-in/link/{token}/").status_code == 404
    assert client.get("/today/").status_code == 302


def test_a_link_emailed_before_the_personal_link_was_renewed_no_longer_signs_in(
    client, ask, patient_a
):
    # Renewing ends every signed-in phone; a link asked for before must not start a new one.
    ask(patient_a.email)
    token = link_from(mail.outbox[0])
    auth.personal_link_renew(patient=patient_a)

    assert client.post(f"/sign-in/link/{token}/").status_code == 404
    assert client.get("/today/").status_code == 302
