"""Reads of a clinic's people shared by the clinic admin's pages and the API."""

from __future__ import annotations

import math

from django.db.models import QuerySet
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.clinics.models import Clinic, Role, User


def clinic_staff(*, clinic: Clinic | None) -> QuerySet[User]:
    """The clinic's therapists and admins, active or not (invited ones included)."""
    return User.objects.filter(clinic=clinic, role__in=[Role.ADMIN, Role.THERAPIST])


def staff_with_two_factor(*, clinic: Clinic | None) -> set[int]:
    """The ids of the clinic's staff who have an authenticator app paired, in one query."""
    paired = TOTPDevice.objects.filter(user__in=clinic_staff(clinic=clinic), confirmed=True)
    return set(paired.values_list("user_id", flat=True))


def totp_wait_seconds(device: TOTPDevice) -> int:
    """Whole seconds before ``device`` takes a code again: django-otp refuses every code, the
    right one too, for 1, 2, 4... seconds after each wrong one in a row. 0 when it takes one."""
    allowed, why = device.verify_is_allowed()
    if allowed or not why or "locked_until" not in why:
        return 0
    return max(1, math.ceil((why["locked_until"] - timezone.now()).total_seconds()))
