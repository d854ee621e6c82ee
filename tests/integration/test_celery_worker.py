"""End to end on a real Celery worker, real Redis, PostgreSQL and a loopback SMTP server.

The worker is ``celery -A config worker`` in a subprocess whose ``DATABASE_URL`` points at
pytest-django's test database (``test_<name>``), so it sees the rows these tests commit
(``transactional_db``). Emails travel over SMTP to an aiosmtpd server in this process. The
harness is ``tests/integration/harness.py``; the ``smtp`` fixture is in the conftest.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import transaction

from apps.core.tasks import sweep_outbox
from apps.notifications import dispatch
from apps.notifications.models import Reminder, StaffNotification
from apps.notifications.tasks import evaluate_set_log, reminders_dispatch
from apps.patients.models import Side
from apps.programs.models import ProgressionPrompt, SetLog
from apps.programs.prompt_decisions import prompt_approve
from config.celery import app as celery_app
from tests.conftest import need_service, signed_in
from tests.factories import ExerciseItemFactory, LadderItemFactory
from tests.integration.harness import (
    broker,
    declare_queues,
    free_port,
    private_redis,
    wait_for,
    worker,
)
from tests.notifications.factories import SetLogFactory

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.smtp,
    pytest.mark.django_db(transaction=True),
]

UTC = ZoneInfo("UTC")


@pytest.fixture(scope="module")
def main_worker(django_db_setup, django_db_blocker, smtp, tmp_path_factory):
    need_service("PostgreSQL", settings.IS_POSTGRES, "set DATABASE_URL to a postgres:// URL")
    need_service("Redis", bool(settings.REDIS_URL), "set REDIS_URL")
    inbox, port = smtp
    celery_app.control.purge()
    with worker(redis_url=settings.REDIS_URL, smtp_port=port, tmp=tmp_path_factory.mktemp("w")):
        yield inbox


@pytest.fixture
def inbox(main_worker, require_postgres, require_redis):
    declare_queues()
    main_worker.clear()
    return main_worker


# --- Progression prompts --------------------------------------------------------------------


def log_twenty_both_sides(item):
    """Save a left and a right set of 20 as the log service does: each with its outbox row,
    published on commit."""
    with transaction.atomic():
        left = SetLogFactory(item=item, side=Side.LEFT, reps=20)
        right = SetLogFactory(item=item, side=Side.RIGHT, reps=20)
        for log in (left, right):
            dispatch.enqueue_log_evaluation(log.pk)
    return right


def evaluated(*logs: SetLog) -> Callable[[], bool]:
    ids = [log.pk for log in logs]
    return lambda: not SetLog.objects.filter(pk__in=ids, evaluated_at__isnull=True).exists()


def test_twenty_reps_give_exactly_one_prompt_and_one_email_and_approval_starts_tomorrow(inbox):
    item = LadderItemFactory(ladder__name="Clamshell")
    therapist = item.program.patient.therapist

    first = log_twenty_both_sides(item)
    second = log_twenty_both_sides(item)  # logged twice
    for log in (first, second):
        evaluate_set_log.delay(log.pk)  # evaluated twice more

    wait_for(evaluated(first, second), what="evaluation")
    wait_for(lambda: inbox.to(therapist.email), what="the prompt email")
    time.sleep(1)  # room for a duplicate to show up, were there one
    assert ProgressionPrompt.objects.count() == 1
    assert StaffNotification.objects.get().status == "sent"
    (email,) = inbox.to(therapist.email)
    assert "ready for level 2 of Clamshell" in email["Subject"]

    prompt = ProgressionPrompt.objects.get()
    prompt_approve(prompt=prompt, user=therapist)
    item.refresh_from_db()
    today = item.program.patient.local_today()
    assert (item.level_on(today), item.level_on(today + timedelta(days=1))) == (1, 2)


def test_a_batch_of_sets_is_evaluated_by_one_task_on_the_worker(inbox):
    item = LadderItemFactory(per_side=True, ladder__name="Clamshell")
    patient = item.program.patient
    sets = [
        {"client_id": str(uuid.uuid4()), "item": str(item.public_id), "side": side}
        | {"reps": reps, "pain": 2}
        for side, reps in [("left", 12), ("left", 20), ("right", 20), ("right", 20)]
    ]

    response = signed_in(patient.user).post(
        "/api/v1/me/logs/batch/", {"logs": sets}, content_type="application/json"
    )  # committed (transactional test): the task is enqueued on commit, as in production

    assert response.status_code == 200
    logs = SetLog.objects.filter(patient=patient)
    wait_for(evaluated(*logs), what="evaluation of the batch")
    wait_for(lambda: inbox.to(patient.therapist.email), what="the prompt email")
    time.sleep(1)  # room for a duplicate to show up, were there one
    assert ProgressionPrompt.objects.get().triggered_by.side == Side.LEFT
    assert len(inbox.to(patient.therapist.email)) == 1


# --- Reminders ------------------------------------------------------------------------------


def patient_in(zone: str):
    item = ExerciseItemFactory(
        program__start_date=date(2025, 1, 1),
        program__patient__time_zone=zone,
        program__patient__reminder_time=datetime(2025, 1, 1, 18).time(),
    )
    return item.program.patient


def beat(at: datetime) -> None:
    reminders_dispatch.delay(at.isoformat())


def reminders_settled() -> bool:
    return not Reminder.objects.filter(status__in=["claimed", "sending"]).exists()


def test_reminders_go_out_once_at_local_time_in_two_zones_across_a_clock_change(inbox):
    london = patient_in("Europe/London")
    new_york = patient_in("America/New_York")

    # 29 March 2025: London is on GMT, New York already on EDT (UTC-4).
    beat(datetime(2025, 3, 29, 17, 59, tzinfo=UTC))
    beat(datetime(2025, 3, 29, 18, 0, tzinfo=UTC))  # 18:00 London
    beat(datetime(2025, 3, 29, 18, 0, tzinfo=UTC))  # a second beat, same minute
    wait_for(lambda: Reminder.objects.count() == 1 and reminders_settled(), what="London")
    beat(datetime(2025, 3, 29, 22, 0, tzinfo=UTC))  # 18:00 New York
    # 30 March 2025: London moved to BST (UTC+1), so 18:00 there is 17:00 UTC.
    beat(datetime(2025, 3, 30, 17, 0, tzinfo=UTC))
    wait_for(lambda: Reminder.objects.count() == 3 and reminders_settled(), what="all three")

    time.sleep(1)
    assert len(inbox.to(london.email)) == 2
    assert len(inbox.to(new_york.email)) == 1
    rows = sorted(Reminder.objects.values_list("patient__time_zone", "local_date", "due_at"))
    assert rows == [
        ("America/New_York", date(2025, 3, 29), datetime(2025, 3, 29, 22, 0, tzinfo=UTC)),
        ("Europe/London", date(2025, 3, 29), datetime(2025, 3, 29, 18, 0, tzinfo=UTC)),
        ("Europe/London", date(2025, 3, 30), datetime(2025, 3, 30, 17, 0, tzinfo=UTC)),
    ]
    assert set(Reminder.objects.values_list("status", flat=True)) == {"sent"}


# --- Broker down ----------------------------------------------------------------------------


def test_a_log_saved_while_redis_is_down_is_evaluated_once_redis_is_back(inbox, smtp, tmp_path):
    _, smtp_port = smtp
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    item = LadderItemFactory(per_side=False)
    therapist = item.program.patient.therapist
    with (
        private_redis(port) as redis_proc,
        worker(redis_url=url, smtp_port=smtp_port, tmp=tmp_path),
        broker(url),
    ):
        redis_proc.terminate()
        redis_proc.wait(timeout=10)

        started = time.monotonic()
        with transaction.atomic():  # the log service's contract: an outbox row with the log
            log = SetLogFactory(item=item, reps=20)
            dispatch.enqueue_log_evaluation(log.pk)
        assert time.monotonic() - started < 5, "saving a log must not hang on the broker"
        assert SetLog.objects.filter(pk=log.pk, evaluated_at__isnull=True).exists()

        with private_redis(port):
            wait_for(lambda: _sweep_sent(), 30, "the sweep to be enqueued")
            wait_for(evaluated(log), 30, "evaluation after the broker came back")
            wait_for(lambda: inbox.to(therapist.email), 15, "the prompt email")

    assert ProgressionPrompt.objects.filter(patient=item.program.patient).count() == 1


def _sweep_sent() -> bool:
    """Beat's turn: the outbox sweep publishes the message the broker refused."""
    try:
        sweep_outbox.apply_async(retry=True, retry_policy={"max_retries": 1})
    except Exception as exc:
        print("sweep not sent:", repr(exc))
        return False
    return True


# --- One-time sign-in links -------------------------------------------------------------------


def test_the_one_time_sign_in_email_is_sent_by_the_worker(inbox, patient_a):
    from django.core import mail
    from django.test import Client

    client = Client()
    known = client.post("/sign-in/link/", {"email": patient_a.email})
    unknown = client.post("/sign-in/link/", {"email": "nobody@nowhere.example"})

    assert mail.outbox == []  # nothing was sent by the request itself
    assert known.content == unknown.content
    wait_for(lambda: inbox.to(patient_a.email), what="the sign-in email")
    (email,) = inbox.to(patient_a.email)
    assert "sign-in link" in email["Subject"]
    assert not inbox.to("nobody@nowhere.example")
