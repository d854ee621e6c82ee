"""Reminders: at the patient's local time, once a day, recorded as sent, failed or skipped."""

from datetime import date, datetime, time, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.test import TestCase

from apps.clinics.models import in_quiet_hours
from apps.notifications.models import Reminder
from apps.notifications.reminders import reminders_claim_due, reminders_send
from apps.notifications.sweep import notifications_sweep
from apps.notifications.tasks import reminders_dispatch, sweep_notifications
from apps.patients.models import Side
from tests.factories import ExerciseItemFactory
from tests.notifications.factories import SetLogFactory

pytestmark = pytest.mark.django_db

UTC = ZoneInfo("UTC")


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def patient_in(zone, reminder=time(18, 0), weekdays=0b1111111, **fields):
    item = ExerciseItemFactory(
        program__start_date=date(2025, 1, 1),
        program__weekdays=weekdays,
        program__patient__time_zone=zone,
        program__patient__reminder_time=reminder,
        **{f"program__patient__{k}": v for k, v in fields.items()},
    )
    return item.program.patient


def run_beat(at):
    """The minute's dispatcher, at a frozen time, running its tasks inline."""
    with time_machine.travel(at, tick=False), TestCase.captureOnCommitCallbacks(execute=True):
        reminders_dispatch()  # its outbox messages are published (run) on commit


def sent_to(patient):
    return [m for m in mail.outbox if m.to == [patient.email]]


def test_a_patient_is_reminded_once_at_their_local_reminder_time(eager):
    patient = patient_in("Europe/London")

    run_beat(utc(2025, 1, 15, 17, 59))
    assert mail.outbox == []

    for minute in (0, 1, 30):
        run_beat(utc(2025, 1, 15, 18, minute))

    assert len(sent_to(patient)) == 1
    reminder = Reminder.objects.get()
    assert (reminder.status, reminder.local_date, reminder.channel) == (
        "sent",
        date(2025, 1, 15),
        "email",
    )
    assert reminder.due_at == utc(2025, 1, 15, 18, 0)


def test_a_reminder_whose_minute_no_dispatch_reached_goes_at_the_next_one_once(eager):
    patient = patient_in("Europe/London")
    # 18:00 to 18:06: no dispatch got through (Redis down, beat restarting).

    for minute in (7, 7, 8):
        run_beat(utc(2025, 1, 15, 18, minute))

    assert len(sent_to(patient)) == 1
    reminder = Reminder.objects.get()
    assert (reminder.status, reminder.due_at) == ("sent", utc(2025, 1, 15, 18, 0))


def test_each_time_zone_is_reminded_at_its_own_local_time(eager):
    london = patient_in("Europe/London")
    new_york = patient_in("America/New_York")

    run_beat(utc(2025, 1, 15, 18, 0))
    assert (len(sent_to(london)), len(sent_to(new_york))) == (1, 0)

    run_beat(utc(2025, 1, 15, 23, 0))  # 18:00 in New York (EST)
    assert (len(sent_to(london)), len(sent_to(new_york))) == (1, 1)


def test_the_reminder_follows_the_clock_change_in_london(eager):
    patient = patient_in("Europe/London")

    # Saturday 29 March 2025 (GMT): 18:00 local is 18:00 UTC.
    run_beat(utc(2025, 3, 29, 17, 0))
    assert sent_to(patient) == []
    run_beat(utc(2025, 3, 29, 18, 0))
    assert len(sent_to(patient)) == 1
    # Sunday 30 March 2025 (BST from 01:00 UTC): 18:00 local is 17:00 UTC.
    run_beat(utc(2025, 3, 30, 16, 59))
    assert len(sent_to(patient)) == 1
    run_beat(utc(2025, 3, 30, 17, 0))

    assert len(sent_to(patient)) == 2
    days = sorted(Reminder.objects.values_list("local_date", "due_at"))
    assert days == [
        (date(2025, 3, 29), utc(2025, 3, 29, 18, 0)),
        (date(2025, 3, 30), utc(2025, 3, 30, 17, 0)),
    ]


