"""Writes for remote monitoring: turning it on or off for a clinic, and logging a patient's
management minutes (once per ``client_id``: minutes are billed). Each runs in one transaction
with its audit entry. The reads are in ``monitoring_selectors``."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from apps.audit.models import Action
from apps.audit.services import audit_record
from apps.clinics.models import User
from apps.outcomes.models import MAX_MINUTES, MonitoringSettings, TimeEntry
from apps.outcomes.monitoring_selectors import monitoring_enabled
from apps.patients.models import Patient


@transaction.atomic
def monitoring_set(*, admin: User, enabled: bool, request: Any = None) -> MonitoringSettings:
    assert admin.clinic_id is not None  # clinic admins only (the view checks the role)
    settings, _ = MonitoringSettings.objects.update_or_create(
        clinic_id=admin.clinic_id, defaults={"enabled": enabled}
    )
    audit_record(
        actor=admin, action=Action.CHANGE, target=settings,
        detail=f"remote monitoring {'on' if enabled else 'off'}", request=request,
    )  # fmt: skip
    return settings


MONITORING_OFF = (
    "Remote monitoring is turned off for your clinic: a clinic admin turns it on under "
    "Outcome measures, and its minutes are logged from then."
)


def _check_time_entry(patient: Patient, on: date | None, minutes: Any, activity: str) -> None:
    # Minutes are billed only where the clinic runs the summary; the page offers the log
    # only then, and the API must not take what no summary will show.
    if not monitoring_enabled(clinic_id=patient.clinic_id):
        raise ValidationError(MONITORING_OFF)
    errors: dict[str, list[str]] = {}
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= MAX_MINUTES:
        errors["minutes"] = [f"Minutes must be from 1 to {MAX_MINUTES}."]
    added = patient.local_today(patient.created_at)
    if on is None:
        errors["on"] = ["Give the date."]
    elif on > patient.local_today():
        errors["on"] = ["The date cannot be in the future."]
    elif on < added:
        # A typo (1900, or last year for this year) would bill a month nobody monitored.
        errors["on"] = [f"The date cannot be before the patient was added, {added:%-d %B %Y}."]
    if not activity.strip():
        errors["activity"] = ["Say what was done."]
    elif len(activity) > 300:
        errors["activity"] = ["Keep it under 300 characters."]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def time_entry_add(
    *,
    user: User,
    patient: Patient,
    on: date | None,
    minutes: Any,
    activity: str,
    live_interaction: bool,
    client_id: uuid.UUID | None = None,
    request: Any = None,
) -> tuple[TimeEntry, bool]:
    """Log management minutes for a patient (1 to 600, not in the future); returns the entry
    and whether it is new. With a ``client_id`` already used for this patient, the first
    entry is returned and nothing is added: minutes are billed, so a retried request or a
    double click never counts them twice."""
    _check_time_entry(patient, on, minutes, activity)
    assert on is not None
    if client_id is not None and (first := _time_entry_sent_before(patient, client_id)):
        return first, False
    try:
        with transaction.atomic():  # a savepoint: losing a race keeps the caller's transaction
            entry = TimeEntry.objects.create(
                patient=patient, therapist=user, on=on, minutes=minutes,
                activity=activity.strip(), live_interaction=live_interaction, client_id=client_id,
            )  # fmt: skip
    except IntegrityError:  # the same id sent twice at once: the other request stored it
        first = _time_entry_sent_before(patient, client_id) if client_id else None
        if first is None:
            raise
        return first, False
    audit_record(
        actor=user, action=Action.CREATE, patient=patient, target=entry,
        detail="monitoring time entry", request=request,
    )  # fmt: skip
    return entry, True


def _time_entry_sent_before(patient: Patient, client_id: uuid.UUID) -> TimeEntry | None:
    """The entry stored under ``client_id``; an id used for another patient's is refused."""
    first = TimeEntry.objects.filter(client_id=client_id).first()
    if first is not None and first.patient_id != patient.pk:
        raise ValidationError(
            {"client_id": ["This id was used for another entry: send a new one."]}
        )
    return first
