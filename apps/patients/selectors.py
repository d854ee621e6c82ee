"""Reads about patients, shared by the staff pages and the API; every one starts from the user."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from apps.clinics.access import patient_user
from apps.clinics.models import User
from apps.core.precompiled import DATE_STAND_IN, INT, PrecompiledQuery
from apps.patients.models import HipPrecaution, Patient


def patient_rows(
    user: User, *, query: str, everyone: bool, archived: bool = False
) -> QuerySet[Patient]:
    """The list: the therapist's own patients (the clinic's for admins or ``everyone``),
    active ones, or with ``archived`` the archived (discharged) ones only."""
    patients = Patient.objects.visible_to(user).filter(archived_at__isnull=not archived)
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


def patient_for_page(*, user: User) -> QuerySet[Patient]:
    """The patients ``user`` may read, with what the patient pages show about them."""
    return Patient.objects.visible_to(user).select_related("therapist", "clinic")


def patient_for_change(*, user: User) -> QuerySet[Patient]:
    """The patients ``user`` may change (a therapist's own, any of the clinic for an admin)."""
    return Patient.objects.editable_by(user).select_related("clinic", "therapist", "user")


def patient_can_edit(*, user: User, patient: Patient) -> bool:
    return Patient.objects.editable_by(user).filter(pk=patient.pk).exists()


def patient_programs(*, patient: Patient) -> QuerySet[Any]:
    """The patient's programs, newest active first, each with its count of current items."""
    today = patient.local_today()
    current = Q(items__active_until__isnull=True) | Q(items__active_until__gte=today)
    programs = patient.programs.filter(is_template=False)
    return programs.order_by("-is_active", "-start_date").annotate(
        item_count=Count("items", filter=current)
    )


# What ``Patient.objects.visible_to(user)`` is for a patient account (their own record),
# unarchived, with the clinic. Every patient request reads it, and Django compiling its SQL
# cost more than PostgreSQL running it, so its SQL is compiled once (``PrecompiledQuery``).
_OWN_RECORD: PrecompiledQuery[Patient] = PrecompiledQuery(
    lambda user_id: (
        Patient.objects.filter(user_id=user_id, archived_at__isnull=True)
        .select_related("clinic")
        .order_by()
    )
)


def own_patient(user: Any) -> Patient:
    """The signed-in patient's own record: staff get a 403 (``require_patient``), a patient
    account without an active record a 404. Every patient page and ``/me/`` endpoint starts
    here, then fetches its objects with ``get_for_patient`` from this patient's rows."""
    patient_user(user)
    if user.clinic_id is None:  # as ``visible_to``: an account of no clinic sees nobody
        raise Http404
    patient = _OWN_RECORD.first(user.pk)
    if patient is None:
        raise Http404
    return patient


# Read by every set logged (the hold-back check), so compiled once (``PrecompiledQuery``).
_IN_FORCE: PrecompiledQuery[HipPrecaution] = PrecompiledQuery(
    lambda patient_id, on: HipPrecaution.objects.filter(patient_id=patient_id).in_force(on=on),
    stand_ins=(INT, DATE_STAND_IN),
)


def precautions_in_force(*, patient: Patient, on: date) -> list[HipPrecaution]:
    """The patient's hip precautions on the patient-local day ``on`` (one query). A date
    comparison: precautions end by themselves on their end date."""
    return _IN_FORCE.all(patient.pk, on)


def precautions_between(*, patient: Patient, first: date, last: date) -> list[HipPrecaution]:
    """The patient's precautions in force on any day from ``first`` to ``last`` (one query);
    ``HipPrecaution.is_in_force`` then tells the days apart."""
    return list(
        HipPrecaution.objects.filter(patient=patient, starts_on__lte=last, ends_on__gt=first)
    )


def precautions_of(*, patient: Patient) -> list[HipPrecaution]:
    """Every precaution of the patient, newest first, for the staff page and the API."""
    return list(HipPrecaution.objects.filter(patient=patient).select_related("set_by", "patient"))