def test_the_reminder_follows_the_clock_change_in_new_york(eager):
    patient = patient_in("America/New_York")

    run_beat(utc(2025, 3, 8, 23, 0))  # 18:00 EST
    run_beat(utc(2025, 3, 10, 21, 59))  # 17:59 EDT
    assert len(sent_to(patient)) == 1
    run_beat(utc(2025, 3, 10, 22, 0))  # 18:00 EDT

    assert len(sent_to(patient)) == 2


def test_without_a_time_of_their_own_the_clinic_default_applies(eager):
    patient = patient_in("Europe/London", reminder=None)
    patient.clinic.default_reminder_time = time(9, 15)
    patient.clinic.save(update_fields=["default_reminder_time"])

    run_beat(utc(2025, 1, 15, 9, 14))
    assert mail.outbox == []
    run_beat(utc(2025, 1, 15, 9, 15))

    assert len(sent_to(patient)) == 1


def test_without_a_time_of_their_own_a_programs_reminder_time_applies(eager):
    patient = patient_in("Europe/London", reminder=None)
    program = patient.programs.get()
    program.reminder_time = time(9, 30)
    program.save(update_fields=["reminder_time"])

    run_beat(utc(2025, 1, 15, 9, 29))
    assert mail.outbox == []
    run_beat(utc(2025, 1, 15, 9, 30))

    assert len(sent_to(patient)) == 1
    assert Reminder.objects.get().due_at == utc(2025, 1, 15, 9, 30)
    run_beat(utc(2025, 1, 15, 18, 0))
    assert len(sent_to(patient)) == 1, "one reminder a day, at the program's time"


def test_the_patients_own_time_comes_before_a_programs(eager):
    """Journey 4: the reminder comes at the patient's chosen time; a program's time (copied
    to everyone the program was made for) is only the fallback."""
    patient = patient_in("Europe/London", reminder=time(18, 0))
    program = patient.programs.get()
    program.reminder_time = time(9, 30)
    program.save(update_fields=["reminder_time"])

    run_beat(utc(2025, 1, 15, 9, 30))
    run_beat(utc(2025, 1, 15, 17, 59))
    assert mail.outbox == []
    run_beat(utc(2025, 1, 15, 18, 0))

    assert len(sent_to(patient)) == 1
    assert Reminder.objects.get().due_at == utc(2025, 1, 15, 18, 0)


def test_with_two_programs_that_day_the_earlier_reminder_time_wins(eager):
    patient = patient_in("Europe/London", reminder=None)
    first = patient.programs.get()
    first.reminder_time = time(12, 0)
    first.save(update_fields=["reminder_time"])
    ExerciseItemFactory(
        program__patient=patient,
        program__start_date=date(2025, 1, 1),
        program__reminder_time=time(8, 45),
    )

    run_beat(utc(2025, 1, 15, 8, 44))
    assert mail.outbox == []
    run_beat(utc(2025, 1, 15, 8, 45))

    assert len(sent_to(patient)) == 1


def test_a_program_not_scheduled_that_day_leaves_its_reminder_time_out(eager):
    """Tuesdays only at 09:00; the other program (every day) has no time of its own, so on a
    Wednesday the clinic's time applies."""
    patient = patient_in("Europe/London", reminder=None)
    patient.clinic.default_reminder_time = time(19, 0)
    patient.clinic.save(update_fields=["default_reminder_time"])
    ExerciseItemFactory(
        program__patient=patient,
        program__start_date=date(2025, 1, 1),
        program__weekdays=0b0000010,
        program__reminder_time=time(9, 0),
    )

    run_beat(utc(2025, 1, 15, 9, 0))  # a Wednesday
    run_beat(utc(2025, 1, 15, 18, 59))
    assert mail.outbox == []
    run_beat(utc(2025, 1, 15, 19, 0))
    assert len(sent_to(patient)) == 1

    run_beat(utc(2025, 1, 21, 9, 0))  # a Tuesday
    assert len(sent_to(patient)) == 2


def test_the_message_links_to_today_and_has_a_one_click_opt_out(eager):
    patient = patient_in("Europe/London")

    run_beat(utc(2025, 1, 15, 18, 0))

    (email,) = mail.outbox
    assert "http://127.0.0.1:8000/today/" in email.body
    assert f"/p/{patient.public_id}/" in email.body
    assert "/reminders/stop/" in email.body
    assert "To choose the time it comes, open: http://127.0.0.1:8000/reminders/\n" in email.body
    assert email.extra_headers["List-Unsubscribe"].startswith("<http://127.0.0.1:8000/reminders/")
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_patient_who_opted_out_is_recorded_as_skipped(eager):
    patient_in("Europe/London", reminders_enabled=False)

    run_beat(utc(2025, 1, 15, 18, 0))

    assert mail.outbox == []
    reminder = Reminder.objects.get()
    assert (reminder.status, reminder.skip_reason) == ("skipped", "opted_out")
    assert reminder.reason == "The patient turned reminders off"


