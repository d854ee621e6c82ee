"""Writes for patients."""

from __future__ import annotations

from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.db import transaction

from apps.clinics.models import Role, User
from apps.patients.models import Patient


def validate_time_zone(name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError({"time_zone": f"{name!r} is not a known time zone."}) from exc


@transaction.atomic
def patient_create(
    *,
    therapist: User,
    full_name: str,
    year_of_birth: int,
    email: str = "",
    phone: str = "",
    time_zone: str = "Europe/London",
    reminder_time: time | None = None,
) -> Patient:
    if not therapist.is_clinic_staff or therapist.clinic_id is None:
        raise ValidationError({"therapist": "Patients are created by clinic staff."})
    validate_time_zone(time_zone)
    user = User.objects.create_user(
        email=None, full_name=full_name, clinic_id=therapist.clinic_id, role=Role.PATIENT
    )
    return Patient.objects.create(
        user=user,
        clinic_id=therapist.clinic_id,
        therapist=therapist,
        full_name=full_name,
        email=email.strip().lower(),
        phone=phone.strip(),
        year_of_birth=year_of_birth,
        time_zone=time_zone,
        reminder_time=reminder_time,
    )
