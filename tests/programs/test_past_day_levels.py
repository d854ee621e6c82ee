"""The pages and totals of past days read each day's ladder level from the history of level
changes: a patient who went 1→2→3 did level 1 before the first change, though the item row
remembers only the last one (level 2 before 3). History shows the level and exercise of the
day; adherence and the daily totals hold back the exercise of the day, not of another level."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from apps.patients.precautions import precaution_set
from apps.programs.adherence import daily_adherence, daily_totals, patient_schedules
from apps.programs.history import history_entries
from apps.programs.level_history import level_from_changes
from apps.programs.levels import set_level
from apps.programs.models import LevelChange, ProgramItem
from tests.factories import LadderItemFactory, ProgramFactory
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


def _moved(patient, *moves: tuple[date, int]) -> ProgramItem:
    """A ladder item from ``START`` at level 1, set on each (day, level) of ``moves`` as the
    app does: from the patient's next day."""
    with travel(START):
        program = ProgramFactory(patient=patient, start_date=START)
        made = LadderItemFactory(program=program, per_side=False)
    for day, level in moves:
        with travel(day):
            row = ProgramItem.objects.get(pk=made.pk)
            set_level(item=row, to_level=level, changed_by=None, reason=f"On to {level}.")
    return ProgramItem.objects.get(pk=made.pk)


def _levels(patient, days: list[date]) -> list[int | None]:
    with travel(TODAY):
        entries = history_entries(patient=patient, start=days[0], end=TODAY)
    return [entries[day][0].level for day in days]


def test_a_ladder_moved_three_times_shows_each_past_day_at_the_level_of_that_day(patient_a):
    """1 -> 2 -> 3 -> 4: a day at level 3 before the last change is read from the history as
    the latest change in force (3), not the first one (2)."""
    _moved(patient_a, (date(2026, 3, 4), 2), (date(2026, 3, 8), 3), (date(2026, 3, 10), 4))

    days = [date(2026, 3, 3), date(2026, 3, 6), date(2026, 3, 9), date(2026, 3, 10)]
    assert _levels(patient_a, days) == [1, 2, 3, 3]


def test_a_period_starting_two_days_before_the_last_change_reads_its_first_day(patient_a):
    """Moved on two days running (1 -> 2 from the 5th, 2 -> 3 from the 6th): a period from the
    4th needs the history for its first day, which was at level 1 (the row remembers 2)."""
    _moved(patient_a, (date(2026, 3, 4), 2), (date(2026, 3, 5), 3))

    days = [date(2026, 3, 4), date(2026, 3, 5), date(2026, 3, 6)]
    assert _levels(patient_a, days) == [1, 2, 3]


def test_a_level_corrected_the_day_it_was_set_reads_the_correction(patient_a):
    """Set to 2 and corrected to 3 the same day (both from the next day), then moved on to 4:
    the days in between were at 3, the change made last that day, whatever order the
    changes are given in."""
    item = _moved(patient_a, (date(2026, 3, 4), 2), (date(2026, 3, 4), 3), (date(2026, 3, 8), 4))

    assert _levels(patient_a, [date(2026, 3, 3), date(2026, 3, 6)]) == [1, 3]
    changes = list(LevelChange.objects.filter(item__track=item.track).order_by("pk"))
    for given in (changes, changes[::-1]):
        assert level_from_changes(item, date(2026, 3, 6), given) == 3


def test_a_period_from_the_day_of_the_last_change_reads_no_history(
    patient_a, django_assert_num_queries
):
    """The row itself is right from the day its last change was made: no query for the
    history (items, ladder levels and logs only)."""
    _moved(patient_a, (date(2026, 3, 4), 2), (date(2026, 3, 8), 3))

    with travel(TODAY), django_assert_num_queries(3):
        entries = history_entries(patient=patient_a, start=date(2026, 3, 8), end=TODAY)

    assert [entries[day][0].level for day in (date(2026, 3, 8), date(2026, 3, 9))] == [2, 3]
