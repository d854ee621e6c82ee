"""Writes for clinics and staff accounts."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
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
