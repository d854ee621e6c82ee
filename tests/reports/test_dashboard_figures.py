"""The dashboard's figures, computed in SQL, equal the day-by-day reference
(``adherence.daily_adherence``) for every patient: time zones a day apart, per-side and
unsided items, items and programs that end or start inside the month, weekdays, extra sets,
hip precautions that hold an item back (and ones ended early, which still hold the days
before), ladder levels changed this week."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from apps.patients.models import Side
from apps.patients.precautions import precaution_end, precaution_set
from apps.programs.adherence import daily_adherence
from apps.programs.models import SetLog
from apps.reports.dashboard_figures import MONTH_DAYS, WEEK_DAYS
from apps.reports.dashboard_selectors import dashboard_rows
from tests.factories import (
    ExerciseFactory,
    ExerciseItemFactory,
    LadderItemFactory,
    PatientFactory,
    ProgramFactory,
    StaffFactory,
)
from tests.programs.adherence_factories import log_sets

pytestmark = pytest.mark.django_db

# 23:30 UTC on Friday 14 March 2025: Saturday in Auckland, Friday in Los Angeles and London.
LATE = datetime(2025, 3, 14, 23, 30, tzinfo=ZoneInfo("UTC"))
FRI = date(2025, 3, 14)
START = FRI - timedelta(days=45)


def _reference(patient):
    """Week, month, last activity and missed days, day by day."""
    today = patient.local_today()
    days = {d.date: d for d in daily_adherence(patient=patient, start=START, end=today)}

    def window(length):
        inside = [d for day, d in days.items() if day > today - timedelta(days=length)]
        pains = [d.pain_max for d in inside if d.pain_max is not None]
        return (
            sum(d.prescribed for d in inside),
            sum(d.completed for d in inside),
            max(pains, default=None),
        )

    logged = SetLog.objects.filter(patient=patient).order_by("-performed_on").first()
    last = logged.performed_on if logged else None
    since = today - timedelta(days=MONTH_DAYS)
    if last is not None:
        since = max(since, last + timedelta(days=1))
    missed = sum(1 for day, d in days.items() if since <= day < today and d.scheduled)
    return window(WEEK_DAYS), window(MONTH_DAYS)[:2], last, missed


def _patients(therapist):
    inward = ExerciseFactory(name="Inward turn", hip_movements=["internal_rotation"])
    patients = []
    for n, zone in enumerate(("Pacific/Auckland", "America/Los_Angeles", "Europe/London")):
        patient = PatientFactory(therapist=therapist, time_zone=zone)
        plan = ProgramFactory(patient=patient, start_date=START, weekdays=(0b1011011, 127)[n % 2])
        sided = ExerciseItemFactory(program=plan, sets=2, per_side=True)
        plain = ExerciseItemFactory(
            program=plan, sets=3, per_side=False, active_until=FRI - timedelta(days=10)
        )
        later = ExerciseItemFactory(
            program=plan, sets=1, per_side=False, active_from=FRI - timedelta(days=4)
        )
        ExerciseItemFactory(program=plan, exercise=inward, sets=2, per_side=False)
        LadderItemFactory(
            program=plan, sets=1, current_level=3, previous_level=2, level_since=FRI - timedelta(2)
        )
        stop = 40 - 9 * n  # the last one stopped logging nine days ago
        for offset in range(stop):
            day = START + timedelta(days=offset)
            log_sets(sided, day, offset % 3, Side.LEFT, pain=offset % 11)
            log_sets(sided, day, (offset + 1) % 3, Side.RIGHT, pain=(offset * 3) % 11)
            log_sets(plain, day, offset % 5, pain=offset % 4)
            log_sets(later, day, offset % 2, pain=1)
        patients.append(patient)
    ended = ProgramFactory(
        patient=PatientFactory(therapist=therapist), start_date=START, end_date=FRI - timedelta(3)
    )
    log_sets(ExerciseItemFactory(program=ended, sets=1), FRI - timedelta(days=5), 2, pain=9)
    patients += [ended.patient, PatientFactory(therapist=therapist)]  # the last: nothing at all
    # The London patient's hip precautions hold the inward turn back from last Monday; the
    # Los Angeles patient's held it back for two weeks until the surgeon lifted them today
    # (ended early: they still hold the days before).
    precaution_set(
        actor=therapist, patient=patients[2], kind="posterior",
        starts_on=FRI - timedelta(days=4), ends_on=FRI + timedelta(days=40),
    )  # fmt: skip
    lifted = precaution_set(
        actor=therapist, patient=patients[1], kind="posterior",
        starts_on=FRI - timedelta(days=14), ends_on=FRI + timedelta(days=40),
    )  # fmt: skip
    precaution_end(actor=therapist, precaution=lifted)
    return patients


def test_every_figure_equals_the_day_by_day_reference(django_assert_max_num_queries):
    therapist = StaffFactory()
    with time_machine.travel(LATE, tick=False):
        patients = _patients(therapist)
        # The patients; whether precautions apply (and, as they do, the items, the
        # precautions and the ladder levels they hold back); the figures; the ladders.
        with django_assert_max_num_queries(7):
            rows = {
                row.patient.pk: row
                for row in dashboard_rows(user=therapist, clinic=therapist.clinic)
            }
        expected = {patient.pk: _reference(patient) for patient in patients}

    found = {
        pk: (
            (row.week.prescribed, row.week.completed, row.week.pain_max),
            (row.month.prescribed, row.month.completed),
            row.last_activity,
            row.missed_days,
        )
        for pk, row in rows.items()
    }
    assert found == expected
    assert len({row.missed_days for row in rows.values()}) > 2  # the windows differ
    assert [(s.level, s.top) for s in rows[patients[2].pk].ladders] == [(3, 4)]


def test_a_ladder_level_changed_after_the_patients_today_shows_the_level_before():
    therapist = StaffFactory()
    zones = {}
    with time_machine.travel(LATE, tick=False):
        # Friday in Los Angeles, Saturday in Auckland: the change takes effect on Saturday.
        for zone in ("America/Los_Angeles", "Pacific/Auckland"):
            patient = PatientFactory(therapist=therapist, time_zone=zone)
            plan = ProgramFactory(patient=patient, start_date=START)
            LadderItemFactory(
                program=plan, current_level=3, previous_level=2, level_since=FRI + timedelta(1)
            )
            zones[patient.pk] = zone
        rows = dashboard_rows(user=therapist, clinic=therapist.clinic)

    levels = {zones[row.patient.pk]: [s.level for s in row.ladders] for row in rows}
    assert levels == {"America/Los_Angeles": [2], "Pacific/Auckland": [3]}
