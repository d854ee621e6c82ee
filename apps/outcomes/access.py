"""The outcome pages' and endpoints' objects, each through ``apps.clinics.access`` (the one
access helper): a role that may not use the page is a 403, another clinic's (or another
patient's) object a 404. Only the scoped querysets live here."""

from __future__ import annotations

from typing import Any

from apps.clinics.access import (
    admin_user,
    get_for_patient,
    get_for_staff,
    require_same_patient,
    staff_user,
)
from apps.clinics.models import User
from apps.outcomes.models import ProgressReport, Questionnaire
from apps.patients.models import Patient
from apps.patients.selectors import own_patient
from apps.programs.models import Program

staff = staff_user
admin = admin_user
me = own_patient


def patient_visible(user: Any, public_id: Any) -> Patient:
    """A patient of the staff member's clinic (reading)."""
    patients = Patient.objects.visible_to(user).select_related("clinic", "therapist")
    return get_for_staff(user, patients, public_id)


def patient_editable(user: Any, public_id: Any) -> Patient:
    """A patient the staff member may change (a therapist's own, any for an admin)."""
    patients = Patient.objects.editable_by(user).select_related("clinic", "therapist")
    return get_for_staff(user, patients, public_id)


def program_editable(user: User, public_id: Any) -> Program:
    programs = Program.objects.editable_by(user).select_related("patient", "clinic")
    return get_for_staff(user, programs.filter(is_template=False), public_id)


def report_visible(user: Any, public_id: Any) -> ProgressReport:
    reports = ProgressReport.objects.visible_to(user).select_related("patient", "author")
    return get_for_staff(user, reports, public_id)


def questionnaire_visible(user: Any, public_id: Any) -> Questionnaire:
    rows = Questionnaire.objects.visible_to(user).select_related("patient", "program")
    return get_for_staff(user, rows, public_id)


def my_questionnaire(
    user: Any, public_id: Any, *, sent: Any = None
) -> tuple[Patient, Questionnaire]:
    """The patient's own questionnaire; with ``sent`` (the request of answers the phone
    kept), answers kept for another patient than the signed-in one are a 409 first, before
    the lookup would call that patient's questionnaire not found."""
    patient = own_patient(user)
    if sent is not None:
        require_same_patient(sent, patient.public_id)
    rows = Questionnaire.objects.filter(patient=patient).select_related("patient", "program")
    return patient, get_for_patient(user, rows, public_id)
