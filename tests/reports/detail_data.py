"""Tricky data for the detailed export: every cell rule, several patients, time zones.

Names carry commas, quotes, line breaks, formula characters and non-ASCII letters; logs have
per-side and hold prescriptions, no pain, no difficulty and a ladder level; two patients
share a name (ordered by id); logs of one day are logged across the clocks' change of their
time zone (ordered by ``logged_at``). Every exported value is set here, never by a factory
sequence, so the file is the same whatever ran before.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from apps.clinics.models import User
from apps.patients.models import Side
from apps.reports.exports.filters import ReportFilters
from tests.factories import (
    ExerciseFactory,
    ExerciseItemFactory,
    PatientFactory,
    ProgramFactory,
    StaffFactory,
)
from tests.reports.report_factories import SetLogFactory

START = date(2026, 3, 1)
SETS_A_PATIENT = 6
END = date(2026, 4, 6)

# (full name, email): a therapist with no name is named by their email, as in the summary.
THERAPISTS = [
    ("Dr Zoë Ström", "zoe@clinic.example"),
    ('Thé "Rapist", Jr.', "the@clinic.example"),
    ("=cmd|' /C calc'!A0", "cmd@clinic.example"),
    ("", "-nameless@clinic.example"),
]
# (patient, time zone, program): two "Ann Smith" rows, ordered by id in the file.
PATIENTS = [
    ("Ann Smith", "Europe/London", "Hip, knee"),
    ("Ann Smith", "America/New_York", ""),
    ('Bob "The Builder"', "Australia/Sydney", 'Say "hi"'),
    ("Line\nbreak", "Europe/Berlin", "Line\r\nbreak"),
    ("-Minus", "Europe/London", "@SUM(A1)"),
    ("+Plus", "Asia/Kolkata", "\tTabbed"),
    ("Łukasz Żółć, MD", "Europe/Warsaw", "Ćwiczenia 🦵"),
    ("\rReturn", "Pacific/Auckland", "\rReturn"),
    (" leading space", "America/Los_Angeles", "'already quoted"),
    ("anna lower", "Europe/London", "plain"),
]
EXERCISES = ["Clamshell", "Pont fessier à une jambe", "@at", "Side plank, 30 s", 'Bridge "hold"']
# Days on which clocks change (local time) in the time zones above.
DST_DAYS = {
    "Europe/London": date(2026, 3, 29),
    "Europe/Berlin": date(2026, 3, 29),
    "Europe/Warsaw": date(2026, 3, 29),
    "America/New_York": date(2026, 3, 8),
    "America/Los_Angeles": date(2026, 3, 8),
    "Australia/Sydney": date(2026, 4, 5),
    "Pacific/Auckland": date(2026, 4, 5),
    "Asia/Kolkata": date(2026, 3, 29),
}


def _utc(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def tricky_clinic(admin: User) -> ReportFilters:
    """Logs for ten patients of ``admin``'s clinic (and some outside the report); its filters."""
    therapists = [
        StaffFactory(clinic=admin.clinic, full_name=name, email=email) for name, email in THERAPISTS
    ]
    exercises = [ExerciseFactory(name=name) for name in EXERCISES]
    for number, (name, zone, program_name) in enumerate(PATIENTS):
        patient = PatientFactory(
            therapist=therapists[number % len(therapists)], full_name=name, time_zone=zone
        )
        program = ProgramFactory(patient=patient, name=program_name, start_date=date(2026, 1, 1))
        sided = ExerciseItemFactory(
            program=program, exercise=exercises[number % 5], sets=3, reps=12, per_side=True
        )
        hold = ExerciseItemFactory(
            program=program,
            exercise=exercises[(number + 1) % 5],
            sets=2,
            reps=None,
            hold_seconds=30,
            per_side=False,
        )
        _log_days(number, sided, hold, DST_DAYS[zone])
    _outside(admin, exercises[0])
    return ReportFilters(clinic_id=admin.clinic_id or 0, start=START, end=END)


def _log_days(number: int, sided, hold, dst_day: date) -> None:
    # Three sets on the day the clocks change (00:30, 01:30 and 13:30 UTC), written out of
    # order so the file's order comes from logged_at, not the id; one the day before.
    for offset, hour in ((0, 1), (0, 0), (0, 13), (-1, 9)):
        day = dst_day + timedelta(days=offset)
        SetLogFactory(
            item=sided,
            performed_on=day,
            logged_at=_utc(day, hour, 30),
            side=Side.LEFT if hour % 2 else Side.RIGHT,
            reps=10 + number,
            pain=number % 11,
            difficulty=None if number % 3 == 0 else 1 + number % 5,
            ladder_level=None if number % 2 else 1 + number % 4,
        )
    SetLogFactory(
        item=hold,
        performed_on=START + timedelta(days=number),
        logged_at=_utc(START + timedelta(days=number), 8),
        side=Side.BOTH,
        reps=None,
        hold_seconds=25 + number,
        pain=0,
        difficulty=5,
    )
    SetLogFactory(
        item=hold,
        performed_on=END,
        logged_at=_utc(END, 23, 59),
        side=Side.BOTH,
        reps=3,
        hold_seconds=30,
        pain=10,
    )


def _outside(admin: User, exercise) -> None:
    """Logs the report must leave out: outside the period, another clinic's patient."""
    patient = PatientFactory(therapist__clinic=admin.clinic, full_name="Aaron Early")
    program = ProgramFactory(patient=patient, name="Early", start_date=date(2025, 1, 1))
    item = ExerciseItemFactory(program=program, exercise=exercise)
    SetLogFactory(item=item, performed_on=START - timedelta(days=1))
    SetLogFactory(item=item, performed_on=END + timedelta(days=1))
    stranger = PatientFactory(full_name="Aaron Elsewhere")
    program = ProgramFactory(patient=stranger, name="Elsewhere", start_date=date(2026, 1, 1))
    SetLogFactory(item=ExerciseItemFactory(program=program, exercise=exercise), performed_on=END)
