"""Reads of a clinic's people and API tokens shared by the clinic admin's pages, the API and
the notifications above."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, QuerySet
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.clinics.models import ApiToken, Clinic, Role, User


def clinic_staff(*, clinic: Clinic | None) -> QuerySet[User]:
    """The clinic's therapists and admins, active or not (invited ones included)."""
    return User.objects.filter(clinic=clinic, role__in=[Role.ADMIN, Role.THERAPIST])


# How many of a colleague's patients a refusal names; the rest are counted.
NAMED_PATIENTS = 5


@dataclass(frozen=True)
class PatientsLookedAfter:
    """A colleague's active patients: the first few by name, and how many in all."""

    first: list[Any]
    count: int

    @property
    def more(self) -> int:
        return self.count - len(self.first)


def clinic_admins(*, clinic_ids: Iterable[int]) -> QuerySet[User]:
    """The active admins of these clinics who have an email address (invited ones included:
    their account is theirs to sign in with)."""
    admins = User.objects.filter(clinic_id__in=list(clinic_ids), role=Role.ADMIN, is_active=True)
    return admins.exclude(email__isnull=True).exclude(email="")


def _successor() -> Exists:
    """A later, unrevoked token of the same clinic and name, acting as the same person with
    the same scope, that outlives the outer one: its admin has made the replacement that the
    token's expiry asks for. A newer "EHR sync" acting as someone else, or with another
    scope (read only where the old one could write, or the reverse), replaces nothing: it is
    another integration's token, and the one using the outer token still stops at its
    expiry, so its admins are warned."""
    return Exists(
        ApiToken.objects.filter(
            clinic=OuterRef("clinic"),
            name__iexact=OuterRef("name"),
            user=OuterRef("user"),
            scope=OuterRef("scope"),
            revoked_at__isnull=True,
            created_at__gt=OuterRef("created_at"),
            expires_at__gt=OuterRef("expires_at"),
        )
    )


def api_tokens_expiring(*, now: datetime, within: timedelta) -> QuerySet[ApiToken]:
    """Tokens that still work at ``now`` and expire within ``within`` of it, of clinics not
    suspended, that no successor replaced (``api_token_replaced``); read with their clinic,
    person and creator."""
    return (
        ApiToken.objects.filter(
            revoked_at__isnull=True,
            expires_at__gt=now,
            expires_at__lte=now + within,
            clinic__suspended_at__isnull=True,
            # A token acting as someone deactivated (or moved to another clinic) is refused
            # already: warning that it stops working later would be wrong.
            user__is_active=True,
            user__clinic=F("clinic"),
        )
        .filter(~_successor())
        .select_related("clinic", "user", "created_by")
        .order_by("pk")
    )


def api_token_replaced(*, token: ApiToken) -> bool:
    """Whether a later token of the same clinic and name, acting as the same person with the
    same scope (its successor: the admin's way to renew a token), works beyond this one. One
    query."""
    return ApiToken.objects.filter(pk=token.pk).filter(_successor()).exists()


def staff_active_patients(staff: User, *, named: int = NAMED_PATIENTS) -> PatientsLookedAfter:
    """The active (not archived) patients ``staff`` looks after: the first ``named`` by name
    (their ``public_id`` and ``full_name`` only), and the count of all of them."""
    active = staff.patients.filter(archived_at__isnull=True)
    first = list(active.order_by("full_name", "pk").only("public_id", "full_name")[:named])
    count = len(first) if len(first) < named else active.count()
    return PatientsLookedAfter(first=first, count=count)


def staff_patient_counts(*, clinic: Clinic | None) -> dict[int, int]:
    """How many active (not archived) patients each of the clinic's staff looks after, by
    id; someone with none is left out. One query."""
    rows = (
        clinic_staff(clinic=clinic)
        .filter(patients__archived_at__isnull=True)
        .annotate(looked_after=Count("patients"))
        .values_list("pk", "looked_after")
    )
    return dict(rows)


def staff_with_two_factor(*, clinic: Clinic | None) -> set[int]:
    """The ids of the clinic's staff who have an authenticator app paired, in one query."""
    paired = TOTPDevice.objects.filter(user__in=clinic_staff(clinic=clinic), confirmed=True)
    return set(paired.values_list("user_id", flat=True))


def staff_without_two_factor(*, clinic: Clinic | None) -> list[User]:
    """The clinic's active staff (invited ones included) with no authenticator app paired,
    by name: who a requirement of two-factor sign-in sends to set one up. One query."""
    paired = TOTPDevice.objects.filter(confirmed=True).values("user_id")
    active = clinic_staff(clinic=clinic).filter(is_active=True).exclude(pk__in=paired)
    return list(active.order_by("full_name", "email", "pk"))


def totp_wait_seconds(device: TOTPDevice) -> int:
    """Whole seconds before ``device`` takes a code again: django-otp refuses every code, the
    right one too, for 1, 2, 4... seconds after each wrong one in a row. 0 when it takes one."""
    allowed, why = device.verify_is_allowed()
    if allowed or not why or "locked_until" not in why:
        return 0
    return max(1, math.ceil((why["locked_until"] - timezone.now()).total_seconds()))
