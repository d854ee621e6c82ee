"""The history page: past days done against prescribed, the streak, this week's adherence.

Time is frozen at Thursday 5 March 2026, 12:00 UTC (the same day in London)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from apps.programs.adherence import DayAdherence
from apps.programs.history import (
    history_entries,
    history_summary,
    streak_length,
    week_adherence,
)
from apps.programs.logs import set_log_record
from tests.conftest import signed_in
from tests.factories import ExerciseItemFactory, ProgramFactory

NOW = datetime(2026, 3, 5, 12, 0, tzinfo=ZoneInfo("UTC"))
THU = date(2026, 3, 5)
MON = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def day(d, scheduled=True, complete=False, prescribed=2, completed=0):
    return DayAdherence(
        date=d,
        scheduled=scheduled,
        prescribed=prescribed if scheduled else 0,
        completed=prescribed if complete else completed,
        complete=complete,
        pain_max=None,
        logs=0,
    )


def back(n):
    return THU - timedelta(days=n)


def test_the_streak_counts_complete_scheduled_days_back_from_today():
    days = [
        day(back(3)),
        day(back(2), complete=True),
        day(back(1), complete=True),
        day(THU, complete=True),
    ]

    assert streak_length(days, THU) == 3


def test_an_unfinished_today_does_not_break_the_streak_ending_yesterday():
    days = [day(back(2), complete=True), day(back(1), complete=True), day(THU)]

    assert streak_length(days, THU) == 2


def test_unscheduled_days_neither_count_nor_break_the_streak():
    days = [
        day(back(3), complete=True),
        day(back(2), scheduled=False),
        day(back(1), complete=True),
        day(THU, scheduled=False),
    ]

    assert streak_length(days, THU) == 2


def test_a_missed_yesterday_ends_the_streak():
    days = [day(back(2), complete=True), day(back(1)), day(THU, complete=True)]

    assert streak_length(days, THU) == 1


def test_week_adherence_runs_from_monday_to_today():
    days = [
        day(MON - timedelta(days=1), complete=True, prescribed=10),
        day(MON, complete=True),
        day(back(2), completed=1),
        day(back(1), scheduled=False),
        day(THU, completed=0),
    ]

    week = week_adherence(days, THU)

    assert (week.start, week.completed, week.prescribed, week.percent) == (MON, 3, 6, 50)
    assert (week.complete_days, week.scheduled_days) == (1, 3)


def log(item, d, side, reps=10, pain=2):
    set_log_record(
        patient=item.program.patient,
        item=item,
        client_id=uuid.uuid4(),
        performed_on=d,
        side=side,
        reps=reps,
        pain=pain,
    )


@pytest.fixture
def item(patient_a):
    program = ProgramFactory(patient=patient_a, start_date=MON)
    return ExerciseItemFactory(program=program, sets=1, reps=12, per_side=True)


@pytest.mark.django_db
def test_the_summary_uses_the_shared_adherence_rule(patient_a, item):
    for d in (MON, MON + timedelta(days=1), MON + timedelta(days=2)):
        log(item, d, "left")
        log(item, d, "right")
    log(item, THU, "left")

    summary = history_summary(patient=patient_a)

    assert summary.streak == 3
    assert (summary.week.completed, summary.week.prescribed, summary.week.percent) == (7, 8, 88)


@pytest.mark.django_db
def test_history_entries_show_done_against_prescribed(patient_a, item):
    log(item, MON, "left", reps=9, pain=4)

    entries = history_entries(patient=patient_a, start=MON, end=THU)

    monday = entries[MON][0]
    assert (monday.name, monday.dose, monday.prescribed) == (
        item.exercise.name, "1 set of 12 reps on each side", True
    )  # fmt: skip
    assert [(s.side, [x.reps for x in s.logs]) for s in monday.sides] == [
        ("left", [9]),
        ("right", []),
    ]
    assert (monday.done, monday.target) == (1, 2)
    assert sorted(entries) == [MON, MON + timedelta(days=1), MON + timedelta(days=2), THU]


@pytest.mark.django_db
def test_the_page_shows_streak_week_and_days(patient_a, item):
    for d in (MON + timedelta(days=1), MON + timedelta(days=2)):
        log(item, d, "left", pain=3)
        log(item, d, "right", pain=3)

    html = signed_in(patient_a.user).get("/history/").content.decode()

    assert "2</span> days in a row" in html
    assert "50 %</span> done this week" in html
    assert "Wednesday 4 March" in html
    assert "Monday 2 March" in html
    assert "Left: 1 of 1 set done (10 reps), pain up to 3" in html
    assert "not done" in html


@pytest.mark.django_db
def test_each_side_says_how_many_of_its_planned_sets_were_done(patient_a):
    program = ProgramFactory(patient=patient_a, start_date=MON)
    three = ExerciseItemFactory(program=program, sets=3, reps=12, per_side=True)
    log(three, MON, "left", reps=12, pain=6)
    for reps, pain in ((12, 2), (10, 6), (8, 4)):
        log(three, MON + timedelta(days=1), "left", reps=reps, pain=pain)

    html = signed_in(patient_a.user).get("/history/").content.decode()

    # "Left: 12 (pain up to 6)" read like one set of 12 done, not one set done of three.
    assert "Left: 1 of 3 sets done (12 reps), pain up to 6" in html
    assert "Left: 3 of 3 sets done (12, 10, 8 reps), pain up to 6" in html
    assert "Right: not done" in html


@pytest.mark.django_db
def test_the_page_uses_a_fixed_number_of_queries(patient_a, django_assert_max_num_queries):
    for _ in range(4):
        program = ProgramFactory(patient=patient_a, start_date=MON)
        made = ExerciseItemFactory(program=program, sets=2)
        for d in (MON, THU):
            log(made, d, "left")
            log(made, d, "right")
    client = signed_in(patient_a.user)

    with django_assert_max_num_queries(9):
        response = client.get("/history/")

    assert response.status_code == 200


@pytest.mark.django_db
def test_staff_get_a_403_on_the_history_page(therapist_a):
    assert signed_in(therapist_a).get("/history/").status_code == 403
