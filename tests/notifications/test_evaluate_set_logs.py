"""Evaluating a batch of logs (the phone's offline queue) in one task: each log exactly as
``evaluate_set_log`` would, so prompts and pain alerts still come once."""

from datetime import timedelta
from unittest import mock
from uuid import UUID

import pytest
from django.core import mail
from django.utils import timezone

from apps.notifications import dispatch
from apps.notifications.models import PainAlert, StaffNotification
from apps.notifications.tasks import evaluate_set_logs
from apps.programs.models import ProgressionPrompt, SetLog
from tests.conftest import signed_in
from tests.factories import LadderItemFactory
from tests.notifications.factories import SetLogFactory
from tests.portal.me_api import log_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def item():
    """A ladder item done on both sides together, 20 reps to move up."""
    return LadderItemFactory(per_side=False, ladder__name="Clamshell")


def evaluated_ids() -> set[int]:
    return set(SetLog.objects.filter(evaluated_at__isnull=False).values_list("pk", flat=True))


def test_the_set_reaching_twenty_reps_in_a_batch_prompts_once_and_emails_once(item):
    logs = [SetLogFactory(item=item, reps=reps) for reps in (12, 16, 20, 20)]

    evaluate_set_logs([log.pk for log in logs])

    prompt = ProgressionPrompt.objects.get()
    assert (prompt.level, prompt.next_level, prompt.triggered_by) == (1, 2, logs[2])
    assert evaluated_ids() == {log.pk for log in logs}
    assert StaffNotification.objects.count() == 1
    (email,) = mail.outbox
    assert "ready for level 2 of Clamshell" in email.subject


def test_painful_sets_in_a_batch_alert_once_per_local_day(item):
    today = item.program.patient.local_today()
    days = [today, today, today - timedelta(days=1), today]
    logs = [
        SetLogFactory(item=item, pain=pain, performed_on=day)
        for pain, day in zip((7, 9, 8, 2), days, strict=True)
    ]

    evaluate_set_logs([log.pk for log in logs])

    alerts = PainAlert.objects.order_by("local_date")
    # One alert a day, naming that day's highest pain whichever set was evaluated first.
    assert [(a.local_date, a.pain) for a in alerts] == [(days[2], 8), (today, 9)]
    assert len(mail.outbox) == 2
    assert evaluated_ids() == {log.pk for log in logs}


def test_running_the_batch_task_twice_or_after_the_per_log_task_adds_nothing(item):
    logs = [SetLogFactory(item=item, reps=20, pain=8) for _ in range(3)]
    evaluate_set_logs([logs[0].pk])  # e.g. the sweep got to one of them first

    evaluate_set_logs([log.pk for log in logs])
    evaluate_set_logs([log.pk for log in logs])

    assert PainAlert.objects.count() == 1
    # Pain above the limit holds the prompt back; the therapist hears of both once.
    assert ProgressionPrompt.objects.get().held_back_pain == 8
    assert StaffNotification.objects.count() == 2
    assert len(mail.outbox) == 2


def test_a_batch_posted_through_the_api_is_evaluated_by_the_task(
    item, eager, django_capture_on_commit_callbacks
):
    patient = item.program.patient
    yesterday = str(patient.local_today() - timedelta(days=1))
    sets = [
        log_body(item, side="both", reps=10, pain=2),
        log_body(item, side="both", reps=20, pain=2),
        log_body(item, side="both", reps=12, pain=7, performed_on=yesterday),
        log_body(item, side="both", reps=12, pain=8, performed_on=yesterday),
    ]

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(patient.user).post(
            "/api/v1/me/logs/batch/", {"logs": sets}, content_type="application/json"
        )

    assert response.status_code == 200
    assert evaluated_ids() == set(SetLog.objects.values_list("pk", flat=True))
    assert ProgressionPrompt.objects.get().triggered_by.client_id == UUID(sets[1]["client_id"])
    assert PainAlert.objects.get().pain == 8  # the day's highest
    assert len(mail.outbox) == 2


def test_enqueueing_a_batch_never_fails_the_caller_when_the_broker_is_down(
    django_capture_on_commit_callbacks,
):
    from config.celery import app

    with (
        mock.patch.object(app, "send_task", side_effect=ConnectionError("broker down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        dispatch.enqueue_logs_evaluation([1, 2, 3])  # no exception


def test_the_batch_task_goes_to_the_notifications_queue_as_the_per_log_task():
    from config.celery import app

    route = app.amqp.router.route({}, evaluate_set_logs.name)
    assert route["queue"].name == "notifications"


def test_a_level_changed_by_hand_before_the_qualifying_set_is_evaluated_holds_no_batch_back(
    therapist_a, patient_a
):
    """Automatic advance is on, and the therapist moved the patient from level 1 to level 3
    from tomorrow; today the patient still does level 1 and reaches 20 reps, then logs a
    painful set of another exercise. The prompt waits for the therapist (there is nothing
    left to advance automatically) and the rest of the batch is evaluated: the pain alert
    still comes."""
    from apps.programs.models import LevelChange, PromptStatus
    from apps.programs.prompt_decisions import item_level_set
    from tests.factories import ProgramFactory

    program = ProgramFactory(patient=patient_a, start_date=patient_a.local_today() - timedelta(9))
    item = LadderItemFactory(program=program, per_side=False, auto_advance=True, current_level=1)
    other = LadderItemFactory(program=program, per_side=False)
    item_level_set(item=item, user=therapist_a, level=3, reason="Ready for more")
    item.refresh_from_db()
    yesterday = patient_a.local_today() - timedelta(days=1)
    logs = [
        SetLogFactory(item=item, reps=20, pain=0),
        SetLogFactory(item=other, pain=8, performed_on=yesterday),
    ]

    evaluate_set_logs([log.pk for log in logs])

    prompt = ProgressionPrompt.objects.get()
    assert (prompt.level, prompt.status) == (1, PromptStatus.PENDING)
    assert list(LevelChange.objects.values_list("to_level", "changed_by")) == [(3, therapist_a.pk)]
    assert evaluated_ids() == {log.pk for log in logs}
    assert PainAlert.objects.get().pain == 8


def test_a_lower_pain_logged_earlier_but_evaluated_later_leaves_the_days_alert_at_its_highest(
    item,
):
    # CLINICAL.md: pain of 7 or more alerts the therapist the same day; the one alert of the
    # day names its highest pain, whichever set the phone synced first.
    now = timezone.now()
    highest = SetLogFactory(item=item, pain=9, logged_at=now)
    earlier = SetLogFactory(item=item, pain=7, logged_at=now - timedelta(minutes=30))

    evaluate_set_logs([highest.pk])
    evaluate_set_logs([earlier.pk])

    alert = PainAlert.objects.get()
    assert (alert.pain, alert.log) == (9, highest)


@pytest.mark.parametrize(
    ("minutes", "order"),
    [((0, 30), (0, 1)), ((0, 30), (1, 0)), ((0, 0), (1, 0))],
    ids=["earliest-first", "earliest-last", "same-time-lower-id-last"],
)
def test_the_days_alert_names_the_earliest_of_equal_pains_whichever_is_evaluated_first(
    item, minutes, order
):
    now = timezone.now()
    sets = [SetLogFactory(item=item, pain=8, logged_at=now + timedelta(minutes=m)) for m in minutes]

    for index in order:
        evaluate_set_logs([sets[index].pk])

    assert PainAlert.objects.get().log == sets[0]
