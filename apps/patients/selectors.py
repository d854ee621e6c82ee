"""Reads about patients, shared by the staff pages and the API; every one starts from the user."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Q, QuerySet

from apps.clinics.models import User
from apps.patients.models import HipPrecaution, Patient


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


def precautions_in_force(*, patient: Patient, on: date) -> list[HipPrecaution]:
    """The patient's hip precautions on the patient-local day ``on`` (one query). A date
    comparison: precautions end by themselves on their end date."""
    return list(HipPrecaution.objects.filter(patient=patient).in_force(on=on))


def precautions_of(*, patient: Patient) -> list[HipPrecaution]:
    """Every precaution of the patient, newest first, for the staff page and the API."""
    return list(HipPrecaution.objects.filter(patient=patient).select_related("set_by", "patient"))
