"""The date and time rules the program services check before they write: a start chosen for a
patient, a schedule change, a reminder time. Each raises ``ValidationError`` with a message
for the field; none writes."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError

from apps.patients.models import Patient
from apps.programs.models import Program
from apps.programs.rows import has_started, patient_today
from apps.programs.validation import validate_dates, validate_end, validate_start

if TYPE_CHECKING:
    from apps.clinics.models import User


def chosen_start(
    patient: Patient, start: date | None, end: date | None, *, backdated: bool = False
) -> date:
    """The start of a program for ``patient``: the one chosen, checked, or their today."""
    today = patient.local_today()
    if start is not None and not backdated:
        validate_start(start, today)
    start = start or today
    validate_dates(start, end)
    validate_end(start, end)
    return start


def check_reminder_time(actor: User, reminder_time: time | None) -> None:
    """A program's reminder time outside the quiet hours of its clinic (the actor's)."""
    if reminder_time is None:
        return
    assert actor.clinic is not None  # clinic staff: every caller checked it
    if quiet := actor.clinic.quiet_reminder_time_error(reminder_time):
        raise ValidationError({"reminder_time": quiet})


def check_schedule_dates(program: Program, start_date: date | None, end_date: date | None) -> None:
    """The dates a schedule change gives a patient's program: a start moved is checked as a
    chosen one (``validate_start``), an end changed against the start (``validate_end``);
    once the program has started its start stays, and its end is not before the patient's
    yesterday."""
    if start_date is None:
        raise ValidationError({"start_date": "Choose the day the program starts."})
    validate_dates(start_date, end_date)
    # Like a start, an end date left as it was is not checked again.
    if end_date != program.end_date:
        validate_end(start_date, end_date)
    today = patient_today(program)
    if not has_started(program, today):
        # A start left as it was is not checked again: a program keeps the start it has.
        if start_date != program.start_date:
            validate_start(start_date, today)
        return
    if start_date != program.start_date:
        raise ValidationError(
            {"start_date": "This program has already started, so its start date stays."}
        )
    if end_date is not None and end_date < today - timedelta(days=1):
        raise ValidationError(
            {"end_date": "The end date cannot be before yesterday: past days stay as they were."}
        )
