"""Evaluating a committed log: prompt, pain alert, one email each, exactly once."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from apps.core.models import OutboxMessage
from apps.notifications import dispatch
from apps.notifications.models import DeliveryStatus, PainAlert, StaffNotification
from apps.notifications.services import notification_deliver, set_log_evaluate
from apps.notifications.tasks import evaluate_set_log
from apps.patients.models import Side
from apps.programs.models import ProgressionPrompt
from config.celery import app as celery_app
from tests.factories import LadderItemFactory
from tests.notifications.factories import SetLogFactory, add_primary_mvic

pytestmark = pytest.mark.django_db


@pytest.fixture
def item():
    item = LadderItemFactory(per_side=True, ladder__name="Clamshell")
    levels = {lvl.level: lvl.exercise for lvl in item.ladder.levels.all()}
    add_primary_mvic(levels[1], gluteus_medius="47")
    add_primary_mvic(levels[2], gluteus_medius="62")
    return item


def log_twenty_both_sides(item, **extra):
    SetLogFactory(item=item, side=Side.LEFT, reps=20, **extra)
    return SetLogFactory(item=item, side=Side.RIGHT, reps=20, **extra)


def test_twenty_reps_prompt_the_therapist_by_email_naming_both_levels_and_their_mvic(item):
    log = log_twenty_both_sides(item)

    evaluate_set_log(log.pk)

    prompt = ProgressionPrompt.objects.get()
    assert (prompt.level, prompt.next_level) == (1, 2)
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [item.program.patient.therapist.email]
    assert "ready for level 2" in email.subject
    assert "level 1, Clamshell L1 (gluteus medius 47 %MVIC, gluteus maximus not reported)" in (
        email.body
    )
    assert "level 2, Clamshell L2 (gluteus medius 62 %MVIC" in email.body
    assert "/inbox/" in email.body
    assert StaffNotification.objects.get().status == DeliveryStatus.SENT


def test_a_less_certain_mvic_value_is_marked_so_in_the_email_and_the_inbox(item):
    from apps.notifications.selectors import inbox_for

    level_2 = item.ladder.levels.get(level=2).exercise
    add_primary_mvic(level_2, confidence="single-source", gluteus_maximus="53")

    evaluate_set_log(log_twenty_both_sides(item).pk)

    # CLINICAL.md: a value from one source is shown as less certain wherever it is shown.
    marked = "gluteus maximus 53 %MVIC (single source, less certain)"
    assert marked in mail.outbox[0].body
    assert "gluteus medius 62 %MVIC," in mail.outbox[0].body  # a certain value is not marked
    therapist = item.program.patient.therapist
    (card,) = inbox_for(user=therapist, today=timezone.localdate()).open_prompts
    assert marked in card.next.mvic_text()


def test_a_log_is_marked_evaluated_and_a_second_evaluation_does_nothing(item):
    log = log_twenty_both_sides(item)

    evaluate_set_log(log.pk)
    evaluate_set_log(log.pk)

    log.refresh_from_db()
    assert log.evaluated_at is not None
    assert len(mail.outbox) == 1
    assert set_log_evaluate(log_id=log.pk) == []


def test_logged_twice_and_evaluated_twice_gives_one_prompt_and_one_email(item):
    first = log_twenty_both_sides(item)
    second = log_twenty_both_sides(item)

    for log in (first, second, first, second):
        evaluate_set_log(log.pk)

    assert ProgressionPrompt.objects.count() == 1
    assert StaffNotification.objects.count() == 1
    assert len(mail.outbox) == 1


def test_a_ladder_complete_prompt_says_so(item):
    item.current_level = 4
    item.save(update_fields=["current_level"])

    evaluate_set_log(log_twenty_both_sides(item).pk)

    assert "finished the top level" in mail.outbox[0].subject
    assert "ladder is complete" in mail.outbox[0].body


def test_a_ladder_complete_email_names_the_top_levels_own_rule(item):
    """The top level asks 12 reps, not the ladder's 20: the email says what was met."""
    item.ladder.levels.filter(level=4).update(advance_target=12)
    item.current_level = 4
    item.save(update_fields=["current_level"])
    SetLogFactory(item=item, side=Side.LEFT, reps=12)

    evaluate_set_log(SetLogFactory(item=item, side=Side.RIGHT, reps=12).pk)

    body = mail.outbox[0].body
    assert "reached 12 reps in one set on each side" in body
    assert "20 reps" not in body