def test_no_reminder_when_the_day_is_already_complete(eager):
    patient = patient_in("Europe/London")
    item = patient.programs.get().items.get()
    with time_machine.travel(utc(2025, 1, 15, 12, 0), tick=False):
        for side in (Side.LEFT, Side.RIGHT):
            for _ in range(item.sets):
                SetLogFactory(item=item, side=side)
    run_beat(utc(2025, 1, 15, 18, 0))

    assert mail.outbox == []
    assert Reminder.objects.get().skip_reason == "day_complete"


def test_a_half_done_day_is_still_reminded(eager):
    patient = patient_in("Europe/London")
    item = patient.programs.get().items.get()
    with time_machine.travel(utc(2025, 1, 15, 12, 0), tick=False):
        SetLogFactory(item=item, side=Side.LEFT)

    run_beat(utc(2025, 1, 15, 18, 0))

    assert len(sent_to(patient)) == 1


def test_no_reminder_row_on_a_day_with_nothing_scheduled(eager):
    patient_in("Europe/London", weekdays=0b0000001)  # Mondays only

    run_beat(utc(2025, 1, 15, 18, 0))  # a Wednesday

    assert not Reminder.objects.exists()


def test_a_reminder_retried_after_the_program_ended_is_skipped_not_scheduled(eager):
    """Reminders go on scheduled days only, when they are sent too: a failed send retried
    after the therapist ended the program that day reminds of nothing."""
    patient = patient_in("Europe/London")
    with mock.patch("django.core.mail.EmailMessage.send", side_effect=OSError("refused")):
        run_beat(utc(2025, 1, 15, 18, 0))
    patient.programs.update(end_date=date(2025, 1, 14))

    with (
        time_machine.travel(utc(2025, 1, 15, 18, 5), tick=False),
        TestCase.captureOnCommitCallbacks(execute=True),
    ):
        sweep_notifications()

    assert mail.outbox == []
    reminder = Reminder.objects.get()
    assert (reminder.status, reminder.skip_reason) == ("skipped", "not_scheduled")


def test_a_reminder_time_inside_quiet_hours_is_skipped(eager):
    patient_in("Europe/London", reminder=time(21, 30))

    run_beat(utc(2025, 1, 15, 21, 30))

    assert mail.outbox == []
    assert Reminder.objects.get().skip_reason == "quiet_hours"


@pytest.mark.parametrize(
    ("at", "quiet"),
    [(time(20, 59), False), (time(21, 0), True), (time(2, 0), True), (time(8, 0), False)],
)
def test_quiet_hours_span_midnight(at, quiet):
    assert in_quiet_hours(at, start=time(21, 0), end=time(8, 0)) is quiet


def test_sms_patients_get_a_text_message(eager, sms_outbox):
    patient_in("Europe/London", reminder_channel="sms", phone="+447700900123")

    run_beat(utc(2025, 1, 15, 18, 0))

    assert mail.outbox == []
    ((to, body),) = sms_outbox
    assert to == "+447700900123"
    assert "/today/" in body
    assert "/reminders/stop/" in body
    assert Reminder.objects.get().channel == "sms"


def test_no_address_for_the_channel_is_recorded_as_skipped(eager):
    patient_in("Europe/London", reminder_channel="sms", phone="")

    run_beat(utc(2025, 1, 15, 18, 0))

    assert Reminder.objects.get().skip_reason == "no_address"


def test_a_second_beat_in_the_same_minute_claims_nothing():
    patient_in("Europe/London")
    now = utc(2025, 1, 15, 18, 0)

    first = reminders_claim_due(now=now)
    second = reminders_claim_due(now=now)

    assert [len(batch) for batch in first] == [1]
    assert second == []


