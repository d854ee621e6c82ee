"""Adherence counts only scheduled days up to today (DESIGN.md): the edges of that rule.

Time is frozen at Friday 14 March 2025, 12:00 UTC (the same day in London)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from apps.patients.precautions import precaution_set
from apps.programs.adherence import daily_adherence, daily_totals
from tests.factories import (
    ExerciseFactory,
    ExerciseItemFactory,
    LadderItemFactory,
    PatientFactory,
    ProgramFactory,
)
from tests.programs.adherence_factories import log_sets

pytestmark = pytest.mark.django_db

NOON = datetime(2025, 3, 14, 12, 0, tzinfo=ZoneInfo("UTC"))
MON, TUE, WED, THU, FRI = (date(2025, 3, d) for d in range(10, 15))
MON_WED_FRI = 0b0010101


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOON, tick=False):
        yield


def test_a_period_starting_after_today_counts_no_day():
    plan = ProgramFactory(patient=PatientFactory(), start_date=MON)
    ExerciseItemFactory(program=plan, sets=1, per_side=False)

    tomorrow = FRI + timedelta(days=1)
    assert daily_adherence(patient=plan.patient, start=tomorrow, end=tomorrow) == []


def test_a_day_is_complete_only_when_something_was_prescribed_and_done():
    plan = ProgramFactory(patient=PatientFactory(), start_date=MON, weekdays=MON_WED_FRI)
    item = ExerciseItemFactory(program=plan, sets=1, per_side=False)
    log_sets(item, MON, 1)  # the one prescribed set: complete

    days = daily_adherence(patient=plan.patient, start=MON, end=TUE)

    assert [(d.prescribed, d.completed, d.complete) for d in days] == [(1, 1, True), (0, 0, False)]


def test_unlogged_days_prescribe_only_on_scheduled_days_of_each_items_active_dates():
    plan = ProgramFactory(patient=PatientFactory(), start_date=MON, weekdays=MON_WED_FRI)
    ExerciseItemFactory(program=plan, sets=1, per_side=False, active_from=WED, active_until=WED)
    ExerciseItemFactory(program=plan, sets=2, per_side=False)

    days = daily_totals(patient=plan.patient, start=MON, end=FRI)

    assert [d.prescribed for d in days] == [2, 0, 3, 0, 2]
    assert [d.scheduled for d in days] == [True, False, True, False, True]


def test_exercises_held_back_by_hip_precautions_prescribe_nothing_those_days():
    # Posterior precautions from Wednesday rule out internal rotation (CLINICAL.md): Today
    # leaves those exercises out, so those days do not expect their sets.
    plan = ProgramFactory(patient=PatientFactory(), start_date=MON)
    inward = ExerciseFactory(hip_movements=["internal_rotation"])
    ExerciseItemFactory(program=plan, sets=1, per_side=False, exercise=inward)
    ladder = LadderItemFactory(program=plan, sets=2, per_side=False, ladder__levels=1)
    level_exercise = ladder.ladder.levels.get(level=1).exercise
    level_exercise.hip_movements = ["internal_rotation"]
    level_exercise.save(update_fields=["hip_movements"])
    outward = ExerciseFactory(hip_movements=["external_rotation"])
    allowed = ExerciseItemFactory(program=plan, sets=4, per_side=False, exercise=outward)
    log_sets(allowed, WED, 4)
    precaution_set(
        actor=plan.patient.therapist, patient=plan.patient, kind="posterior",
        starts_on=WED, ends_on=date(2025, 4, 30),
    )  # fmt: skip

    days = daily_adherence(patient=plan.patient, start=MON, end=FRI)

    assert [d.prescribed for d in days] == [7, 7, 4, 4, 4]
    assert (days[2].completed, days[2].complete) == (4, True)


def test_a_day_logged_without_pain_reports_a_maximum_pain_of_zero():
    plan = ProgramFactory(patient=PatientFactory(), start_date=MON)
    item = ExerciseItemFactory(program=plan, sets=2, per_side=False)
    log_sets(item, MON, 2, pain=0)

    (day,) = daily_adherence(patient=plan.patient, start=MON, end=MON)

    assert (day.pain_max, day.logs) == (0, 2)
