"""What a report covers: a clinic, a date range and optionally one therapist."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Exists, F, OuterRef, Q, QuerySet

from apps.clinics.models import Role, User
from apps.patients.models import CareSpell

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


FORMER_NOT_IN_PERIOD = (
    "This therapist is no longer active and looked after none of the clinic's patients in "
    "this period: choose another period, or all therapists."
)


def report_therapists(
    clinic_id: int, start: date | None = None, end: date | None = None
) -> QuerySet[User]:
    """Whom a report can be filtered by, by name: the clinic's active staff who can have
    patients (therapists and admins), and those deactivated since who looked after one of the
    clinic's patients on a day of ``start..end`` (``CareSpell``; without a period, on any
    day), whose past care a report must still be able to show on its own. ``is_active``
    tells them apart."""
    spells = (
        CareSpell.objects.filter(therapist_id=OuterRef("pk"), patient__clinic_id=clinic_id).exclude(
            ends_on=F("starts_on")
        )  # a spell with no day of its own
    )
    if start is not None:
        spells = spells.filter(Q(ends_on__isnull=True) | Q(ends_on__gt=start))
    if end is not None:
        spells = spells.filter(Q(starts_on__isnull=True) | Q(starts_on__lte=end))
    return (
        User.objects.filter(clinic_id=clinic_id, role__in=[Role.THERAPIST, Role.ADMIN])
        .filter(Q(is_active=True) | Exists(spells))
        .order_by("full_name", "email")
    )


def is_former_therapist(clinic_id: int, public_id: Any) -> bool:
    """Whether ``public_id`` is a deactivated therapist who looked after a patient of the
    clinic at some time: one a report can be filtered by, for another period."""
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        return False
    return report_therapists(clinic_id).filter(public_id=key, is_active=False).exists()


def report_therapist(
    *, clinic_id: int, public_id: uuid.UUID, start: date, end: date, unknown: str
) -> User:
    """The therapist ``public_id`` as a filter of a report of ``start..end``; a
    ValidationError on ``therapist`` saying why not (``unknown``: the caller's words for
    someone who is no therapist of the clinic)."""
    therapist = report_therapists(clinic_id, start, end).filter(public_id=public_id).first()
    if therapist is not None:
        return therapist
    former = is_former_therapist(clinic_id, public_id)
    raise ValidationError({"therapist": FORMER_NOT_IN_PERIOD if former else unknown})


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
    """Rebuild filters stored on a job; a therapist who left the clinic (or, deactivated,
    looked after nobody in the period) is a ValidationError."""
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
        therapist = report_therapist(
            clinic_id=clinic_id, public_id=public_id, start=start, end=end,
            unknown="That therapist is no longer in the clinic.",
        )  # fmt: skip
    return ReportFilters(clinic_id=clinic_id, start=start, end=end, therapist=therapist)