def test_sending_the_same_batch_twice_sends_once():
    patient = patient_in("Europe/London")
    now = utc(2025, 1, 15, 18, 0)
    (batch,) = reminders_claim_due(now=now)

    assert reminders_send(reminder_ids=batch, now=now) == {"sent": 1, "skipped": 0}
    assert reminders_send(reminder_ids=batch, now=now) == {"skipped": 0}
    assert len(sent_to(patient)) == 1


def test_claiming_many_patients_takes_a_fixed_number_of_queries(
    django_assert_max_num_queries, monkeypatch
):
    monkeypatch.setattr("apps.notifications.reminders.SEND_BATCH", 10)
    for _ in range(25):
        patient_in("Europe/London")
    patient_in("America/New_York")

    with django_assert_max_num_queries(8):
        batches = reminders_claim_due(now=utc(2025, 1, 15, 18, 0))

    assert [len(batch) for batch in batches] == [10, 10, 5]


def test_each_batch_is_queued_as_soon_as_it_is_claimed(monkeypatch):
    """The dispatcher does not claim everyone before queueing the first batch: other workers
    send it while the rest are claimed."""
    from apps.core import outbox

    monkeypatch.setattr("apps.notifications.reminders.SEND_BATCH", 2)
    monkeypatch.setattr("apps.notifications.reminders.CLAIM_BATCH", 2)
    for _ in range(5):
        patient_in("Europe/London")
    claimed_when_queued = []
    enqueue = outbox.enqueue

    def counting(task, args=(), **kwargs):
        claimed_when_queued.append(Reminder.objects.count())
        return enqueue(task, args, **kwargs)

    monkeypatch.setattr(outbox, "enqueue", counting)
    with time_machine.travel(utc(2025, 1, 15, 18, 0), tick=False):
        assert reminders_dispatch() == 5

    assert claimed_when_queued == [2, 4, 5]
    assert Reminder.objects.exclude(claim_token=None).count() == 5  # all reserved


def _queries_to_send(total: int, now: datetime) -> int:
    """Statements to send a batch of reminders to ``total`` patients (made as needed)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from apps.patients.models import Patient

    Reminder.objects.all().delete()
    for _ in range(total - Patient.objects.count()):
        patient_in("Europe/London")
    (batch,) = reminders_claim_due(now=now)
    with CaptureQueriesContext(connection) as queries:
        assert reminders_send(reminder_ids=batch, now=now) == {"sent": total, "skipped": 0}
    return len(queries)


def test_each_message_of_a_batch_costs_one_statement():
    """The mark of one message and the take of the next are one statement (one commit); the
    message's questionnaires are read for the whole batch at once."""
    now = utc(2025, 1, 15, 18, 0)
    five = _queries_to_send(5, now)
    fifteen = _queries_to_send(15, now)
    assert fifteen - five == 10


def test_a_worker_stopped_while_sending_leaves_only_that_message_sending():
    """Every message before it is recorded sent (the last one's mark rode on this take), the
    rest are still waiting: at most one "unknown" whenever the process dies."""
    for _ in range(5):
        patient_in("Europe/London")
    now = utc(2025, 1, 15, 18, 0)
    (batch,) = reminders_claim_due(now=now)
    sent = []

    def send(self, fail_silently=False):
        if len(sent) == 3:
            raise SystemExit("killed")  # not an Exception: nothing in the app catches it
        sent.append(self.to)
        return 1

    with mock.patch("django.core.mail.EmailMessage.send", send), pytest.raises(SystemExit):
        reminders_send(reminder_ids=batch, now=now)

    statuses = list(Reminder.objects.order_by("pk").values_list("status", flat=True))
    assert statuses == ["sent", "sent", "sent", "sending", "claimed"]


def test_a_row_taken_elsewhere_is_left_alone_and_the_sent_one_still_recorded():
    from uuid import uuid4

    from apps.notifications import delivery

    patient_in("Europe/London")
    patient_in("Europe/London")
    now = utc(2025, 1, 15, 18, 0)
    first, second = sorted(*reminders_claim_due(now=now))
    token = delivery.take_one(Reminder, first, now=now)
    assert token is not None
    assert delivery.take_one(Reminder, second, now=now) is not None  # another worker's

    assert delivery.mark_sent_and_take(Reminder, sent=(first, token), take=second, now=now) is None
    assert Reminder.objects.get(pk=first).status == "sent"
    assert Reminder.objects.get(pk=second).status == "sending"
    # A row no longer ours (marked unknown by the sweep) is not marked sent; the take holds.
    Reminder.objects.filter(pk=second).update(status="unknown")
    patient_in("Europe/London")
    (third,) = reminders_claim_due(now=now)[0]
    taken = delivery.mark_sent_and_take(Reminder, sent=(second, uuid4()), take=third, now=now)
    assert taken is not None
    assert Reminder.objects.get(pk=second).status == "unknown"
    assert Reminder.objects.get(pk=third).claim_token == taken


