"""Reads for the patient's Reminders page: the reminder times their therapist set on their
programs, left out where the hip precautions hold back every exercise of the coming week, with
the day they remind again where they hold back its first days (``held_back``, the rule of the
reminders sent)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

from apps.patients.models import Patient
from apps.programs.builder import weekday_summary
from apps.programs.held_back import held_back_until


@dataclass(frozen=True)
class ProgramReminderTime:
    program_name: str
    reminder_time: time
    days: str  # "Every day", or "Mon, Wed, Fri"
    # The first day of the coming week it has something to do, when the hip precautions hold
    # back its days before that one (today included, or its next days): None otherwise.
    resumes_on: date | None = None


# How far ahead the Reminders page looks for a day on which a program has something to do:
# a week, which holds each of the weekdays it names once.
REMINDER_WEEK_DAYS = 7


def program_reminder_times(*, patient: Patient, today: date) -> list[ProgramReminderTime]:
    """The reminder times the therapist set on the patient's assigned programs that have not
    ended, earliest first: what reminds the patient on those programs' days when they have no
    time of their own. A program whose every exercise the hip precautions hold back on each
    of its days of the coming week is left out: it has nothing to do, so its time reminds of
    nothing (``held_back.programs_held_back``, the rule of the reminders sent). One held back
    on its first days only (the precautions end, or its ladder moves to an exercise they
    allow) reminds again from a later day of the week: it is named with that day, in the
    patient's days (``today`` is their local today)."""
    programs = (
        patient.programs.filter(is_template=False, is_active=True, reminder_time__isnull=False)
        .exclude(end_date__lt=today)
        .order_by("reminder_time", "name")
    )
    week = today + timedelta(days=REMINDER_WEEK_DAYS - 1)
    held = held_back_until(patients=[patient.pk], start=today, end=week)
    return [
        ProgramReminderTime(p.name, p.reminder_time, weekday_summary(p), held.get(p.pk))
        for p in programs
        if p.reminder_time is not None and (p.pk not in held or held[p.pk] is not None)
    ]
