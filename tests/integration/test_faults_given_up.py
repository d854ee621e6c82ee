"""Fault test: a set log's evaluation fails on a real worker until the outbox gives it up;
the repair job (beat's, run here on the worker) still raises its pain alert and emails the
therapist, exactly once, while the fault lasts and after it is mended.

The fault is in the database, where the worker cannot get past it: a trigger refuses to mark
a set log evaluated, so every evaluation rolls back. The message starts at its seventh
attempt (as if seven had already failed: their backoff would take an hour of real time), and
this process plays beat's part (the outbox sweep that gives it up, the repair's turn)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from apps.core import outbox
from apps.core.models import OutboxMessage, OutboxStatus
from apps.notifications import dispatch
from apps.notifications.models import DeliveryStatus, PainAlert, StaffNotification
from apps.notifications.tasks import repair_given_up_evaluations
from apps.programs.models import SetLog
from tests.factories import LadderItemFactory
from tests.integration.harness import (
    broker,
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

TABLE = SetLog._meta.db_table


@pytest.fixture(autouse=True)
def _services(require_postgres, require_redis) -> None:
    """PostgreSQL and Redis, or skip locally (fail in CI)."""


@contextmanager
def evaluations_fail() -> Iterator[None]:
    """Until the block ends, marking a set log evaluated raises in PostgreSQL (the last step
    of every evaluation, so each one rolls back whole)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION faults_no_evaluation() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'injected fault: evaluation refused'; END $$"
        )
        cursor.execute(
            f"CREATE TRIGGER faults_no_evaluation BEFORE UPDATE OF evaluated_at ON {TABLE} "
            "FOR EACH ROW WHEN (NEW.evaluated_at IS NOT NULL) "
            "EXECUTE FUNCTION faults_no_evaluation()"
        )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TRIGGER IF EXISTS faults_no_evaluation ON {TABLE}")
            cursor.execute("DROP FUNCTION IF EXISTS faults_no_evaluation()")


def run_repair() -> None:
    """The repair's beat turn, through the outbox so its end can be waited for."""
    with transaction.atomic():
        message = outbox.enqueue(repair_given_up_evaluations.name)
    assert message is not None
    done = OutboxMessage.objects.filter(pk=message.pk, status=OutboxStatus.DONE)
    wait_for(done.exists, 60, "the repair to run on the worker")


def test_a_painful_set_given_up_on_alerts_the_therapist_once(
    smtp,
    tmp_path,
):
    inbox, smtp_port = smtp
    inbox.clear()
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    item = LadderItemFactory(per_side=False)
    therapist = item.program.patient.therapist
    with ExitStack() as stack:
        stack.enter_context(private_redis(port))
        stack.enter_context(worker(redis_url=url, smtp_port=smtp_port, tmp=tmp_path))
        stack.enter_context(broker(url))
        with evaluations_fail():
            with transaction.atomic():
                log = SetLogFactory(item=item, pain=8)
                message = outbox.enqueue(dispatch.EVALUATE_LOG, [log.pk])
                assert message is not None
                row = OutboxMessage.objects.filter(pk=message.pk)
                row.update(attempts=outbox.MAX_ATTEMPTS - 1)
            wait_for(
                lambda: (
                    row.filter(attempts=outbox.MAX_ATTEMPTS, leased_until__isnull=True)
                    .exclude(error="")
                    .exists()
                ),
                60,
                "the last attempt to fail on the worker",
            )
            assert "injected fault" in row.get().error
            outbox.outbox_sweep(now=timezone.now() + timedelta(hours=2))  # after the backoff
            assert row.get().status == OutboxStatus.DEAD
            assert not PainAlert.objects.exists()

            run_repair()
            sent = StaffNotification.objects.filter(status=DeliveryStatus.SENT)
            wait_for(sent.exists, 30, "the pain alert's email")
            run_repair()

            assert PainAlert.objects.get().log_id == log.pk
            assert SetLog.objects.get(pk=log.pk).evaluated_at is None
            assert len(inbox.to(therapist.email)) == 1

        run_repair()  # the fault mended

    assert SetLog.objects.get(pk=log.pk).evaluated_at is not None
    assert PainAlert.objects.count() == 1
    assert StaffNotification.objects.count() == 1
    assert len(inbox.to(therapist.email)) == 1