def test_a_failed_send_is_recorded_and_retried_by_the_sweep(eager):
    patient = patient_in("Europe/London")
    with mock.patch("django.core.mail.EmailMessage.send", side_effect=OSError("refused")):
        run_beat(utc(2025, 1, 15, 18, 0))
    reminder = Reminder.objects.get()
    assert (reminder.status, reminder.attempts, reminder.reason) == ("claimed", 1, "refused")

    with (
        time_machine.travel(utc(2025, 1, 15, 18, 5), tick=False),
        TestCase.captureOnCommitCallbacks(execute=True),
    ):
        sweep_notifications()

    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts, reminder.error) == ("sent", 2, "")
    assert len(sent_to(patient)) == 1


def test_a_reminder_whose_day_ended_before_sending_is_skipped():
    patient_in("Europe/London")
    (batch,) = reminders_claim_due(now=utc(2025, 1, 15, 20, 0))

    outcome = reminders_send(reminder_ids=batch, now=utc(2025, 1, 16, 0, 1))

    assert outcome == {"skipped": 1}
    assert Reminder.objects.get().skip_reason == "too_late"


def test_the_sweep_marks_a_reminder_left_sending_by_a_dead_worker_unknown():
    patient_in("Europe/London")
    now = utc(2025, 1, 15, 18, 0)
    reminders_claim_due(now=now)
    Reminder.objects.update(status="sending", updated_at=now)

    result = notifications_sweep(now=now + timedelta(minutes=11), batch=200)

    reminder = Reminder.objects.get()
    assert result.unknown == 1
    assert reminder.status == "unknown"
    assert "not sent again" in reminder.reason


def test_a_claimed_row_is_what_a_reminder_with_its_defaults_would_be():
    # On PostgreSQL the claim is one INSERT from arrays, elsewhere bulk_create: the same row.
    patient = patient_in("America/New_York", reminder=time(7, 30), reminder_channel="sms")
    now = utc(2025, 1, 15, 12, 31)

    (batch,) = reminders_claim_due(now=now)

    row = Reminder.objects.get(pk=batch[0])
    expected = Reminder(
        patient=patient, local_date=date(2025, 1, 15), due_at=utc(2025, 1, 15, 12, 30),
        channel="sms", retry_after=now, created_at=now, updated_at=now,
    )  # fmt: skip
    fields = [
        f.attname for f in Reminder._meta.concrete_fields if f.attname not in ("id", "public_id")
    ]
    assert {f: getattr(row, f) for f in fields} == {f: getattr(expected, f) for f in fields}
    assert row.public_id is not None


def test_a_task_out_of_time_stops_the_batch_and_never_sends_the_interrupted_message_again():
    """The soft time limit firing mid-send is not a channel error to retry: the batch stops
    there, the interrupted message stays ``sending`` (it may have arrived), the rest wait for
    the task's retry, and the hard limit never has to kill the worker mid-message."""
    from celery.exceptions import SoftTimeLimitExceeded

    for _ in range(5):
        patient_in("Europe/London")
    now = utc(2025, 1, 15, 18, 0)
    (batch,) = reminders_claim_due(now=now)
    sent = []

    def send(self, fail_silently=False):
        if len(sent) == 2:
            raise SoftTimeLimitExceeded()
        sent.append(self.to)
        return 1

    with (
        mock.patch("django.core.mail.EmailMessage.send", send),
        pytest.raises(SoftTimeLimitExceeded),
    ):
        reminders_send(reminder_ids=batch, now=now)

    statuses = list(Reminder.objects.order_by("pk").values_list("status", flat=True))
    assert statuses == ["sent", "sent", "sending", "claimed", "claimed"]
    assert len(sent) == 2
