"""Reminders and hip precautions: a day on which the precautions hold back every exercise
(Today shows nothing to do) is not a day to remind the patient of; a day with one exercise
left is. The rule is Today's (``today_plan``) and adherence's (``patient_schedules``)."""

from datetime import date, datetime, time
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.test import TestCase

from apps.notifications.models import Reminder
from apps.notifications.reminders import reminders_claim_due, reminders_send
from apps.notifications.tasks import reminders_dispatch, sweep_notifications
from apps.patients.models import Patient, Side
from apps.patients.precautions import precaution_set
from apps.programs.selectors import today_plan
from tests.factories import ExerciseFactory, ExerciseItemFactory, LadderItemFactory
from tests.notifications.factories import SetLogFactory
from tests.programs.precaution_helpers import overridden

pytestmark = pytest.mark.django_db

UTC = ZoneInfo("UTC")
DAY = date(2025, 1, 15)  # a Wednesday
AT = datetime(2025, 1, 15, 18, 0, tzinfo=UTC)  # 18:00 in London: the patients' time


def patient_with(*movements: list[str]) -> Patient:
    """A patient in London reminded at 18:00, with a program scheduled every day of one
    item per ``movements`` (the hip movements of its exercise)."""
    first, *others = movements
    item = ExerciseItemFactory(
        program__start_date=date(2025, 1, 1),
        program__patient__time_zone="Europe/London",
        program__patient__reminder_time=time(18, 0),
        exercise=ExerciseFactory(hip_movements=first),
    )
    for tags in others:
        ExerciseItemFactory(program=item.program, exercise=ExerciseFactory(hip_movements=tags))
    return item.program.patient


def posterior(patient: Patient, *, starts_on=date(2025, 1, 1), ends_on=date(2025, 2, 12)):
    """Posterior approach: no flexion beyond 90°, no adduction across the midline, no internal
    rotation."""
    return precaution_set(
        actor=patient.therapist, patient=patient, kind="posterior",
        starts_on=starts_on, ends_on=ends_on,
    )  # fmt: skip


def run_beat(at=AT):
    with time_machine.travel(at, tick=False), TestCase.captureOnCommitCallbacks(execute=True):
        reminders_dispatch()


def sent_to(patient):
    return [m for m in mail.outbox if m.to == [patient.email]]


def test_a_day_whose_every_exercise_is_held_back_is_skipped_with_the_reason(eager):
    patient = patient_with(["internal_rotation"], ["flexion_beyond_90", "external_rotation"])
    posterior(patient)
    assert today_plan(patient=patient, on=DAY).items == []  # Today: nothing to do

    run_beat()

    assert mail.outbox == []
    reminder = Reminder.objects.get()
    assert (reminder.status, reminder.skip_reason) == ("skipped", "held_back")
    assert reminder.reason == "Hip precautions held back every exercise scheduled that day"


def test_a_ladder_item_whose_level_is_held_back_leaves_nothing_to_remind_of(eager):
    item = LadderItemFactory(
        program__start_date=date(2025, 1, 1),
        program__patient__time_zone="Europe/London",
        program__patient__reminder_time=time(18, 0),
    )
    level = item.ladder.levels.get(level=1).exercise
    level.hip_movements = ["internal_rotation"]
    level.save(update_fields=["hip_movements"])
    posterior(item.program.patient)

    run_beat()

    assert mail.outbox == []
    assert Reminder.objects.get().skip_reason == "held_back"


def status_of(patient: Patient) -> tuple[str, str]:
    reminder = Reminder.objects.get(patient=patient)
    return reminder.status, reminder.skip_reason


def test_one_exercise_held_back_and_another_not_still_reminds(eager):
    """Against a patient with both exercises held back: one left to do is a day to remind."""
    one_left = patient_with(["internal_rotation"], ["external_rotation"])
    none_left = patient_with(["internal_rotation"], ["adduction_past_midline"])
    posterior(one_left)
    posterior(none_left)

    run_beat()

    assert len(sent_to(one_left)) == 1
    assert status_of(one_left) == ("sent", "")
    assert status_of(none_left) == ("skipped", "held_back")


def test_an_exercise_with_an_override_reason_still_counts(eager):
    """The same held-back exercise for two patients: the therapist's reason makes it one to do."""
    cleared = patient_with(["internal_rotation"])
    held = patient_with(["internal_rotation"])
    posterior(cleared)
    posterior(held)
    with time_machine.travel(datetime(2025, 1, 10, 12, 0, tzinfo=UTC), tick=False):
        overridden(cleared.programs.get().items.get(), actor=cleared.therapist)

    run_beat()

    assert len(sent_to(cleared)) == 1
    assert status_of(cleared) == ("sent", "")
    assert status_of(held) == ("skipped", "held_back")


def test_precautions_that_ended_yesterday_hold_nothing_back(eager):
    """The end date is the first day without them: ending on the 15th, the 14th was the last
    day held back; ending on the 16th, the 15th still is."""
    ended = patient_with(["internal_rotation"])
    ending = patient_with(["internal_rotation"])
    posterior(ended, ends_on=DAY)
    posterior(ending, ends_on=date(2025, 1, 16))

    run_beat()

    assert len(sent_to(ended)) == 1
    assert status_of(ended) == ("sent", "")
    assert status_of(ending) == ("skipped", "held_back")


def test_precautions_that_start_tomorrow_hold_nothing_back(eager):
    starting = patient_with(["internal_rotation"])
    started = patient_with(["internal_rotation"])
    posterior(starting, starts_on=date(2025, 1, 16), ends_on=date(2025, 2, 26))
    posterior(started, starts_on=DAY, ends_on=date(2025, 2, 26))

    run_beat()

    assert len(sent_to(starting)) == 1
    assert status_of(started) == ("skipped", "held_back")


