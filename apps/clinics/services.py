"""Writes for clinics and staff accounts."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.clinics.models import Clinic, Role, User


@transaction.atomic
def staff_create(
    *, clinic: Clinic, email: str, full_name: str, role: str, password: str | None
) -> User:
    if role not in (Role.ADMIN, Role.THERAPIST):
        raise ValueError(f"staff role must be admin or therapist, not {role!r}")
    user = User(email=email.lower(), full_name=full_name, clinic=clinic, role=role)
    if password:
        validate_password(password, user)
    return User.objects.create_user(
        email=email.lower(), password=password, full_name=full_name, clinic=clinic, role=role
    )


def totp_device_start(*, user: User) -> TOTPDevice:
    """Begin two-factor set-up: an unconfirmed device replaces any earlier unconfirmed one."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def totp_device_confirm(*, device: TOTPDevice, token: str) -> bool:
    if not device.verify_token(token):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return True


def confirmed_totp_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


CLINIC_SETTINGS_FIELDS = (
    "time_zone",
    "pain_progression_limit",
    "pain_alert_level",
    "phone",
    "default_reminder_time",
    "quiet_hours_start",
    "quiet_hours_end",
    "band_moderate_from",
    "band_high_from",
    "band_very_high_from",
)


@transaction.atomic
def clinic_settings_update(*, clinic: Clinic, **values: object) -> Clinic:
    """Change a clinic's defaults; validated as a whole so nothing is half-saved."""
    unknown = set(values) - set(CLINIC_SETTINGS_FIELDS)
    if unknown:
        raise ValueError(f"not clinic settings: {sorted(unknown)}")
    for field, value in values.items():
        setattr(clinic, field, value)
    _validate_clinic_settings(clinic)
    clinic.save(update_fields=list(values))
    return clinic


def _validate_clinic_settings(clinic: Clinic) -> None:
    errors: dict[str, str] = {}
    try:
        ZoneInfo(clinic.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        errors["time_zone"] = f"{clinic.time_zone!r} is not a known time zone."
    if not clinic.band_moderate_from < clinic.band_high_from < clinic.band_very_high_from:
        errors["band_high_from"] = "Each band must start above the one before it."
    if not 0 <= clinic.pain_progression_limit <= 10 or not 1 <= clinic.pain_alert_level <= 10:
        errors["pain_alert_level"] = "Pain levels are on the 0 to 10 scale."
    clinic.phone = clinic.phone.strip()
    if clinic.phone and not PHONE_PATTERN.fullmatch(clinic.phone):
        errors["phone"] = "Write the phone number with digits, spaces, +, -, ( and ) only."
    if errors:
        raise ValidationError(errors)


# A number patients can read and dial: at least 6 digits, common separators only.
PHONE_PATTERN = re.compile(r"\+?[0-9][0-9 ()\-]{4,30}[0-9]")


# --- Staff accounts managed by the clinic admin ------------------------------------------------


def staff_invite(*, admin: User, email: str, full_name: str, role: str) -> User:
    """Add a therapist or admin to the admin's clinic with no password yet; they choose one
    through the emailed set-password link (sent after commit by the caller's view)."""
    if not admin.is_clinic_admin or admin.clinic is None:
        raise ValidationError({"role": "Only a clinic admin can add staff."})
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": "Someone already signs in with this email address."})
    return staff_create(
        clinic=admin.clinic, email=email, full_name=full_name.strip(), role=role, password=None
    )


@transaction.atomic
def staff_set_active(*, admin: User, staff: User, active: bool) -> User:
    """Deactivate (or reactivate) a colleague: a deactivated account cannot sign in, and its
    open sessions end because Django refuses inactive users on every request."""
    if staff.pk == admin.pk:
        raise ValidationError({"active": "You cannot deactivate your own account."})
    if not active and staff.patients.filter(archived_at__isnull=True).exists():
        raise ValidationError(
            {"active": "Move this therapist's patients to a colleague before deactivating."}
        )
    staff.is_active = active
    staff.save(update_fields=["is_active"])
    return staff
