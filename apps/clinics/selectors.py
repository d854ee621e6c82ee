"""Reads of a clinic's people shared by the clinic admin's pages and the API."""

from __future__ import annotations

from django.db.models import QuerySet

from apps.clinics.models import Clinic, Role, User


def clinic_staff(*, clinic: Clinic | None) -> QuerySet[User]:
    """The clinic's therapists and admins, active or not (invited ones included)."""
    return User.objects.filter(clinic=clinic, role__in=[Role.ADMIN, Role.THERAPIST])
