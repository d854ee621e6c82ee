"""Property: for any hand-overs (none to three, at any hour, to any of three therapists, in
time zones a day apart), each therapist's report counts exactly the days that were theirs,
day by day (``adherence.daily_adherence``, the reference), the whole clinic's report gives
each therapist the same, and its clinic total is the patient's whole period as if nobody had
handed them over. The days that are a therapist's are worked out here from the hand-overs'
moments, independently of the spells: a hand-over's local day is the new therapist's."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.patients.services import patient_create, patient_update_partial
from apps.programs.adherence import daily_adherence
from apps.reports.exports.build import build_report
from apps.reports.exports.filters import ReportFilters
from apps.reports.exports.scope import report_set_logs
from tests.factories import AdminFactory, ExerciseItemFactory, ProgramFactory, StaffFactory
from tests.programs.adherence_factories import log_sets

NOW = datetime(2026, 3, 20, 23, 30, tzinfo=ZoneInfo("UTC"))
ADDED = NOW - timedelta(days=40)
ZONES = ["Pacific/Auckland", "America/Los_Angeles", "Europe/London"]
FIGURES = ("scheduled_days", "prescribed", "completed", "complete_days", "active_days")


def _reference(patient, start, end, owner_of):
    """Per therapist id: the figures of the days that were theirs."""
    sums: dict[int, Counter[str]] = {}
    for day in daily_adherence(patient=patient, start=start, end=end):
        figures = sums.setdefault(owner_of(day.date), Counter())
        figures.update(
            scheduled_days=int(day.scheduled), prescribed=day.prescribed,
            completed=day.completed, complete_days=int(day.complete), active_days=int(day.logs > 0),
        )  # fmt: skip
    return sums


def _figures(rows):
    rows = list(rows)
    return Counter({name: sum(getattr(row, name) for row in rows) for name in FIGURES})


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    zone=st.sampled_from(ZONES),
    weekdays=st.integers(1, 127),
    start_ago=st.integers(0, 36),
    logged_ago=st.sets(st.integers(0, 35), max_size=8),
    # (days before now, hours earlier that day, to whom)
    hand_overs=st.lists(
        st.tuples(st.integers(0, 36), st.integers(0, 23), st.integers(0, 2)), max_size=3
    ),
    period=st.tuples(st.integers(8, 35), st.integers(0, 7)),
)
def test_each_therapist_counts_the_days_that_were_theirs(
    db, zone, weekdays, start_ago, logged_ago, hand_overs, period
):
    admin = AdminFactory()
    staff = [StaffFactory(clinic=admin.clinic) for _ in range(3)]
    with time_machine.travel(ADDED, tick=False):
        patient = patient_create(
            therapist=staff[0], full_name="Ann", year_of_birth=1970, time_zone=zone,
            email="ann@mail.example",
        )  # fmt: skip
    moves = sorted(
        ((NOW - timedelta(days=days, hours=hours), staff[to]) for days, hours, to in hand_overs),
        key=lambda move: move[0],
    )
    for moment, to in moves:
        with time_machine.travel(moment, tick=False):
            patient_update_partial(patient=patient, changes={"therapist": to}, actor=admin)

    def owner_of(day):
        owner = staff[0]
        for moment, to in moves:
            if moment.astimezone(ZoneInfo(zone)).date() <= day:
                owner = to
        return owner.pk

    with time_machine.travel(NOW, tick=False):
        today = patient.local_today()
        program = ProgramFactory(
            patient=patient, start_date=today - timedelta(days=start_ago), weekdays=weekdays
        )
        item = ExerciseItemFactory(program=program, sets=2, per_side=False)
        for days_ago in logged_ago:
            log_sets(item, today - timedelta(days=days_ago), 1 + days_ago % 3)
        start, end = (today - timedelta(days=ago) for ago in period)
        expected = _reference(patient, start, end, owner_of)

        whole = build_report(
            user=admin, filters=ReportFilters(clinic_id=admin.clinic_id, start=start, end=end)
        )
        assert _figures(whole.rows) == sum(expected.values(), Counter())
        assert whole.clinic_total.patients == (1 if whole.rows else 0)
        for therapist in staff:
            filters = ReportFilters(
                clinic_id=admin.clinic_id, start=start, end=end, therapist=therapist
            )
            own = build_report(user=admin, filters=filters).rows
            assert _figures(own) == expected.get(therapist.pk, Counter()), therapist
            theirs = [row for row in whole.rows if row.therapist_key == therapist.pk]
            assert _figures(own) == _figures(theirs)
            logged = sum(
                1 + ago % 3
                for ago in logged_ago
                if start <= today - timedelta(days=ago) <= end
                and owner_of(today - timedelta(days=ago)) == therapist.pk
            )
            assert report_set_logs(user=admin, filters=filters).count() == logged
