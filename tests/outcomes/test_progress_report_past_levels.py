"""The progress report of a program that ended on a past day gives the ladder level of that
day, read from the history of level changes: a patient who went 1→2→3 was at level 1 before
the first change, though the item row remembers only the last one (level 2 before 3)."""

from __future__ import annotations

import pytest

from apps.outcomes.report_selectors import report_data
from apps.programs.models import Program
from tests.outcomes.test_progress_report_data import QUERIES
from tests.programs.ladder_moves import (
    AT_ONE,
    AT_THREE,
    AT_TWO,
    TO_THREE,
    TO_TWO,
    TODAY,
    exercise_at,
    moved_twice,
    travel,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("ended_on", "level", "since"),
    [(AT_ONE, 1, None), (AT_TWO, 2, TO_TWO), (AT_THREE, 3, TO_THREE)],
    ids=["before-the-first-change", "between-the-changes", "after-the-second"],
)
def test_a_program_ended_on_a_past_day_reports_the_level_of_that_day(
    therapist_a, patient_a, ended_on, level, since
):
    item = moved_twice(patient_a)
    Program.objects.filter(pk=item.program_id).update(end_date=ended_on)

    with travel(TODAY):
        data = report_data(patient=patient_a, author=therapist_a, note="")

    (ladder,) = data["programs"][0]["ladders"]
    assert (ladder["level"], ladder["exercise"]) == (level, exercise_at(item, level).name)
    assert ladder["since"] == (since.isoformat() if since else None)
    assert ladder["planned"] is None  # what came after the program's end is no part of it


def test_past_levels_read_no_query_per_ladder(
    therapist_a, patient_a, django_assert_max_num_queries
):
    items = [moved_twice(patient_a) for _ in range(3)]
    Program.objects.filter(pk__in=[i.program_id for i in items]).update(end_date=AT_ONE)

    with travel(TODAY), django_assert_max_num_queries(QUERIES):
        data = report_data(patient=patient_a, author=therapist_a, note="")

    assert [p["ladders"][0]["level"] for p in data["programs"]] == [1, 1, 1]