def test_pain_at_the_alert_level_alerts_the_therapist_once_per_local_day(item):
    for _ in range(2):
        evaluate_set_log(SetLogFactory(item=item, pain=7).pk)
    tomorrow = item.program.patient.local_today() + timedelta(days=1)
    evaluate_set_log(SetLogFactory(item=item, pain=9, performed_on=tomorrow).pk)

    assert PainAlert.objects.count() == 2
    assert [m.subject for m in mail.outbox] == [
        f"Pain alert: {item.program.patient.full_name} logged pain 7/10",
        f"Pain alert: {item.program.patient.full_name} logged pain 9/10",
    ]


def test_pain_below_the_clinics_alert_level_does_not_alert(item):
    evaluate_set_log(SetLogFactory(item=item, pain=6).pk)

    assert not PainAlert.objects.exists()
    assert mail.outbox == []


def test_a_clinic_can_lower_its_alert_level(item):
    clinic = item.program.patient.clinic
    clinic.pain_alert_level = 4
    clinic.save(update_fields=["pain_alert_level"])

    evaluate_set_log(SetLogFactory(item=item, pain=4).pk)

    assert PainAlert.objects.count() == 1


def test_delivering_the_same_email_twice_sends_it_once(item):
    log = log_twenty_both_sides(item)
    (notification_id,) = set_log_evaluate(log_id=log.pk)

    assert notification_deliver(notification_id=notification_id) is True
    assert notification_deliver(notification_id=notification_id) is False
    assert len(mail.outbox) == 1


def test_a_failed_email_is_kept_for_a_later_retry_then_given_up(item):
    (notification_id,) = set_log_evaluate(log_id=log_twenty_both_sides(item).pk)
    now = timezone.now()

    with mock.patch("django.core.mail.EmailMessage.send", side_effect=OSError("refused")):
        assert notification_deliver(notification_id=notification_id, now=now) is False
        row = StaffNotification.objects.get()
        assert (row.status, row.attempts, row.error) == ("claimed", 1, "refused")
        assert row.retry_after > now
        # Not due yet: a retry now does nothing.
        assert notification_deliver(notification_id=notification_id, now=now) is False
        for attempt in range(3):
            later = timezone.now() + timedelta(hours=attempt + 1)
            notification_deliver(notification_id=notification_id, now=later)

    row.refresh_from_db()
    assert (row.status, row.attempts) == ("failed", 4)
    assert mail.outbox == []


def test_an_email_cut_off_by_the_tasks_time_limit_is_not_sent_again(item):
    """The soft time limit firing mid-send is not a refused email: it may have arrived, so it
    stays ``sending`` (later ``unknown``) and the task stops, instead of a retry resending it."""
    from celery.exceptions import SoftTimeLimitExceeded

    (notification_id,) = set_log_evaluate(log_id=log_twenty_both_sides(item).pk)

    with (
        mock.patch("django.core.mail.EmailMessage.send", side_effect=SoftTimeLimitExceeded()),
        pytest.raises(SoftTimeLimitExceeded),
    ):
        notification_deliver(notification_id=notification_id)

    row = StaffNotification.objects.get()
    assert (row.status, row.attempts) == ("sending", 1)
    later = timezone.now() + timedelta(hours=1)
    assert notification_deliver(notification_id=notification_id, now=later) is False


