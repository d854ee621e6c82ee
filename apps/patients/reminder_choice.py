"""The patient's own reminder choice: reminders on or off, at what local time, in which time
zone (chosen on their phone), checked and audited under the patient."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from apps.audit.models import Action
from apps.audit.services import audit_record
from apps.patients.models import Patient, ReminderChannel
from apps.patients.services import patient_lock_if_still_editable, validate_time_zone


def _reminders_choice_error(patient: Patient, reminders_enabled: bool) -> str | None:
    """Why reminders cannot be turned on for ``patient`` (said to the patient), or None."""
    if not reminders_enabled or patient.reminder_address:
        return None
    if patient.reminder_channel == ReminderChannel.SMS:
        return (
            "Your clinic has no phone number for you, so no text can be sent: ask them to add it."
        )
    return "Your clinic has no email address for you, so no email can be sent: ask them to add it."


REMINDER_CHOICE_FIELDS = ("reminders_enabled", "reminder_time", "time_zone")


def patient_reminders_choose(
    *,
    patient: Patient,
    reminders_enabled: bool,
    reminder_time: time | None,
    time_zone: str | None = None,
    request: HttpRequest | None = None,
) -> bool:
    """``patient_reminders_change`` with the whole choice (a ``time_zone`` of None keeps it)."""
    changes: dict[str, Any] = {"reminders_enabled": reminders_enabled}
    changes |= {"reminder_time": reminder_time}
    if time_zone is not None:
        changes["time_zone"] = time_zone
    return patient_reminders_change(patient=patient, changes=changes, request=request)


@transaction.atomic
def patient_reminders_change(
    *, patient: Patient, changes: Mapping[str, Any], request: HttpRequest | None = None
) -> bool:
    """The patient's own choice of the fields in ``changes`` (``REMINDER_CHOICE_FIELDS``):
    reminders on or off, at what local time (None: their program's or clinic's), their time
    zone (travelling, moving). The others stay as they are now: the row is read again under
    its lock, so a change committed since the caller read it (reminders stopped from the
    email, the clinic's edit) is kept and the checks (quiet hours, an address to send to) see
    it. The patient's time comes before a program's (journey 4). All or nothing, audited
    under the patient in the same transaction (one entry for the reminders, one for the
    zone); the same choice again records nothing. Returns whether anything changed.

    A new zone needs nothing else written: the reminder time and the clinic's quiet hours
    are both the patient's local wall-clock times, so a time allowed before is allowed after;
    a day's reminder is one row per patient and local date, so a date that already had one
    (moving west) gets no second and a date without one gets it at the time in the new zone;
    the cached Today is keyed by the patient's row and local date; daily totals are per
    logged local date (``apps.programs.daily_totals``)."""
    if unknown := set(changes) - set(REMINDER_CHOICE_FIELDS):
        raise ValueError(f"not reminder choices: {sorted(unknown)}")
    patient_lock_if_still_editable(patient, None)
    if patient.archived_at is not None:
        raise ValidationError({"patient": "This patient is no longer active."})
    reminders_enabled = changes.get("reminders_enabled", patient.reminders_enabled)
    reminder_time = changes.get("reminder_time", patient.reminder_time)
    _reminders_choice_check(patient, reminders_enabled, reminder_time, changes.get("time_zone"))
    zone_before, time_zone = patient.time_zone, changes.get("time_zone", patient.time_zone)
    reminders_changed = (patient.reminders_enabled, patient.reminder_time) != (
        reminders_enabled,
        reminder_time,
    )
    zone_changed = zone_before != time_zone
    if reminders_changed or zone_changed:
        Patient.objects.filter(pk=patient.pk).update(
            reminders_enabled=reminders_enabled, reminder_time=reminder_time, time_zone=time_zone
        )
    patient.reminders_enabled, patient.reminder_time = reminders_enabled, reminder_time
    patient.time_zone = time_zone
    if reminders_changed:
        chosen = f"on at {reminder_time:%H:%M}" if reminder_time else "on at the usual time"
        detail = f"reminders {chosen if reminders_enabled else 'off'}, chosen by the patient"
        _patient_choice_audit(patient, detail, request)
    if zone_changed:
        detail = f"time zone {zone_before} → {time_zone}, chosen by the patient"
        _patient_choice_audit(patient, detail, request)
    return reminders_changed or zone_changed


def _reminders_choice_check(
    patient: Patient, reminders_enabled: bool, reminder_time: time | None, time_zone: str | None
) -> None:
    """Every refusal of the patient's choice at once, each on its field, in their words."""
    errors: dict[str, str] = {}
    if quiet := patient.clinic.quiet_reminder_time_error(reminder_time):
        errors["reminder_time"] = quiet
    if refused := _reminders_choice_error(patient, reminders_enabled):
        errors["reminders_enabled"] = refused
    if time_zone is not None:
        try:
            validate_time_zone(time_zone)
        except ValidationError as error:
            errors |= {name: found[0] for name, found in error.message_dict.items()}
    if errors:
        raise ValidationError(errors)


def _patient_choice_audit(patient: Patient, detail: str, request: HttpRequest | None) -> None:
    audit_record(
        actor=patient.user, action=Action.CHANGE, patient=patient, target=patient,
        detail=detail, request=request,
    )  # fmt: skip
