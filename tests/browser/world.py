"""A small clinic with a week of history, shared by the reminder and report journeys.

Four patients of one therapist, every program scheduled every day, built at the app's
current time (call it inside ``server_clock``). ``EXPECTED`` is the adherence worked out by
hand from the rules in the design, not by the app's code, so the report journey can compare
the downloaded files with it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from tests.factories import (
    ExerciseItemFactory,
    LadderFactory,
    LadderItemFactory,
    PatientFactory,
    ProgramFactory,
)
from tests.reports.report_factories import SetLogFactory


@dataclass(frozen=True)
class Expected:
    """One patient's report row, by hand."""

    scheduled_days: int
    prescribed: int
    completed: int
    adherence: str  # percent, one decimal
    active_days: int
    complete_days: int
    last_activity: date | None
    max_pain: int | None


def _log(item, day, count, *, side="both", pain=2):
    for number in range(1, count + 1):
        SetLogFactory(
            item=item,
            performed_on=day,
            side=side,
            set_number=number,
            pain=pain,
            reps=item.reps,
            hold_seconds=item.hold_seconds,
            client_id=uuid.uuid4(),
            logged_at=datetime.combine(day, time(12, number), tzinfo=UTC),
        )


def _program(patient, start):
    return ProgramFactory(patient=patient, name="Hip strength", start_date=start)


def ann(therapist, today):
    """Clamshell ladder, 2 sets a side for 7 days (28 sets): five full days, nothing
    yesterday, one left set today; reminder at 18:00."""
    patient = PatientFactory(
        therapist=therapist, full_name="Ann Archer", year_of_birth=1961, reminder_time=time(18)
    )
    item = LadderItemFactory(
        program=_program(patient, today - timedelta(days=6)),
        ladder=LadderFactory(name="Clamshell"),
        sets=2,
        reps=12,
        per_side=True,
    )
    for back in range(6, 1, -1):
        for side in ("left", "right"):
            _log(item, today - timedelta(days=back), 2, side=side)
    _log(item, today, 1, side="left", pain=4)
    return patient


def ben(therapist, today):
    """3 sets for 3 days (9 sets): four sets (one extra) with pain 7 two days ago, one set
    yesterday, nothing today; reminder at 18:00."""
    patient = PatientFactory(
        therapist=therapist, full_name="Ben Brooks", year_of_birth=1975, reminder_time=time(18)
    )
    item = ExerciseItemFactory(
        program=_program(patient, today - timedelta(days=2)), sets=3, reps=10, per_side=False
    )
    _log(item, today - timedelta(days=2), 4, pain=7)
    _log(item, today - timedelta(days=1), 1, pain=3)
    return patient


def cai(therapist, today):
    """2 sets for 4 days (8 sets), never logged, reminders turned off."""
    patient = PatientFactory(
        therapist=therapist,
        full_name="Cai Chen",
        year_of_birth=1990,
        reminder_time=time(18),
        reminders_enabled=False,
    )
    ExerciseItemFactory(
        program=_program(patient, today - timedelta(days=3)), sets=2, reps=10, per_side=False
    )
    return patient


def dee(therapist, today):
    """A 30-second hold once a day for 2 days, both done; reminder at 17:00."""
    patient = PatientFactory(
        therapist=therapist, full_name="Dee Dale", year_of_birth=1958, reminder_time=time(17)
    )
    item = ExerciseItemFactory(
        program=_program(patient, today - timedelta(days=1)),
        sets=1,
        reps=None,
        hold_seconds=30,
        per_side=False,
    )
    _log(item, today - timedelta(days=1), 1, pain=0)
    _log(item, today, 1, pain=1)
    return patient


def london_today() -> date:
    """The app's today for the clinic and its patients (all in Europe/London)."""
    return timezone.now().astimezone(ZoneInfo("Europe/London")).date()


def clinic_week(therapist):
    """The four patients, with history up to ``london_today()``."""
    today = london_today()
    return {
        "ann": ann(therapist, today),
        "ben": ben(therapist, today),
        "cai": cai(therapist, today),
        "dee": dee(therapist, today),
    }


def expected(today: date) -> dict[str, Expected]:
    """The report over the week ending ``today`` (from today - 6)."""
    return {
        "Ann Archer": Expected(7, 28, 21, "75.0", 6, 5, today, 4),
        "Ben Brooks": Expected(3, 9, 4, "44.4", 2, 1, today - timedelta(days=1), 7),
        "Cai Chen": Expected(4, 8, 0, "0.0", 0, 0, None, None),
        "Dee Dale": Expected(2, 2, 2, "100.0", 2, 2, today, 1),
    }
