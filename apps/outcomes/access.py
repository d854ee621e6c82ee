"""The one access helper for outcome pages and endpoints: every object is fetched from the
user's own scope, so another clinic's (or another patient's) is a 404, and a role that may
not use the page gets a 404 too (staff pages are invisible to patients)."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from apps.clinics.models import User
from apps.outcomes.models import ProgressReport, Questionnaire
from apps.patients.models import Patient
from apps.programs.models import Program


def staff(user: Any) -> User:
    if not (user.is_authenticated and getattr(user, "is_clinic_staff", False)):
        raise Http404
    return user


def admin(user: Any) -> User:
    if not (user.is_authenticated and getattr(user, "is_clinic_admin", False)):
        raise Http404
    return user


def _one(queryset: Any, public_id: Any) -> Any:
    found = queryset.filter(public_id=public_id).first()
    if found is None:
        raise Http404
    return found


def patient_visible(user: Any, public_id: Any) -> Patient:
    """A patient of the staff member's clinic (reading)."""
    patients = Patient.objects.visible_to(staff(user)).select_related("clinic", "therapist")
    return _one(patients, public_id)


def patient_editable(user: Any, public_id: Any) -> Patient:
    """A patient the staff member may change (a therapist's own, any for an admin)."""
    patients = Patient.objects.editable_by(staff(user)).select_related("clinic", "therapist")
    return _one(patients, public_id)


def program_editable(user: Any, public_id: Any) -> Program:
    programs = Program.objects.editable_by(staff(user)).select_related("patient", "clinic")
    return _one(programs.filter(is_template=False), public_id)


def report_visible(user: Any, public_id: Any) -> ProgressReport:
    reports = ProgressReport.objects.visible_to(staff(user)).select_related("patient", "author")
    return _one(reports, public_id)


def questionnaire_visible(user: Any, public_id: Any) -> Questionnaire:
    rows = Questionnaire.objects.visible_to(staff(user)).select_related("patient", "program")
    return _one(rows, public_id)


def me(user: Any) -> Patient:
    """The signed-in patient; a 404 for staff and everyone else."""
    if not user.is_authenticated:
        raise Http404
    patient = (
        Patient.objects.visible_to(user)
        .filter(user_id=user.pk, archived_at__isnull=True)
        .select_related("clinic")
        .first()
    )
    if patient is None:
        raise Http404
    return patient


def my_questionnaire(user: Any, public_id: Any) -> tuple[Patient, Questionnaire]:
    patient = me(user)
    rows = Questionnaire.objects.filter(patient=patient).select_related("patient", "program")
    return patient, _one(rows, public_id)
