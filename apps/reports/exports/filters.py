"""What a report covers: a clinic, a date range and optionally one therapist."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError

from apps.clinics.models import Role, User

# Three years (one of them a leap year): longer ranges are almost always a typing mistake
# and would make a single report scan the clinic's whole history.
MAX_REPORT_DAYS = 3 * 365 + 1
# As the audit log's dates: a year outside (1, 1900, 9999) is a slip in the date picker, and
# its report read as an empty period, as if nobody had logged anything.
EARLIEST, LATEST = date(2000, 1, 1), date(2999, 12, 31)
OUT_OF_RANGE = "Give a date from 2000 to 2999."


@dataclass(frozen=True)
class ReportFilters:
    clinic_id: int
    start: date
    end: date
    therapist: User | None = None

    def as_json(self) -> dict[str, Any]:
        """The filters as stored on a ReportJob (ids are public, dates ISO)."""
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "therapist": str(self.therapist.public_id) if self.therapist else None,
        }

    def describe(self) -> str:
        """A short label without health data, for audit entries and file names."""
        label = f"{self.start.isoformat()}..{self.end.isoformat()}"
        if self.therapist is not None:
            label += f" therapist {self.therapist.public_id}"
        return label

    @property
    def day_count(self) -> int:
        return (self.end - self.start).days + 1


def clinic_therapists(clinic_id: int) -> Any:
    """Staff of the clinic who can have patients (therapists and admins), by name."""
    return User.objects.filter(
        clinic_id=clinic_id, role__in=[Role.THERAPIST, Role.ADMIN], is_active=True
    ).order_by("full_name", "email")


def validate_range(start: date, end: date) -> None:
    """Raise a ValidationError naming the field when a date is out of range, or the range is
    backwards or too long."""
    outside = {name: OUT_OF_RANGE for name, day in (("start", start), ("end", end))
               if not EARLIEST <= day <= LATEST}  # fmt: skip
    if outside:
        raise ValidationError(outside)
    if start > end:
        raise ValidationError({"end": "The end date must be on or after the start date."})
    if (end - start).days + 1 > MAX_REPORT_DAYS:
        raise ValidationError(
            {"end": f"A report covers at most {MAX_REPORT_DAYS} days (three years)."}
        )


def filters_from_json(*, clinic_id: int, data: dict[str, Any]) -> ReportFilters:
    """Rebuild filters stored on a job; a therapist who left the clinic is a ValidationError."""
    try:
        start = date.fromisoformat(str(data["start"]))
        end = date.fromisoformat(str(data["end"]))
    except (KeyError, ValueError) as exc:
        raise ValidationError({"start": "The stored date range is not valid."}) from exc
    validate_range(start, end)
    therapist = None
    if data.get("therapist"):
        try:
            public_id = uuid.UUID(str(data["therapist"]))
        except ValueError as exc:
            raise ValidationError({"therapist": "The stored therapist is not valid."}) from exc
        therapist = clinic_therapists(clinic_id).filter(public_id=public_id).first()
        if therapist is None:
            raise ValidationError({"therapist": "That therapist is no longer in the clinic."})
    return ReportFilters(clinic_id=clinic_id, start=start, end=end, therapist=therapist)
