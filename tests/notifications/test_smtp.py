"""A real email over SMTP on loopback (aiosmtpd), through Django's SMTP backend."""

import socket
import threading
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller

from apps.notifications.services import notification_deliver, set_log_evaluate
from apps.patients.models import Side
from tests.factories import LadderItemFactory
from tests.notifications.factories import SetLogFactory

pytestmark = [pytest.mark.django_db, pytest.mark.smtp]


class Collect:
    def __init__(self):
        self.messages = []
        self.sessions = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
            self.sessions.append(session.peer)  # the client's address and port: one a connection
        return "250 OK"


@pytest.fixture
def smtp_server(settings):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    handler = Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    yield handler
    controller.stop()


def test_a_prompt_email_travels_over_smtp_and_is_marked_sent(smtp_server):
    item = LadderItemFactory()
    SetLogFactory(item=item, side=Side.LEFT, reps=20)
    log = SetLogFactory(item=item, side=Side.RIGHT, reps=20)
    (notification_id,) = set_log_evaluate(log_id=log.pk)

    assert notification_deliver(notification_id=notification_id) is True

    ((recipients, message),) = smtp_server.messages
    assert recipients == [item.program.patient.therapist.email]
    assert message["Subject"].startswith("Progression to decide: patient ref ")
    assert message["From"] == "Clamshell <no-reply@clamshell.local>"


def test_an_unreachable_smtp_server_leaves_the_email_for_a_retry(settings):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port
    item = LadderItemFactory(per_side=False)
    (notification_id,) = set_log_evaluate(log_id=SetLogFactory(item=item, reps=20).pk)

    assert notification_deliver(notification_id=notification_id) is False

    from apps.notifications.models import StaffNotification

    row = StaffNotification.objects.get()
    assert (row.status, row.attempts) == ("claimed", 1)
    assert row.error


def test_a_batch_of_reminders_travels_over_one_smtp_session(smtp_server):
    from datetime import UTC, datetime

    from apps.notifications.reminders import reminders_claim_due, reminders_send
    from tests.notifications.test_reminders import patient_in

    patients = [patient_in("Europe/London") for _ in range(3)]
    now = datetime(2025, 1, 15, 18, 0, tzinfo=UTC)
    (batch,) = reminders_claim_due(now=now)

    assert reminders_send(reminder_ids=batch, now=now) == {"sent": 3, "skipped": 0}

    assert sorted(rcpt for rcpt, _ in smtp_server.messages) == sorted([p.email] for p in patients)
    assert len(set(smtp_server.sessions)) == 1
