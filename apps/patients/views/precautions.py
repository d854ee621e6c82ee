"""Staff pages for a patient's hip precautions: set, change and end them.

Set and ended on the patient page (``patients:detail``, where those forms are posted), changed
on a page of their own. Only staff who may edit the patient (a therapist's own, any for a
clinic admin) reach these; anyone else gets a 404, as for another clinic's patient.
"""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from apps.audit.models import Action
from apps.audit.services import audit_record
from apps.clinics.access import get_for_staff, require_staff
from apps.core.forms import add_service_errors
from apps.patients import precautions as services
from apps.patients import selectors
from apps.patients.forms import PrecautionAddForm, PrecautionForm
from apps.patients.models import HipPrecaution, Patient
from apps.patients.views.page import detail_page


def _patient(request: HttpRequest, public_id: UUID) -> Patient:
    user = require_staff(request)
    return get_for_staff(user, selectors.patient_for_change(user=user), public_id)


def _precaution(request: HttpRequest, patient: Patient, public_id: UUID | str) -> HipPrecaution:
    return get_for_staff(require_staff(request), patient.precautions.all(), public_id)


def _save(request: HttpRequest, form: PrecautionForm, patient: Patient,
          precaution: HipPrecaution | None) -> bool:  # fmt: skip
    """Set or change the precautions from a valid form; False with the errors on the form."""
    user = require_staff(request)
    data = form.cleaned_data
    try:
        if precaution is None:
            services.precaution_set(actor=user, patient=patient, request=request, **data)
        else:
            services.precaution_update(actor=user, precaution=precaution, request=request, **data)
    except ValidationError as error:
        add_service_errors(form, error)
        return False
    return True


def precautions_set(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Set precautions from the patient page's form (posted to the page itself)."""
    patient = _patient(request, public_id)
    form = PrecautionAddForm(request.POST, prefix="precaution")
    if form.is_valid() and _save(request, form, patient, None):
        messages.success(request, "Hip precautions saved.")
        return redirect("patients:detail", patient.public_id)
    return detail_page(request, patient, status=400, precaution_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def precaution_edit(request: HttpRequest, public_id: UUID, precaution_id: UUID) -> HttpResponse:
    patient = _patient(request, public_id)
    precaution = _precaution(request, patient, precaution_id)
    initial = PrecautionForm.initial_for(precaution)
    form = PrecautionForm(request.POST or None, initial=initial, prefix="precaution")
    if request.method == "POST" and form.is_valid() and _save(request, form, patient, precaution):
        messages.success(request, "Hip precautions changed.")
        return redirect("patients:detail", patient.public_id)
    if request.method == "GET":  # the form shows the patient's precautions
        audit_record(
            actor=request.user, action=Action.VIEW, patient=patient, target=precaution,
            request=request,
        )  # fmt: skip
    context = {"patient": patient, "precaution": precaution, "form": form}
    status = 400 if form.errors else 200
    return render(request, "patients/precaution_form.html", context, status=status)


def precautions_end(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """End the patient's precautions named by ``precaution`` (the patient page's "End now",
    posted to the page itself); any other patient's, or not an id, is a 404."""
    patient = _patient(request, public_id)
    precaution = _precaution(request, patient, request.POST.get("precaution", ""))
    try:
        services.precaution_end(
            actor=require_staff(request), precaution=precaution, request=request
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return detail_page(request, patient, status=400)
    messages.success(request, "Hip precautions ended.")
    return redirect("patients:detail", patient.public_id)
