"""today_plan: what a patient is prescribed on their local day, and how much is done.

Time is frozen at Tuesday 3 March 2026, 07:30 UTC: still Monday 2 March, 23:30, in Los
Angeles, and already Tuesday in London."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from apps.patients.models import Side
from apps.patients.precautions import precaution_set
from apps.programs.logs import set_log_record
from apps.programs.models import LevelChange, ProgramItem
from apps.programs.selectors import today_plan
from tests.factories import (
    ExerciseFactory,
    ExerciseItemFactory,
    LadderItemFactory,
    PatientFactory,
    ProgramFactory,
)
from tests.programs.precaution_helpers import overridden

pytestmark = pytest.mark.django_db

UTC = ZoneInfo("UTC")
NOW = datetime(2026, 3, 3, 7, 30, tzinfo=UTC)
MON, TUE, WED = date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4)
MONDAYS = 0b0000001


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def program(**kwargs):
    kwargs.setdefault("start_date", date(2026, 2, 1))
    kwargs.setdefault("patient", PatientFactory())
    return ProgramFactory(**kwargs)


def log(item, day, side=Side.LEFT, reps=10, pain=1):
    return set_log_record(
        patient=item.program.patient,
        item=item,
        client_id=uuid.uuid4(),
        performed_on=day,
        side=side,
        reps=reps,
        pain=pain,
    )[0]


def test_it_lists_only_items_of_programs_scheduled_on_that_weekday():
    patient = PatientFactory()
    mondays = ExerciseItemFactory(program=program(patient=patient, weekdays=MONDAYS))
    daily = ExerciseItemFactory(program=program(patient=patient))

    assert [p.item for p in today_plan(patient=patient, on=MON).items] == [mondays, daily]
    assert [p.item for p in today_plan(patient=patient, on=TUE).items] == [daily]


def test_it_respects_start_and_end_dates_and_inactive_programs():
    patient = PatientFactory()
    ExerciseItemFactory(program=program(patient=patient, start_date=WED))
    ExerciseItemFactory(program=program(patient=patient, start_date=date(2026, 2, 1), end_date=MON))
    ExerciseItemFactory(program=program(patient=patient, is_active=False))

    assert len(today_plan(patient=patient, on=MON).items) == 1
    assert today_plan(patient=patient, on=TUE).items == []
    assert len(today_plan(patient=patient, on=WED).items) == 1


def test_an_ended_item_row_gives_way_to_the_new_row_of_its_track():
    plan = program()
    old = ExerciseItemFactory(program=plan, reps=10, active_until=MON)
    new = ExerciseItemFactory(
        program=plan, exercise=old.exercise, track=old.track, reps=15, active_from=TUE
    )

    assert [p.item for p in today_plan(patient=plan.patient, on=MON).items] == [old]
    assert [p.item for p in today_plan(patient=plan.patient, on=TUE).items] == [new]


def test_nothing_today_gives_the_next_scheduled_day():
    plan = program(weekdays=0b0000100)  # Wednesdays
    ExerciseItemFactory(program=plan)

    result = today_plan(patient=plan.patient, on=TUE)

    assert not result.scheduled
    assert result.next_day == WED


def test_no_program_at_all_has_no_next_day():
    result = today_plan(patient=PatientFactory(), on=TUE)

    assert result.items == []
    assert result.next_day is None
    assert not result.complete


def test_late_evening_in_los_angeles_is_still_monday_for_the_patient():
    patient = PatientFactory(time_zone="America/Los_Angeles")
    ExerciseItemFactory(program=program(patient=patient, weekdays=MONDAYS))

    assert patient.local_today() == MON
    assert len(today_plan(patient=patient, on=patient.local_today()).items) == 1


def test_london_is_already_tuesday_so_a_monday_program_is_not_shown():
    patient = PatientFactory(time_zone="Europe/London")
    ExerciseItemFactory(program=program(patient=patient, weekdays=MONDAYS))

    assert patient.local_today() == TUE
    assert today_plan(patient=patient, on=patient.local_today()).items == []


def test_a_ladder_shows_the_exercise_of_its_level_on_that_day():
    item = LadderItemFactory(program=program(), previous_level=1, current_level=2, level_since=WED)
    levels = {lvl.level: lvl.exercise for lvl in item.ladder.levels.all()}

    today = today_plan(patient=item.program.patient, on=TUE).items[0]
    tomorrow = today_plan(patient=item.program.patient, on=WED).items[0]

    assert (today.level, today.exercise) == (1, levels[1])
    assert (tomorrow.level, tomorrow.exercise) == (2, levels[2])
    assert today.level_count == 4
    assert today.ladder_name == item.ladder.name


def test_a_level_change_effective_today_or_yesterday_is_explained():
    item = LadderItemFactory(program=program(), previous_level=1, current_level=2, level_since=MON)
    LevelChange.objects.create(
        item=item, from_level=1, to_level=2, effective_on=MON, reason="20 reps at level 1"
    )
    LevelChange.objects.create(
        item=item, from_level=1, to_level=2, effective_on=date(2026, 2, 1), reason="old"
    )

    changes = today_plan(patient=item.program.patient, on=TUE).level_changes

    assert [(c.to_level, c.reason) for c in changes] == [(2, "20 reps at level 1")]
    assert changes[0].exercise_name == item.ladder.levels.get(level=2).exercise.name


def test_per_side_progress_counts_sets_per_side_capped_at_the_prescription():
    item = ExerciseItemFactory(program=program(), sets=2, per_side=True)
    for _ in range(3):
        log(item, TUE, Side.LEFT)
    log(item, TUE, Side.RIGHT)

    result = today_plan(patient=item.program.patient, on=TUE)
    left, right = result.items[0].sides

    assert (left.side, len(left.logs), left.done, left.complete) == ("left", 3, 2, True)
    assert (right.done, right.complete) == (1, False)
    assert (result.completed, result.prescribed, result.complete) == (3, 4, False)


def test_the_day_is_complete_when_every_item_is_done():
    plan = program()
    sided = ExerciseItemFactory(program=plan, sets=1, per_side=True)
    plain = ExerciseItemFactory(program=plan, sets=1, per_side=False)
    log(sided, TUE, Side.LEFT)
    log(sided, TUE, Side.RIGHT)
    log(plain, TUE, Side.BOTH)

    result = today_plan(patient=plan.patient, on=TUE)

    assert all(p.complete for p in result.items)
    assert result.complete


def test_logs_of_another_day_do_not_count_today():
    item = ExerciseItemFactory(program=program(), sets=1, per_side=False)
    log(item, MON, Side.BOTH)

    assert today_plan(patient=item.program.patient, on=TUE).completed == 0


def test_it_runs_a_fixed_number_of_queries(django_assert_max_num_queries):
    patient = PatientFactory()
    for n in range(6):
        plan = program(patient=patient)
        ExerciseItemFactory(program=plan, sets=2)
        ladder_item = LadderItemFactory(program=plan)
        LevelChange.objects.create(
            item=ladder_item, from_level=1, to_level=2, effective_on=TUE, reason=f"{n}"
        )
    for item in ProgramItem.objects.filter(program__patient=patient):
        log(item, TUE, Side.LEFT)
        log(item, TUE, Side.RIGHT)

    ProgramItem.objects.filter(ladder__isnull=False).update(level_since=TUE)

    with django_assert_max_num_queries(5):  # + the hip precautions in force
        result = today_plan(patient=patient, on=TUE)

    assert len(result.items) == 12
    assert result.completed == 24
    assert len(result.level_changes) == 6


def test_without_a_recent_advance_the_level_changes_are_not_read(django_assert_num_queries):
    since = MON - timedelta(days=7)
    item = LadderItemFactory(
        program=program(), previous_level=1, current_level=2, level_since=since
    )
    log(item, TUE, Side.LEFT)

    with django_assert_num_queries(4):  # items, ladder levels, the day's logs, precautions
        result = today_plan(patient=item.program.patient, on=TUE)

    assert result.level_changes == []
    assert result.items[0].level == 2


def test_the_next_day_skips_an_item_that_has_ended():
    plan = program()
    ExerciseItemFactory(program=plan, active_until=TUE)

    assert today_plan(patient=plan.patient, on=TUE).next_day is None
    assert today_plan(patient=plan.patient, on=TUE - timedelta(days=1)).next_day == TUE


# --- The next day under hip precautions: a day on which Today will show something -----------

WEDNESDAYS, FRIDAYS = 0b0000100, 0b0010000
FRI = date(2026, 3, 6)


def _posterior(patient, ends_on):
    return precaution_set(
        actor=patient.therapist, patient=patient, kind="posterior",
        starts_on=date(2026, 3, 1), ends_on=ends_on,
    )  # fmt: skip


def _inward():
    return ExerciseFactory(name="Inward turn", hip_movements=["internal_rotation"])


def test_the_next_day_skips_a_day_whose_every_exercise_the_precautions_hold_back():
    patient = PatientFactory()
    ExerciseItemFactory(program=program(patient=patient, weekdays=WEDNESDAYS), exercise=_inward())
    ExerciseItemFactory(program=program(patient=patient, weekdays=FRIDAYS))
    _posterior(patient, ends_on=date(2026, 4, 30))

    result = today_plan(patient=patient, on=TUE)

    assert today_plan(patient=patient, on=WED).items == []  # nothing shown on Wednesday
    assert result.next_day == FRI


def test_the_next_day_is_the_first_one_after_the_precautions_end():
    patient = PatientFactory()
    ExerciseItemFactory(program=program(patient=patient, weekdays=WEDNESDAYS), exercise=_inward())
    _posterior(patient, ends_on=date(2026, 3, 20))  # a Friday: the first day without them

    assert today_plan(patient=patient, on=TUE).next_day == date(2026, 3, 25)


def test_held_back_to_the_end_of_the_program_there_is_no_next_day():
    patient = PatientFactory()
    plan = program(patient=patient, weekdays=WEDNESDAYS, end_date=date(2026, 4, 1))
    ExerciseItemFactory(program=plan, exercise=_inward())
    _posterior(patient, ends_on=date(2026, 6, 1))

    assert today_plan(patient=patient, on=TUE).next_day is None


def test_the_therapists_override_makes_the_day_count_again():
    patient = PatientFactory()
    plan = program(patient=patient, weekdays=WEDNESDAYS)
    item = ExerciseItemFactory(program=plan, exercise=_inward())
    _posterior(patient, ends_on=date(2026, 4, 30))

    overridden(item, actor=patient.therapist)

    assert today_plan(patient=patient, on=TUE).next_day == WED


def test_a_ladder_held_back_only_from_its_next_level_on_still_counts_before_it():
    patient = PatientFactory()
    ladder_item = LadderItemFactory(
        program=program(patient=patient, weekdays=WEDNESDAYS | FRIDAYS),
        previous_level=1, current_level=2, level_since=FRI,
    )  # fmt: skip
    level_two = ladder_item.ladder.levels.get(level=2).exercise
    level_two.hip_movements = ["internal_rotation"]
    level_two.save(update_fields=["hip_movements"])
    _posterior(patient, ends_on=date(2026, 4, 30))

    assert today_plan(patient=patient, on=TUE).next_day == WED
    assert today_plan(patient=patient, on=WED).next_day == date(2026, 5, 1)  # Apr 30: a Thu


def test_on_a_rest_day_under_precautions_it_runs_a_fixed_number_of_queries(
    django_assert_max_num_queries,
):
    patient = PatientFactory()
    for _ in range(6):
        plan = program(patient=patient, weekdays=WEDNESDAYS)
        ExerciseItemFactory(program=plan, exercise=_inward())
        LadderItemFactory(program=plan)
    _posterior(patient, ends_on=date(2026, 4, 30))

    with django_assert_max_num_queries(3):  # items, precautions, ladder levels
        result = today_plan(patient=patient, on=TUE)

    assert result.next_day == WED
