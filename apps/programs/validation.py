"""Validation shared by the program services, the forms and the API: one message per field."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_LABELS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MAX_REST_SECONDS = 600


def weekdays_mask(days: Iterable[int]) -> int:
    """Turn weekday numbers (Monday = 0) into the stored bitmask; none is an error."""
    numbers = set(days)
    if not numbers:
        raise ValidationError({"weekdays": "Choose at least one weekday."})
    if not numbers <= set(range(7)):
        raise ValidationError({"weekdays": "Weekdays are numbered 0 (Monday) to 6 (Sunday)."})
    return sum(1 << day for day in numbers)


def validate_dose(
    *, sets: int, reps: int | None, hold_seconds: int | None, rest_seconds: int
) -> None:
    errors: dict[str, str] = {}
    if not 1 <= sets <= 20:
        errors["sets"] = "Sets must be between 1 and 20."
    if reps is None and hold_seconds is None:
        errors["reps"] = "Give the reps, or the hold time in seconds."
    elif reps is not None and hold_seconds is not None:
        errors["hold_seconds"] = "Give reps or a hold time, not both."
    elif reps is not None and not 1 <= reps <= 200:
        errors["reps"] = "Reps must be between 1 and 200."
    elif hold_seconds is not None and not 1 <= hold_seconds <= 600:
        errors["hold_seconds"] = "A hold must last between 1 and 600 seconds."
    if not 0 <= rest_seconds <= MAX_REST_SECONDS:
        errors["rest_seconds"] = f"Rest must be between 0 and {MAX_REST_SECONDS} seconds."
    if errors:
        raise ValidationError(errors)


def validate_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the program a name."})
    if len(name) > 200:
        raise ValidationError({"name": "Keep the name under 200 characters."})
    return name


def validate_dates(start_date: date | None, end_date: date | None) -> None:
    if start_date is not None and end_date is not None and end_date < start_date:
        raise ValidationError({"end_date": "The end date cannot be before the start date."})
