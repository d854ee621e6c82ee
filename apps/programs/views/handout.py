"""The printable handout of a patient's programs (a staff page in the patients' URLs).

Like the patient's personal link pages it needs ``Patient.objects.editable_by`` (a
therapist's own patients, any for a clinic admin): anyone else's patient is a 404.
"""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from apps.audit.models import Action
from apps.audit.services import audit_record
from apps.clinics.access import get_for_staff, require_staff
from apps.patients import auth
from apps.patients.selectors import patient_for_change
from apps.patients.views.page import patient_page_again
from apps.programs.handout import (
    PAPER_NAMES,
    PAPERS,
    default_paper,
    handout_pdf,
    handout_programs,
)


@login_required
@require_GET
def patient_handout(request: HttpRequest, public_id: UUID) -> HttpResponse:
    user = require_staff(request)
    patient = get_for_staff(user, patient_for_change(user=user), public_id)
    # The handout carries the personal link: printed for a discharged patient it is a
    # credential nobody should hold, which restoring them would bring to life.
    if patient.archived_at is not None:
        messages.error(request, "This patient is archived: restore them before printing.")
        return patient_page_again(patient, status=400, request=request)
    if not patient.link_active:
        messages.error(
            request, f"The personal link is {patient.link_state}: renew it before printing."
        )
        return patient_page_again(patient, status=400, request=request)
    paper = request.GET.get("paper") or default_paper()
    if paper not in PAPERS:
        names = " or ".join(f"{key} ({name})" for key, name in PAPER_NAMES.items())
        messages.error(request, f"The paper size must be {names}.")
        return patient_page_again(patient, status=400, request=request)
    programs = handout_programs(patient=patient, today=patient.local_today())
    pdf = handout_pdf(
        patient=patient, programs=programs, link_url=auth.personal_link_url(patient), paper=paper
    )
    audit_record(
        actor=request.user, action=Action.EXPORT, patient=patient, target=patient,
        detail=f"handout ({PAPER_NAMES[paper]})", request=request,
    )  # fmt: skip
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="exercise-handout.pdf"'
    response["Cache-Control"] = "no-store"
    return response
