"""Reads about patients, shared by the staff pages and the API; every one starts from the user."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from apps.clinics.models import User
from apps.patients.models import Patient


def patient_rows(user: User, *, query: str, everyone: bool) -> QuerySet[Patient]:
    """The list: the therapist's own patients (the clinic's for admins or ``everyone``)."""
    patients = Patient.objects.visible_to(user).filter(archived_at__isnull=True)
    if user.is_therapist and not everyone:
        patients = patients.filter(therapist=user)
    if query:
        patients = patients.filter(Q(full_name__icontains=query) | Q(email__icontains=query))
    active = Q(programs__is_template=False, programs__is_active=True)
    return (
        patients.select_related("therapist")
        .annotate(program_count=Count("programs", filter=active))
        .order_by("full_name", "pk")
    )
