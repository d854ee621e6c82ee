"""Hand-computed adherence cases: the reference for the dashboard and the exports.

Time is frozen at Friday 14 March 2025, 12:00 UTC (the same day in London)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from apps.patients.models import Side
from apps.programs.adherence import daily_adherence
from apps.programs.adherence_summaries import adherence_summaries, recent_summaries
from apps.programs.held_back import weekdays_in
from apps.programs.models import PromptStatus
from tests.factories import ExerciseItemFactory, PatientFactory, ProgramFactory
from tests.programs.adherence_factories import PromptFactory, log_both_sides, log_sets

pytestmark = pytest.mark.django_db

UTC = ZoneInfo("UTC")
NOON = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)
MON, TUE, WED, THU, FRI = (date(2025, 3, d) for d in range(10, 15))
MON_WED_FRI = 0b0010101


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOON, tick=False):
        yield


def program(patient=None, **kwargs):
    kwargs.setdefault("start_date", MON)
    return ProgramFactory(patient=patient or PatientFactory(), **kwargs)


def summary(patient, start, end):
    return adherence_summaries(patient_ids=[patient.pk], start=start, end=end)[patient.pk]


def test_partial_days_and_extra_sets_are_capped_at_the_prescription():
    plan = program()
    sided = ExerciseItemFactory(program=plan, sets=2, per_side=True)  # 4 units a day
    plain = ExerciseItemFactory(program=plan, sets=3, per_side=False)  # 3 units a day
    log_both_sides(sided, MON, 2)
    log_sets(plain, MON, 3)  # Monday: 7 of 7
    log_sets(sided, TUE, 3, Side.LEFT)  # third left set is extra
    log_sets(plain, TUE, 5)  # Tuesday: 2 + 3 = 5 of 7
    log_both_sides(sided, WED, 1)
    log_sets(sided, WED, 1, Side.BOTH)  # not a side: never counts for a per-side item
    # Wednesday: 2 of 7

    result = summary(plan.patient, MON, WED)

    assert (result.prescribed, result.completed) == (21, 14)
    assert result.adherence == Decimal("0.6667")
    assert result.adherence_percent == 67
    assert (result.scheduled_days, result.complete_days, result.active_days) == (3, 1, 3)
    assert result.last_activity == WED


def test_daily_adherence_lists_each_day_with_its_units_and_pain():
    plan = program()
    item = ExerciseItemFactory(program=plan, sets=2, per_side=True)
    log_both_sides(item, MON, 2, pain=3)
    log_sets(item, TUE, 1, Side.RIGHT, pain=6)

    days = daily_adherence(patient=plan.patient, start=MON, end=WED)

    assert [(d.date, d.prescribed, d.completed, d.complete) for d in days] == [
        (MON, 4, 4, True),
        (TUE, 4, 1, False),
        (WED, 4, 0, False),
    ]
    assert [(d.pain_max, d.logs) for d in days] == [(3, 4), (6, 1), (None, 0)]


def test_logs_on_unscheduled_days_are_activity_not_adherence():
    plan = program(weekdays=MON_WED_FRI)
    item = ExerciseItemFactory(program=plan, sets=2, per_side=False)
    log_sets(item, MON, 2)
    log_sets(item, TUE, 2, pain=8)  # Tuesday is not scheduled
    log_sets(item, WED, 1)

    result = summary(plan.patient, MON, FRI)
    days = daily_adherence(patient=plan.patient, start=MON, end=FRI)

    assert (result.prescribed, result.completed, result.adherence) == (6, 3, Decimal("0.5"))
    assert (result.scheduled_days, result.active_days, result.complete_days) == (3, 3, 1)
    assert result.pain_max == 8
    assert [d.scheduled for d in days] == [True, False, True, False, True]
    assert (days[1].prescribed, days[1].completed, days[1].logs) == (0, 0, 2)


def test_a_program_edited_mid_period_counts_each_row_on_its_own_days():
    plan = program()
    old = ExerciseItemFactory(program=plan, sets=2, per_side=False, active_until=TUE)
    new = ExerciseItemFactory(
        program=plan, sets=3, per_side=False, active_from=WED, track=old.track
    )
    log_sets(old, MON, 2)
    log_sets(old, TUE, 2)
    log_sets(new, WED, 3)
    log_sets(old, WED, 2)  # against the ended row: not prescribed any more
    log_sets(new, THU, 1)

    result = summary(plan.patient, MON, THU)

    assert (result.prescribed, result.completed, result.complete_days) == (10, 8, 3)
    assert [d.prescribed for d in daily_adherence(patient=plan.patient, start=MON, end=THU)] == [
        2,
        2,
        3,
        3,
    ]


def test_each_patient_period_ends_at_their_own_local_today():
    # 23:30 UTC on Friday: already Saturday in Auckland, still Friday in Los Angeles.
    late = datetime(2025, 3, 14, 23, 30, tzinfo=UTC)
    sat = FRI + timedelta(days=1)
    auckland = program(PatientFactory(time_zone="Pacific/Auckland"), start_date=FRI)
    los_angeles = program(PatientFactory(time_zone="America/Los_Angeles"), start_date=FRI)
    for plan in (auckland, los_angeles):
        item = ExerciseItemFactory(program=plan, sets=1, per_side=False)
        log_sets(item, FRI)
        log_sets(item, sat)  # in Los Angeles this day has not come yet

    with time_machine.travel(late, tick=False):
        result = adherence_summaries(
            patient_ids=[auckland.patient.pk, los_angeles.patient.pk],
            start=FRI,
            end=FRI + timedelta(days=6),
        )
        la_days = daily_adherence(patient=los_angeles.patient, start=FRI, end=sat)

    ak, la = result[auckland.patient.pk], result[los_angeles.patient.pk]
    assert (ak.end, ak.prescribed, ak.completed, ak.active_days) == (sat, 2, 2, 2)
    assert (la.end, la.prescribed, la.completed, la.active_days) == (FRI, 1, 1, 1)
    assert [d.date for d in la_days] == [FRI]


def test_recent_summaries_cover_each_patient_own_last_days():
    late = datetime(2025, 3, 14, 23, 30, tzinfo=UTC)
    sat = FRI + timedelta(days=1)
    auckland = program(PatientFactory(time_zone="Pacific/Auckland"))
    los_angeles = program(PatientFactory(time_zone="America/Los_Angeles"))
    for plan in (auckland, los_angeles):
        item = ExerciseItemFactory(program=plan, sets=1, per_side=False)
        for day in (TUE, WED, THU, FRI, sat):
            log_sets(item, day)

    with time_machine.travel(late, tick=False):
        result = recent_summaries(patients=[auckland.patient, los_angeles.patient], days=3)

    ak, la = result[auckland.patient.pk], result[los_angeles.patient.pk]
    assert (ak.start, ak.end, ak.prescribed, ak.completed) == (THU, sat, 3, 3)
    assert (la.start, la.end, la.prescribed, la.completed) == (WED, FRI, 3, 3)


def test_without_a_prescription_adherence_has_no_value():
    idle = PatientFactory()
    later = program(start_date=FRI + timedelta(days=3))

    result = adherence_summaries(patient_ids=[idle.pk, later.patient.pk], start=MON, end=FRI)

    for patient_id in (idle.pk, later.patient.pk):
        assert result[patient_id].prescribed == 0
        assert result[patient_id].adherence is None
        assert result[patient_id].adherence_percent is None
        assert result[patient_id].scheduled_days == 0
    assert not any(d.scheduled for d in daily_adherence(patient=idle, start=MON, end=FRI))


def test_an_inactive_program_prescribes_nothing():
    plan = program(is_active=False)
    item = ExerciseItemFactory(program=plan, sets=1, per_side=False)
    log_sets(item, MON)

    result = summary(plan.patient, MON, FRI)

    assert (result.prescribed, result.completed, result.active_days) == (0, 0, 1)


def test_pain_average_and_maximum_cover_every_log_of_the_period():
    plan = program()
    item = ExerciseItemFactory(program=plan, sets=3, per_side=False)
    log_sets(item, MON, 1, pain=1)
    log_sets(item, TUE, 1, pain=2)
    log_sets(item, TUE, 1, pain=6)
    log_sets(item, date(2025, 3, 9), 1, pain=10)  # before the period

    result = summary(plan.patient, MON, FRI)

    assert (result.pain_avg, result.pain_max) == (Decimal("3.0"), 6)


def test_progressions_approved_count_decisions_made_in_the_period():
    plan = program()
    item = ExerciseItemFactory(program=plan)
    inside = datetime(2025, 3, 12, 9, tzinfo=UTC)
    before = datetime(2025, 3, 9, 9, tzinfo=UTC)
    PromptFactory(item=item, level=1, status=PromptStatus.APPROVED, decided_at=inside)
    PromptFactory(item=item, level=2, status=PromptStatus.AUTO_APPROVED, decided_at=inside)
    PromptFactory(item=item, level=3, status=PromptStatus.DECLINED, decided_at=inside)
    PromptFactory(item=item, level=4, status=PromptStatus.APPROVED, decided_at=before)
    PromptFactory(item=item, level=5, status=PromptStatus.PENDING)

    assert summary(plan.patient, MON, FRI).progressions_approved == 2


def test_summaries_take_a_fixed_number_of_queries(django_assert_num_queries):
    plans = [program() for _ in range(6)]
    for plan in plans:
        item = ExerciseItemFactory(program=plan, sets=2)
        for day in (MON, TUE, WED):
            log_both_sides(item, day, 2)
        PromptFactory(item=item, status=PromptStatus.APPROVED, decided_at=NOON)

    # Patients, schedules, hip precautions, logs, approvals.
    with django_assert_num_queries(5):
        one = adherence_summaries(patient_ids=[plans[0].patient.pk], start=MON, end=FRI)
    with django_assert_num_queries(5):
        many = adherence_summaries(patient_ids=[p.patient.pk for p in plans], start=MON, end=FRI)

    assert len(one) == 1
    assert len(many) == 6


def test_summaries_agree_with_the_day_by_day_reference():
    plan = program(weekdays=0b1011011)
    first = ExerciseItemFactory(program=plan, sets=3, per_side=True, active_until=WED)
    ExerciseItemFactory(program=plan, sets=2, per_side=True, active_from=THU, track=first.track)
    plain = ExerciseItemFactory(program=plan, sets=2, per_side=False)
    second = program(plan.patient, start_date=TUE, weekdays=MON_WED_FRI)
    other = ExerciseItemFactory(program=second, sets=1, per_side=False)
    for offset, day in enumerate((MON, TUE, WED, THU, FRI)):
        log_sets(first, day, offset, Side.LEFT)
        log_sets(first, day, 3 - offset % 3, Side.RIGHT)
        log_sets(plain, day, offset % 4)
        log_sets(other, day, offset % 2)

    days = daily_adherence(patient=plan.patient, start=MON, end=FRI)
    result = summary(plan.patient, MON, FRI)

    assert result.prescribed == sum(d.prescribed for d in days)
    assert result.completed == sum(d.completed for d in days)
    assert result.complete_days == sum(d.complete for d in days)
    assert result.scheduled_days == sum(d.scheduled for d in days)
    assert result.active_days == sum(d.logs > 0 for d in days)


@pytest.mark.parametrize(
    ("lo", "hi", "mask", "expected"),
    [
        (MON, FRI, 0b1111111, 5),
        (MON, MON + timedelta(days=13), MON_WED_FRI, 6),
        (TUE, THU, MON_WED_FRI, 1),
        (FRI, MON, 0b1111111, 0),
        (MON, FRI, 0, 0),
    ],
)
def test_weekdays_in_counts_matching_days(lo, hi, mask, expected):
    assert weekdays_in(lo, hi, mask) == expected


@pytest.mark.parametrize(
    "day", [date(1999, 12, 31), date(2000, 1, 3), MON, THU, date(2024, 2, 29), date(2100, 3, 1)]
)
def test_the_sql_weekday_is_pythons_monday_based_weekday(day):
    from django.db import connection

    from apps.programs.adherence import weekday_sql

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {weekday_sql('%s')}", [connection.ops.adapt_datefield_value(day)])
        (found,) = cursor.fetchone()

    assert found == day.weekday()


def test_a_patients_windows_add_up_to_their_whole_period(django_assert_num_queries):
    # The adherence report's parts of a patient handed over: windows sharing no day.
    from apps.programs.adherence_summaries import window_summaries

    plans = [program(weekdays=0b1011011) for _ in range(2)]
    for plan in plans:
        item = ExerciseItemFactory(program=plan, sets=2, per_side=True)
        for offset, day in enumerate((MON, TUE, WED, THU, FRI)):
            log_sets(item, day, offset % 3, Side.LEFT, pain=offset)
            log_sets(item, day, 2, Side.RIGHT, pain=1)
        PromptFactory(item=item, status=PromptStatus.APPROVED, decided_at=NOON)
    patients = [plan.patient for plan in plans]
    first, second = (p.pk for p in patients)
    windows = {(first, 0): (MON, TUE), (first, 1): (WED, FRI), (second, 0): (MON, WED)}

    with django_assert_num_queries(4):
        parts = window_summaries(patients=patients, windows=windows)

    whole = summary(plans[0].patient, MON, FRI)
    for name in ("prescribed", "completed", "scheduled_days", "active_days", "complete_days",
                 "pain_sum", "logs", "progressions_approved"):  # fmt: skip
        assert getattr(parts[(first, 0)], name) + getattr(parts[(first, 1)], name) == getattr(
            whole, name
        ), name
    assert parts[(first, 1)].progressions_approved == 1, "decided on Friday"
    assert parts[(second, 0)] == summary(plans[1].patient, MON, WED)
