"""The pages and totals of past days read each day's ladder level from the history of level
changes: a patient who went 1→2→3 did level 1 before the first change, though the item row
remembers only the last one (level 2 before 3). History shows the level and exercise of the
day; adherence and the daily totals hold back the exercise of the day, not of another level."""

from __future__ import annotations

from datetime import timedelta

import pytest

from apps.patients.precautions import precaution_set
from apps.programs.adherence import daily_adherence, daily_totals, patient_schedules
from apps.programs.history import history_entries
from tests.programs.ladder_moves import (
    AT_ONE,
    AT_THREE,
    AT_TWO,
    START,
    TO_TWO,
    TODAY,
    exercise_at,
    moved_twice,
    travel,
)

pytestmark = pytest.mark.django_db
INWARD = ["internal_rotation"]  # posterior hip precautions rule it out


def test_history_shows_each_past_day_at_the_level_done_that_day(patient_a):
    item = moved_twice(patient_a)

    with travel(TODAY):
        entries = history_entries(patient=patient_a, start=START, end=TODAY)

    for day, level in ((AT_ONE, 1), (AT_TWO, 2), (AT_THREE, 3)):
        (entry,) = entries[day]
        assert (entry.level, entry.name) == (level, exercise_at(item, level).name), day


def test_history_reads_a_fixed_number_of_queries_however_many_ladders_moved(
    patient_a, django_assert_max_num_queries
):
    for _ in range(3):
        moved_twice(patient_a)

    # Items, ladder levels, logs, and the level changes of all the moved ladders at once.
    with travel(TODAY), django_assert_max_num_queries(4):
        entries = history_entries(patient=patient_a, start=START, end=TODAY)

    assert [entry.level for entry in entries[AT_ONE]] == [1, 1, 1]


@pytest.fixture
def held_at_level_one(patient_a):
    """Level 1's exercise turns the hip inward, which posterior precautions since the start
    rule out; levels 2 and 3 do not: only the days before the first change are held back."""
    item = moved_twice(patient_a, ladder__name="Clamshell")
    exercise = exercise_at(item, 1)
    exercise.hip_movements = INWARD
    exercise.save(update_fields=["hip_movements"])
    with travel(TODAY):
        precaution_set(
            actor=patient_a.therapist, patient=patient_a, kind="posterior",
            starts_on=START, ends_on=TODAY,
        )  # fmt: skip
    return item


def test_the_days_at_a_held_back_level_are_held_back_and_no_others(patient_a, held_at_level_one):
    before_two = TO_TWO - timedelta(days=1)

    with travel(TODAY):
        schedule = patient_schedules(patient_ids=[patient_a.pk], start=START, end=TODAY)

    assert schedule[patient_a.pk].held_back == {held_at_level_one.pk: [(START, before_two)]}


def test_adherence_and_the_daily_totals_prescribe_nothing_on_a_held_back_level_day(
    patient_a, held_at_level_one
):
    with travel(TODAY):
        reference = {d.date: d.prescribed for d in daily_adherence(
            patient=patient_a, start=START, end=TODAY
        )}  # fmt: skip
        totals = {d.date: d.prescribed for d in daily_totals(
            patient=patient_a, start=START, end=TODAY
        )}  # fmt: skip

    # Two sets a day: none while level 1 is held back, both at levels 2 and 3.
    expected = {AT_ONE: 0, AT_TWO: 2, AT_THREE: 2}
    assert {day: reference[day] for day in expected} == expected
    assert {day: totals[day] for day in expected} == expected
