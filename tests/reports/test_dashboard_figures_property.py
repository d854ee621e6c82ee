"""Property: for any program, any items and any logs, the dashboard's figures equal the
day-by-day reference. On PostgreSQL the dashboard counts each item's scheduled days by
arithmetic (``adherence.scheduled_days_sql``) and walks only the days a hip precaution may
hold back and the days after the last log; this holds that count to the shared rule over
random weekdays, program and item dates (starting, ending and replaced inside the month or
before it, or yet to come), precautions and gaps in the logs. On SQLite it checks the
day-by-day walk the same way."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.patients.models import Side
from apps.patients.precautions import precaution_set
from apps.reports.dashboard_selectors import dashboard_rows
from tests.factories import ExerciseFactory, ExerciseItemFactory, PatientFactory, ProgramFactory
from tests.programs.adherence_factories import log_sets
from tests.reports.test_dashboard_figures import LATE, _reference

ZONES = ["Pacific/Auckland", "America/Los_Angeles", "Europe/London"]
DAYS_AGO = st.integers(min_value=-5, max_value=44)  # negative: days to come
ITEM = st.fixed_dictionaries(
    {
        "sets": st.integers(1, 4),
        "per_side": st.booleans(),
        "held_back_by_posterior": st.booleans(),  # an internal rotation
        "from_ago": st.none() | DAYS_AGO,
        "length": st.none() | st.integers(0, 40),  # days it runs from ``from_ago``
    }
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    zone=st.sampled_from(ZONES),
    weekdays=st.integers(1, 127),
    start_ago=st.integers(-3, 44),
    program_length=st.none() | st.integers(0, 60),
    items=st.lists(ITEM, min_size=1, max_size=3),
    logged_ago=st.sets(st.integers(0, 44), max_size=4),
    precaution=st.none() | st.tuples(st.integers(-2, 40), st.integers(1, 30)),
)
def test_the_dashboard_figures_equal_the_day_by_day_reference(
    db, zone, weekdays, start_ago, program_length, items, logged_ago, precaution
):
    with time_machine.travel(LATE, tick=False):
        patient = PatientFactory(time_zone=zone)
        today = patient.local_today()
        start = today - timedelta(days=start_ago)
        end = None if program_length is None else start + timedelta(days=program_length)
        program = ProgramFactory(patient=patient, start_date=start, end_date=end, weekdays=weekdays)
        rows = []
        for spec in items:
            active_from = None
            if spec["from_ago"] is not None:
                active_from = today - timedelta(days=spec["from_ago"])
            active_until = None
            if spec["length"] is not None:
                active_until = (active_from or start) + timedelta(days=spec["length"])
            movements = ["internal_rotation"] if spec["held_back_by_posterior"] else []
            rows.append(
                ExerciseItemFactory(
                    program=program,
                    exercise=ExerciseFactory(clinic=patient.clinic, hip_movements=movements),
                    sets=spec["sets"],
                    per_side=spec["per_side"],
                    active_from=active_from,
                    active_until=active_until,
                )
            )
        for days_ago in logged_ago:  # whether or not the day prescribed anything
            item = rows[days_ago % len(rows)]
            side = Side.LEFT if item.per_side else None
            log_sets(item, today - timedelta(days=days_ago), 1, side)
        if precaution is not None:
            starts_ago, lasts = precaution
            starts_on = today - timedelta(days=starts_ago)
            precaution_set(
                actor=patient.therapist, patient=patient, kind="posterior",
                starts_on=starts_on, ends_on=starts_on + timedelta(days=lasts),
            )  # fmt: skip

        [row] = dashboard_rows(user=patient.therapist, clinic=patient.clinic)
        expected = _reference(patient)

    found = (
        (row.week.prescribed, row.week.completed, row.week.pain_max),
        (row.month.prescribed, row.month.completed),
        row.last_activity,
        row.missed_days,
    )
    assert found == expected
