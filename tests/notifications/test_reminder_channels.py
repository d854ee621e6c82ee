"""A batch of reminder emails goes through one connection to the email backend, opened at
the first email and closed at the end; a failed email is retried later and the connection,
which it may have broken, is opened again for the next."""

from datetime import UTC, datetime

import pytest
from django.core.mail.backends.locmem import EmailBackend

from apps.notifications.models import Reminder
from apps.notifications.reminders import reminders_claim_due, reminders_send
from tests.notifications.test_reminders import patient_in

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 1, 15, 18, 0, tzinfo=UTC)
EVENTS: list[str] = []


class RecordingBackend(EmailBackend):
    """Locmem, recording each open, close and message; refuses addresses with "refuse"."""

    def open(self):
        EVENTS.append("open")
        return True

    def close(self):
        EVENTS.append("close")

    def send_messages(self, messages):
        for message in messages:
            if "refuse" in message.to[0]:
                EVENTS.append("refused")
                raise OSError("refused")
            EVENTS.append("sent")
        return super().send_messages(messages)


@pytest.fixture(autouse=True)
def recording(settings):
    settings.EMAIL_BACKEND = f"{__name__}.RecordingBackend"
    EVENTS.clear()
    yield EVENTS
    EVENTS.clear()


def send_batch():
    (batch,) = reminders_claim_due(now=NOW)
    return reminders_send(reminder_ids=batch, now=NOW)


def test_a_batch_of_emails_shares_one_connection(recording):
    for _ in range(3):
        patient_in("Europe/London")

    assert send_batch() == {"sent": 3, "skipped": 0}

    assert recording == ["open", "sent", "sent", "sent", "close"]


def test_after_a_failed_email_the_connection_is_opened_again(recording):
    patient_in("Europe/London")
    patient_in("Europe/London", email="refuse@mail.example")
    patient_in("Europe/London")

    assert send_batch() == {"sent": 2, "retry": 1, "skipped": 0}

    assert recording == ["open", "sent", "refused", "close", "open", "sent", "close"]
    assert sorted(Reminder.objects.values_list("status", flat=True)) == [
        "claimed",
        "sent",
        "sent",
    ]


def test_a_batch_with_nothing_to_email_opens_no_connection(recording):
    patient_in("Europe/London", reminders_enabled=False)

    assert send_batch() == {"skipped": 1}

    assert recording == []


class RefusingSMSBackend:
    """A text-message provider that refuses every number, quoting it as providers do."""

    def send(self, *, to: str, body: str) -> None:
        raise ValueError(f"The 'To' number {to} is not a valid phone number.")


def test_a_refused_text_message_is_recorded_and_logged_without_the_number(settings, caplog):
    settings.SMS_BACKEND = f"{__name__}.RefusingSMSBackend"
    patient_in("Europe/London", reminder_channel="sms", phone="+447700900123")

    assert send_batch() == {"retry": 1, "skipped": 0}

    reminder = Reminder.objects.get()
    assert reminder.attempts == 1
    assert "is not a valid phone number" in reminder.error
    assert "7700900123" not in reminder.error
    assert "is not a valid phone number" in caplog.text
    assert "7700900123" not in caplog.text
