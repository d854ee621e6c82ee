"""Every 429, HTML or JSON, carries Retry-After; the HTML pages say the wait in words."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client

from apps.core.ratelimit import check, wait_in_words
from apps.patients import auth
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

# Twenty minutes past the hour: an hour-long window has 40 minutes left.
TWENTY_PAST = datetime(2026, 3, 10, 9, 20, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("seconds", "words"),
    [(1, "1 minute"), (60, "1 minute"), (61, "2 minutes"), (2400, "40 minutes"),
     (3600, "1 hour"), (3900, "1 hour and 5 minutes"), (7200, "2 hours")],
)  # fmt: skip
def test_the_wait_is_said_in_words(seconds, words):
    assert wait_in_words(seconds) == words


def test_the_time_left_is_the_rest_of_the_window():
    with time_machine.travel(TWENTY_PAST, tick=False):
        decision = check("probe", limit=1, window_seconds=3600)

    assert decision.allowed
    assert decision.retry_after == 2400


def test_the_patient_link_429_says_when_to_try_again(therapist_a, monkeypatch):
    # A low limit keeps the test short, and no link locks before the limit is reached.
    monkeypatch.setattr("apps.portal.views.signin.LINK_FAILURES_PER_IP_PER_HOUR", 2)
    patient = PatientFactory(therapist=therapist_a)
    client = Client()
    with time_machine.travel(TWENTY_PAST, tick=False):
        for _ in range(2):
            client.post(auth.personal_link_path(patient), {"year_of_birth": 1900})
        response = client.post(auth.personal_link_path(patient), {"year_of_birth": 1900})

    assert response.status_code == 429
    assert response["Retry-After"] == "2400"
    assert "Try again in 40 minutes" in response.content.decode()


def test_the_staff_lockout_429_says_when_to_try_again(client, therapist_a):
    for _ in range(5):
        client.post("/sign-in/", {"username": therapist_a.email, "password": "wrong"})

    response = client.post("/sign-in/", {"username": therapist_a.email, "password": "wrong"})

    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    assert "Try again in 15 minutes" in response.content.decode()
    assert "PT15M" not in response.content.decode()


def test_the_token_guessing_429_tells_the_time_left_in_the_window(monkeypatch):
    monkeypatch.setattr("apps.clinics.tokens.FAILED_TOKENS_PER_WINDOW", 1)
    guesser = Client(HTTP_AUTHORIZATION="Bearer cls_guess")
    with time_machine.travel(TWENTY_PAST, tick=False):  # a 10-minute window has all 10 left
        guesser.get("/api/v1/whoami/")
        response = guesser.get("/api/v1/whoami/")

    assert response.status_code == 429
    assert response["Retry-After"] == "600"
    assert set(response.json()) == {"message", "errors"}
