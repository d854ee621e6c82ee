"""A real email over SMTP on loopback (aiosmtpd), through Django's SMTP backend."""

import logging
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
    assert "ready for level 2" in message["Subject"]
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


# --- A mail server that refuses the recipient -------------------------------------------------
# Its refusal quotes the address, as Postfix's does. The error is kept on the message's row
# (and shown to staff), the failure is logged: neither may hold an address (a patient's or a
# colleague's), which only the row it belongs to names.


class Refuse(Collect):
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"


@pytest.fixture
def refusing_smtp_server(settings):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    controller = Controller(Refuse(), hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    yield
    controller.stop()


def _logged(caplog) -> str:
    """What the app logged, tracebacks included (not the test's SMTP server: ``mail.log``)."""
    records = [r for r in caplog.records if not r.name.startswith("mail.")]
    return "\n".join(caplog.handler.format(record) for record in records)


def _no_address(text: str, address: str) -> None:
    assert "Recipient address rejected" in text  # the refusal itself is kept
    assert address.split("@")[0] not in text
    assert "@" not in text.replace("celery@", "")


def test_a_refused_staff_email_is_recorded_and_logged_without_the_address(
    refusing_smtp_server, caplog
):
    from apps.notifications.models import StaffNotification

    item = LadderItemFactory(per_side=False)
    (notification_id,) = set_log_evaluate(log_id=SetLogFactory(item=item, reps=20).pk)

    assert notification_deliver(notification_id=notification_id) is False

    row = StaffNotification.objects.get()
    assert (row.status, row.attempts) == ("claimed", 1)
    address = item.program.patient.therapist.email
    _no_address(row.error, address)
    _no_address(_logged(caplog), address)


def test_a_refused_reminder_is_recorded_and_logged_without_the_address(
    refusing_smtp_server, caplog
):
    from datetime import UTC, datetime

    from apps.notifications.models import Reminder
    from apps.notifications.reminders import reminders_claim_due, reminders_send
    from tests.notifications.test_reminders import patient_in

    patient = patient_in("Europe/London", email="Ann.Lee+hip@mail.example")
    now = datetime(2025, 1, 15, 18, 0, tzinfo=UTC)
    (batch,) = reminders_claim_due(now=now)

    reminders_send(reminder_ids=batch, now=now)

    reminder = Reminder.objects.get()
    assert reminder.attempts == 1
    _no_address(reminder.error, patient.email)
    _no_address(_logged(caplog), patient.email)


def test_a_refused_sign_in_link_leaves_the_outbox_error_and_the_worker_log_without_it(
    refusing_smtp_server, caplog, patient_a
):
    import uuid

    from django.db import transaction
    from django.test import TestCase

    from apps.core import outbox
    from apps.core.models import OutboxMessage
    from tests.conftest import celery_conf

    # On the task's own logger: the first task run inline applies Django's logging settings
    # again, dropping caplog's handler from the root logger.
    trace = logging.getLogger("celery.app.trace")
    trace.addHandler(caplog.handler)
    with (
        celery_conf(task_always_eager=True),
        TestCase.captureOnCommitCallbacks(execute=True),
        transaction.atomic(),
    ):
        task = "apps.notifications.tasks.send_one_time_links"
        outbox.enqueue(task, [patient_a.email, str(uuid.uuid4())])

    trace.removeHandler(caplog.handler)
    message = OutboxMessage.objects.get()
    assert (message.status, message.attempts) == ("pending", 1)
    _no_address(message.error, patient_a.email)
    assert "raised unexpected" in _logged(caplog)  # Celery's own line, with the traceback
    _no_address(_logged(caplog), patient_a.email)


def test_a_refused_invitation_is_logged_without_the_address(refusing_smtp_server, caplog, admin_a):
    from tests.conftest import signed_in

    response = signed_in(admin_a).post(
        "/clinic/staff/",
        {"full_name": "Robin Hart", "email": "robin.hart@a.example", "role": "therapist"},
    )

    assert response.status_code == 302
    assert "SMTPRecipientsRefused" in _logged(caplog)  # logged with its traceback
    _no_address(_logged(caplog), "robin.hart@a.example")