def test_a_reminder_retried_after_precautions_were_set_is_skipped_held_back(eager):
    """Checked when it is sent, not only when it was claimed: a failed send retried after the
    therapist set precautions that hold everything back reminds of nothing."""
    patient = patient_with(["internal_rotation"])
    with mock.patch("django.core.mail.EmailMessage.send", side_effect=OSError("refused")):
        run_beat()
    posterior(patient)

    with (
        time_machine.travel(datetime(2025, 1, 15, 18, 5, tzinfo=UTC), tick=False),
        TestCase.captureOnCommitCallbacks(execute=True),
    ):
        sweep_notifications()

    assert mail.outbox == []
    reminder = Reminder.objects.get()
    assert (reminder.status, reminder.skip_reason) == ("skipped", "held_back")


def test_the_day_is_complete_when_what_is_not_held_back_is_done(eager):
    """Day completeness follows the same rule: the held-back exercise is not expected, so
    doing the other one's sets completes the day."""
    patient = patient_with(["internal_rotation"], ["external_rotation"])
    posterior(patient)
    allowed = patient.programs.get().items.get(exercise__hip_movements=["external_rotation"])
    with time_machine.travel(datetime(2025, 1, 15, 12, 0, tzinfo=UTC), tick=False):
        for side in (Side.LEFT, Side.RIGHT):
            for _ in range(allowed.sets):
                SetLogFactory(item=allowed, side=side)

    run_beat()

    assert mail.outbox == []
    assert Reminder.objects.get().skip_reason == "day_complete"


def _patients_with_precautions(*, held_back: int, reminded: int) -> None:
    """``held_back`` patients with precautions holding back their every exercise (one on a
    ladder each), ``reminded`` with precautions holding back one of two, and as many without
    precautions."""
    for _ in range(held_back):
        patient = patient_with(["internal_rotation"])
        item = LadderItemFactory(program=patient.programs.get())
        level = item.ladder.levels.get(level=1).exercise
        level.hip_movements = ["flexion_beyond_90"]
        level.save(update_fields=["hip_movements"])
        posterior(patient)
    for _ in range(reminded):
        posterior(patient_with(["internal_rotation"], []))
        patient_with([])


def test_checking_precautions_takes_a_fixed_number_of_queries_per_batch(
    django_assert_max_num_queries,
):
    """Only the patients with precautions in force are checked, in one query for the whole
    batch (three more to read their items, precautions and ladder levels), however many
    they are; each reminder sent is one statement, as without precautions."""
    _patients_with_precautions(held_back=8, reminded=2)
    (batch,) = reminders_claim_due(now=AT)

    with django_assert_max_num_queries(14):
        assert reminders_send(reminder_ids=batch, now=AT) == {"sent": 4, "skipped": 8}


def test_claiming_under_precautions_takes_a_fixed_number_of_queries(
    django_assert_max_num_queries,
):
    """The programs the precautions hold back entirely (whose time is passed over) are found
    for the whole zone at once: the patients' precautions, their items and their ladders'
    levels, one query each, however many patients have them."""
    _patients_with_precautions(held_back=8, reminded=2)

    with django_assert_max_num_queries(7):
        batches = reminders_claim_due(now=AT)

    assert sum(len(batch) for batch in batches) == 12


# --- Whose reminder time: a program the precautions wholly hold back gives none -------------


def two_programs(*, held_at: time, other_at: time | None) -> Patient:
    """A patient in London with no time of their own and two programs every day: one of an
    exercise the posterior precautions hold back (reminder ``held_at``), one of an exercise
    they allow (reminder ``other_at``)."""
    held = ExerciseItemFactory(
        program__start_date=date(2025, 1, 1),
        program__patient__time_zone="Europe/London",
        program__patient__reminder_time=None,
        program__reminder_time=held_at,
        exercise=ExerciseFactory(hip_movements=["internal_rotation"]),
    )
    patient = held.program.patient
    ExerciseItemFactory(
        program__patient=patient,
        program__start_date=date(2025, 1, 1),
        program__reminder_time=other_at,
        exercise=ExerciseFactory(hip_movements=["external_rotation"]),
    )
    posterior(patient)
    return patient


def at_london(hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 1, 15, hour, minute, tzinfo=UTC)  # London is on UTC in January


def test_the_time_comes_from_the_program_with_something_to_do_that_day(eager):
    patient = two_programs(held_at=time(8, 30), other_at=time(17, 30))

    run_beat(at_london(8, 30))
    run_beat(at_london(17, 29))
    assert Reminder.objects.filter(patient=patient).count() == 0

    run_beat(at_london(17, 30))

    assert len(sent_to(patient)) == 1
    assert Reminder.objects.get(patient=patient).due_at == at_london(17, 30)


def test_without_another_program_time_the_clinics_applies_not_the_held_back_programs(eager):
    patient = two_programs(held_at=time(20, 0), other_at=None)
    patient.clinic.default_reminder_time = time(9, 0)
    patient.clinic.save(update_fields=["default_reminder_time"])

    run_beat(at_london(9, 0))

    assert len(sent_to(patient)) == 1
    assert Reminder.objects.get(patient=patient).due_at == at_london(9, 0)


def test_the_held_back_programs_time_is_back_once_its_exercise_is_cleared(eager):
    patient = two_programs(held_at=time(8, 30), other_at=time(17, 30))
    held = patient.programs.get(reminder_time=time(8, 30)).items.get()
    with time_machine.travel(datetime(2025, 1, 10, 12, 0, tzinfo=UTC), tick=False):
        overridden(held, actor=patient.therapist)

    run_beat(at_london(8, 30))

    assert len(sent_to(patient)) == 1
