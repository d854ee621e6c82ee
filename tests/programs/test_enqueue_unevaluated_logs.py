"""``manage.py enqueue_unevaluated_logs``: logs from before the outbox get evaluated, once."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from apps.core.models import OutboxMessage
from apps.notifications.models import PainAlert
from apps.programs.dispatch import (
    EVALUATE_LOG,
    EVALUATE_LOGS,
    enqueue_log_evaluation,
    enqueue_logs_evaluation,
)
from apps.programs.models import ProgressionPrompt, SetLog
from tests.conftest import celery_conf
from tests.factories import LadderItemFactory
from tests.notifications.factories import SetLogFactory

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("enqueue_unevaluated_logs", *args, stdout=out)
    return out.getvalue()


def queued_ids() -> list[int]:
    ids: list[int] = []
    for task, args in OutboxMessage.objects.filter(status="pending").values_list("task", "args"):
        ids += [args[0]] if task == EVALUATE_LOG else args[0]
    return sorted(ids)


def test_only_unevaluated_logs_not_already_queued_are_queued_and_a_second_run_adds_nothing(
    django_capture_on_commit_callbacks,
):
    item = LadderItemFactory(per_side=False)
    orphans = [SetLogFactory(item=item) for _ in range(3)]  # saved before the outbox
    SetLogFactory(item=item, evaluated_at=timezone.now())  # already evaluated
    alone, in_batch = SetLogFactory(item=item), SetLogFactory(item=item)
    enqueue_log_evaluation(alone.pk)
    enqueue_logs_evaluation([in_batch.pk])
    done = SetLogFactory(item=item)  # its message ran, but the log was changed since
    enqueue_log_evaluation(done.pk)
    OutboxMessage.objects.filter(args=[done.pk]).update(status="done")

    with django_capture_on_commit_callbacks():  # publishing is not what this test checks
        first = run("--batch-size", "2")
        second = run()

    expected = sorted([*(log.pk for log in orphans), done.pk])
    assert "Queued 4 unevaluated log(s) in 2 message(s)." in first
    assert "Queued 0 unevaluated log(s) in 0 message(s)." in second
    assert queued_ids() == sorted([*expected, alone.pk, in_batch.pk])
    new = OutboxMessage.objects.filter(task=EVALUATE_LOGS).exclude(args=[[in_batch.pk]])
    assert sorted(new.values_list("args", flat=True)) == [[expected[:2]], [expected[2:]]]


def test_a_dry_run_counts_and_queues_nothing():
    SetLogFactory()

    assert "1 unevaluated log(s) not yet queued" in run("--dry-run")
    assert not OutboxMessage.objects.exists()


def test_the_queued_logs_are_evaluated_with_their_prompts_and_alerts(
    django_capture_on_commit_callbacks,
):
    reaching = LadderItemFactory(per_side=False)
    painful = LadderItemFactory(per_side=False)
    SetLogFactory(item=reaching, reps=20)
    SetLogFactory(item=painful, pain=8)

    with celery_conf(task_always_eager=True), django_capture_on_commit_callbacks(execute=True):
        run()

    assert not SetLog.objects.filter(evaluated_at__isnull=True).exists()
    assert ProgressionPrompt.objects.filter(patient=reaching.program.patient).count() == 1
    assert PainAlert.objects.filter(patient=painful.program.patient).count() == 1
    assert not OutboxMessage.objects.filter(task=EVALUATE_LOGS).exclude(status="done").exists()
