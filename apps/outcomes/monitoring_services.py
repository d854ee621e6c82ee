"""Writes for remote monitoring: turning it on or off for a clinic, and logging a patient's
management minutes (once per ``client_id``: minutes are billed). Each runs in one transaction
with its audit entry. The reads are in ``monitoring_selectors``."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from apps.audit.models import Action
from apps.audit.services import audit_record
from apps.clinics.models import User
from apps.core.once import create_once, replayed, request_print
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
        errors["activity"] = ["Keep it to 300 characters or fewer."]
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
    and whether it is new. Once per ``client_id`` (``apps.core.once``): minutes are billed,
    so the same entry sent again (a retried request, a double click) returns the first and
    adds nothing, and another entry under that key is refused."""
    _check_time_entry(patient, on, minutes, activity)
    assert on is not None
    asked = request_print(
        client_id, on=on, minutes=minutes, activity=activity.strip(),
        live_interaction=live_interaction,
    )  # fmt: skip

    def create() -> TimeEntry:
        entry = TimeEntry.objects.create(
            patient=patient, therapist=user, on=on, minutes=minutes, activity=activity.strip(),
            live_interaction=live_interaction, client_id=client_id, client_request=asked,
        )  # fmt: skip
        audit_record(
            actor=user, action=Action.CREATE, patient=patient, target=entry,
            detail="monitoring time entry", request=request,
        )  # fmt: skip
        return entry

    entry = create_once(
        TimeEntry, client_id, create, same=lambda first: first.patient_id == patient.pk,
        asked=asked,
    )  # fmt: skip
    return entry, not replayed(entry)
