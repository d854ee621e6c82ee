"""Redis gone, cache and broker both (nothing listens on port 1): what people do still works.

A request that queues work commits its outbox row and answers; publishing the row after the
response fails and leaves it due, so beat's outbox sweep publishes it once Redis is back.
Rate limits count nothing (they fail open), sign-in lockout lives in the database."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from django.utils import timezone

from apps.core.models import OutboxMessage, OutboxStatus
from apps.patients import auth
from apps.programs.models import PromptStatus, SetLog
from apps.reports.models import JobStatus, ReportJob
from config.celery import app as celery_app
from tests.conftest import celery_conf, signed_in
from tests.factories import STAFF_PASSWORD, ExerciseItemFactory
from tests.notifications.conftest import make_prompt
from tests.notifications.factories import SetLogFactory

pytestmark = pytest.mark.django_db

DEAD = "redis://127.0.0.1:1/0"


def _fresh_producer_pools() -> None:
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def redis_down(settings) -> Iterator[None]:
    settings.CACHES = {
        "default": {
            "BACKEND": "apps.core.cache.ResilientRedisCache",
            "LOCATION": DEAD,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    with celery_conf(broker_url=DEAD, broker_write_url=DEAD, broker_read_url=DEAD):
        _fresh_producer_pools()
        try:
            yield
        finally:
            _fresh_producer_pools()


def _due_for_the_sweep(task: str) -> OutboxMessage:
    """The one message for ``task``: pending, never taken, due now (publishing it failed)."""
    message = OutboxMessage.objects.get(task=task)
    assert message.status == OutboxStatus.PENDING
    assert message.attempts == 0
    assert message.available_at <= timezone.now(), "publishing failed: due for the sweep"
    return message


def test_a_patient_opens_today_and_logs_a_set(
    redis_down, patient_a, django_capture_on_commit_callbacks
):
    item = ExerciseItemFactory(program__patient=patient_a, per_side=False)
    client = signed_in(patient_a.user)

    assert client.get("/today/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/today/log/",
            {
                "client_id": str(uuid.uuid4()),
                "item": str(item.public_id),
                "performed_on": patient_a.local_today().isoformat(),
                "side": "both",
                "reps": "10",
                "pain": "2",
            },
        )

    assert response.status_code == 302, response.content[:500]
    log = SetLog.objects.get(patient=patient_a)
    assert _due_for_the_sweep("apps.notifications.tasks.evaluate_set_log").args == [log.pk]


def test_a_therapist_approves_a_prompt(redis_down, therapist_a, patient_a):
    prompt = make_prompt(patient_a)

    response = signed_in(therapist_a).post(
        f"/inbox/prompts/{prompt.public_id}/approve/", {"note": "Well done"}
    )

    assert response.status_code == 302, response.content[:500]
    prompt.refresh_from_db()
    assert prompt.status == PromptStatus.APPROVED


def test_an_admin_asks_for_a_large_report_and_sees_its_page(
    redis_down, settings, admin_a, patient_a, django_capture_on_commit_callbacks
):
    settings.REPORT_BACKGROUND_THRESHOLD = {"patients": 500, "set_logs": 3}
    today = timezone.localdate()
    item = ExerciseItemFactory(program__patient=patient_a)
    for days_ago in range(1, 6):
        SetLogFactory(item=item, performed_on=today - timezone.timedelta(days=days_ago))
    client = signed_in(admin_a)
    period = {"start": str(today - timezone.timedelta(days=7)), "end": str(today)}

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/reports/adherence/", {**period, "format": "csv", "kind": "detail"})

    job = ReportJob.objects.get()
    assert response.status_code == 302, response.content[:500]
    assert job.status == JobStatus.PENDING
    assert client.get(response["Location"]).status_code == 200
    assert _due_for_the_sweep("apps.reports.tasks.run_report_job").args == [job.pk]


def test_staff_sign_in_and_its_lockout_still_work(redis_down, client, therapist_a):
    signed = client.post("/sign-in/", {"username": therapist_a.email, "password": STAFF_PASSWORD})
    assert signed.status_code == 302
    assert client.get("/patients/").status_code == 200

    other = signed_in(therapist_a)  # another browser, guessing
    other.logout()
    for _ in range(5):
        other.post("/sign-in/", {"username": therapist_a.email, "password": "wrong password"})
    locked = other.post("/sign-in/", {"username": therapist_a.email, "password": STAFF_PASSWORD})

    assert locked.status_code == 429, "the lockout is counted in the database, not Redis"
    assert b"Too many attempts" in locked.content


def test_a_patient_signs_in_with_the_personal_link(redis_down, client, patient_a):
    response = client.post(auth.personal_link_path(patient_a), {"year_of_birth": 1961})

    assert response.status_code == 302
    assert response["Location"] == "/today/"
    assert client.get("/today/").status_code == 200


def test_a_patient_asks_for_a_one_time_link(
    redis_down, client, patient_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/sign-in/link/", {"email": patient_a.email})

    assert response.status_code == 200
    message = _due_for_the_sweep("apps.notifications.tasks.send_one_time_links")
    assert message.args[0] == patient_a.email