def test_an_email_waiting_for_a_retry_is_not_sent_to_a_therapist_who_handed_the_patient_on(
    item,
):
    """Pain data goes only to who looks after the patient when it is sent: a retry after the
    patient moved to a colleague records it unsent (skipped, saying why) instead, though the
    former therapist still works at the clinic."""
    from tests.factories import StaffFactory

    patient = item.program.patient
    (notification_id,) = set_log_evaluate(log_id=SetLogFactory(item=item, pain=8).pk)
    with mock.patch("django.core.mail.EmailMessage.send", side_effect=OSError("refused")):
        notification_deliver(notification_id=notification_id)
    patient.therapist = StaffFactory(clinic=patient.clinic)
    patient.save(update_fields=["therapist"])

    later = timezone.now() + timedelta(hours=1)
    assert notification_deliver(notification_id=notification_id, now=later) is False

    assert mail.outbox == []
    row = StaffNotification.objects.get()
    assert (row.status, row.error) == (
        "skipped",
        "Not sent: the recipient no longer looks after this patient.",
    )


def test_the_email_row_commits_before_anything_is_sent(item):
    log = log_twenty_both_sides(item)
    with mock.patch("apps.notifications.services.EmailChannel.send") as send:
        ids = set_log_evaluate(log_id=log.pk)

    send.assert_not_called()
    assert StaffNotification.objects.get(pk=ids[0]).status == DeliveryStatus.CLAIMED


def test_enqueueing_never_fails_the_caller_when_the_broker_is_down(
    item, django_capture_on_commit_callbacks
):
    with (
        mock.patch.object(celery_app, "send_task", side_effect=ConnectionError("broker down")),
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        log = SetLogFactory(item=item)
        dispatch.enqueue_log_evaluation(log.pk)  # no exception

    message = OutboxMessage.objects.get()
    assert (message.task, message.args, message.status) == (
        dispatch.EVALUATE_LOG,
        [log.pk],
        "pending",
    )
    assert message.available_at <= timezone.now()  # due for the sweep at once


def test_a_log_evaluation_is_published_only_after_commit(item, django_capture_on_commit_callbacks):
    with (
        mock.patch.object(celery_app, "send_task") as send_task,
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        log = log_twenty_both_sides(item)
        dispatch.enqueue_log_evaluation(log.pk)
        send_task.assert_not_called()

    send_task.assert_called_once()
    assert send_task.call_args.args[0] == "apps.notifications.tasks.evaluate_set_log"
    assert send_task.call_args.kwargs["args"] == [log.pk]
    message = OutboxMessage.objects.get()
    assert send_task.call_args.kwargs["headers"] == {"outbox_id": str(message.pk)}


def test_a_worker_dying_mid_evaluation_loses_nothing_and_the_rerun_duplicates_nothing(item):
    log = log_twenty_both_sides(item)
    with (
        mock.patch(
            "apps.notifications.services.pain_alert_for_log", side_effect=SystemExit("killed")
        ),
        pytest.raises(SystemExit),
    ):
        evaluate_set_log(log.pk)

    log.refresh_from_db()
    assert log.evaluated_at is None  # the sweep will pick it up
    assert not ProgressionPrompt.objects.exists()

    evaluate_set_log(log.pk)
    evaluate_set_log(log.pk)

    assert ProgressionPrompt.objects.count() == 1
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("name", ["Ann\nLee", "Ann\r\nLee"])
def test_a_name_with_a_line_break_does_not_stop_the_pain_alert_email(item, name):
    # A name sent through the API may hold a line break (pasted from a referral letter). An
    # email header cannot: Django refused every message naming the patient in its subject,
    # and the therapist's pain alert was retried until given up, never sent.
    patient = item.program.patient
    patient.full_name = name
    patient.save(update_fields=["full_name"])

    evaluate_set_log(SetLogFactory(item=item, pain=8).pk)

    assert [m.subject for m in mail.outbox] == ["Pain alert: Ann Lee logged pain 8/10"]
    assert StaffNotification.objects.get().status == DeliveryStatus.SENT


def test_a_ladder_name_with_a_line_break_does_not_stop_the_prompt_email(item):
    item.ladder.name = "Clamshell\nladder"
    item.ladder.save(update_fields=["name"])

    evaluate_set_log(log_twenty_both_sides(item).pk)

    assert "level 2 of Clamshell ladder" in mail.outbox[0].subject
