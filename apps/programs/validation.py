"""Validation shared by the program services, the forms and the API: one message per field."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError

from apps.core.formats import day_text
from apps.core.text import ONE_LINE_MESSAGE, is_one_line

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_LABELS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MAX_REST_SECONDS = 600
# The most free text a program and an item hold. An item's note is the patient's "From your
# therapist" on their card and the handout, where an exercise never splits across pages: as
# much as the patient's own set note (``logs.NOTE_MAX``). A program's notes (diagnosis,
# precautions) go into the referrer's progress report.
ITEM_NOTES_MAX = 500
PROGRAM_NOTES_MAX = 1000
END_YEARS_MOST = 5
ITEM_NOTES_TOO_LONG = (
    "Keep the note to %(limit_value)d characters or fewer (this one has %(show_value)d)."
)
PROGRAM_NOTES_TOO_LONG = (
    "Keep the notes to %(limit_value)d characters or fewer (these have %(show_value)d)."
)


def weekdays_mask(days: Iterable[int]) -> int:
    """Turn weekday numbers (Monday = 0) into the stored bitmask; none is an error."""
    numbers = set(days)
    if not numbers:
        raise ValidationError({"weekdays": "Choose at least one weekday."})
    if not numbers <= set(range(7)):
        raise ValidationError({"weekdays": "Weekdays are numbered 0 (Monday) to 6 (Sunday)."})
    return sum(1 << day for day in numbers)


def validate_dose(
    *,
    sets: int,
    reps: int | None,
    hold_seconds: int | None,
    rest_seconds: int,
    reps_up_to: int | None = None,
    hold_up_to: int | None = None,
    to_fatigue: bool = False,
    rep_hold_seconds: int | None = None,
) -> None:
    """A fixed number, a range rising to its top, or "to fatigue, up to N" (see
    ``ProgramItem``); a message per field otherwise."""
    errors: dict[str, str] = {}
    if not 1 <= sets <= 20:
        errors["sets"] = "Sets must be between 1 and 20."
    if to_fatigue:
        _fatigue_errors(reps, hold_seconds, reps_up_to, hold_up_to, errors)
    else:
        _amount_errors(reps, hold_seconds, errors)
        _range_errors("reps", reps, reps_up_to, 200, errors)
        _range_errors("hold_seconds", hold_seconds, hold_up_to, 600, errors)
    if rep_hold_seconds is not None and not 1 <= rep_hold_seconds <= 60:
        errors["rep_hold_seconds"] = "The hold in each rep must be between 1 and 60 seconds."
    if not 0 <= rest_seconds <= MAX_REST_SECONDS:
        errors["rest_seconds"] = f"Rest must be between 0 and {MAX_REST_SECONDS} seconds."
    if errors:
        raise ValidationError(errors)


def _amount_errors(reps: int | None, hold_seconds: int | None, errors: dict[str, str]) -> None:
    if reps is None and hold_seconds is None:
        errors["reps"] = "Give the reps, or the hold time in seconds, or choose “to fatigue”."
    elif reps is not None and hold_seconds is not None:
        errors["hold_seconds"] = "Give reps or a hold time, not both."
    elif reps is not None and not 1 <= reps <= 200:
        errors["reps"] = "Reps must be between 1 and 200."
    elif hold_seconds is not None and not 1 <= hold_seconds <= 600:
        errors["hold_seconds"] = "A hold must last between 1 and 600 seconds."


def _range_errors(
    field: str, low: int | None, high: int | None, most: int, errors: dict[str, str]
) -> None:
    """The top of a range: above its low end, within the field's limit."""
    if high is None or field in errors:
        return
    name = "reps" if field == "reps" else "hold"
    top = "reps_up_to" if field == "reps" else "hold_up_to"
    if low is None:
        errors[top] = f"A range of {name} needs its low end too."
    elif high <= low:
        errors[top] = (
            f"The top of the range ({high}) must be above its low end ({low}); for a fixed "
            "number leave “up to” empty."
        )
    elif high > most:
        errors[top] = f"The top of the range can be {most} at most."


def _fatigue_errors(
    reps: int | None,
    hold_seconds: int | None,
    reps_up_to: int | None,
    hold_up_to: int | None,
    errors: dict[str, str],
) -> None:
    """To fatigue: the patient counts reps until the muscle tires, up to an optional cap."""
    if reps is not None or hold_seconds is not None or hold_up_to is not None:
        errors["to_fatigue"] = (
            "A dose to fatigue has no fixed reps or hold: leave them empty and give the most "
            "reps in “up to” if you want a cap."
        )
    if reps_up_to is not None and not 1 <= reps_up_to <= 200:
        errors["reps_up_to"] = "The most reps to fatigue must be between 1 and 200."


def validate_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the program a name."})
    if len(name) > 200:
        raise ValidationError({"name": "Keep the name to 200 characters or fewer."})
    if not is_one_line(name):
        raise ValidationError({"name": ONE_LINE_MESSAGE})
    return name


def validate_notes(notes: str, *, most: int, message: str) -> str:
    """``notes`` without the spaces around them, if they are ``most`` characters at most."""
    notes = notes.strip()
    if len(notes) > most:
        raise ValidationError({"notes": message % {"limit_value": most, "show_value": len(notes)}})
    return notes


def validate_item_notes(notes: str) -> str:
    return validate_notes(notes, most=ITEM_NOTES_MAX, message=ITEM_NOTES_TOO_LONG)


def validate_program_notes(notes: str) -> str:
    return validate_notes(notes, most=PROGRAM_NOTES_MAX, message=PROGRAM_NOTES_TOO_LONG)


def validate_dates(start_date: date | None, end_date: date | None) -> None:
    if start_date is not None and end_date is not None and end_date < start_date:
        raise ValidationError({"end_date": "The end date cannot be before the start date."})


def validate_start(start_date: date, today: date) -> None:
    """A start date a therapist chooses or changes, against the patient's ``today``: not
    before it (sets before it could never have been logged in the app, so those days would
    count as missed), and not more than a year after it (taken for a mistyped year)."""
    if start_date < today:
        raise ValidationError(
            {
                "start_date": f"The start date cannot be before the patient's today, "
                f"{day_text(today)}: days before it could never have been logged, and would "
                "count as missed."
            }
        )
    latest = a_year_after(today)
    if start_date > latest:
        raise ValidationError(
            {
                "start_date": f"The start date is more than a year ahead (after "
                f"{day_text(latest)}): check the year."
            }
        )


def validate_end(start_date: date, end_date: date | None) -> None:
    """An end date a therapist chooses or changes: not more than five years after the start.
    No hip program runs that long, so a later day is taken for a mistyped year (9999)."""
    if end_date is None:
        return
    latest = years_after(start_date, END_YEARS_MOST)
    if end_date > latest:
        raise ValidationError(
            {
                "end_date": f"The end date is more than five years after the start (after "
                f"{day_text(latest)}): check the year."
            }
        )


def a_year_after(day: date) -> date:
    """The same day next year (28 February for a 29 February)."""
    return years_after(day, 1)


def years_after(day: date, years: int) -> date:
    """The same day ``years`` later (28 February for a 29 February); the last day there is
    for a day that late (an old start saved with a mistyped year)."""
    if day.year + years > date.max.year:
        return date.max
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)
