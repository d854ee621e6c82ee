"""Clinic admin pages: download everything about a patient, and erase a patient."""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from apps.audit.models import Action
from apps.audit.services import audit_record
from apps.clinics.access import get_for_admin, require_admin
from apps.clinics.models import User
from apps.patients.models import Patient
from apps.patients.privacy import patient_data_export, patient_erase


class EraseForm(forms.Form):
    confirmation = forms.CharField(
        label="Type the patient's full name to confirm",
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


def _patient_for_admin(request: HttpRequest, public_id: str) -> tuple[User, Patient]:
    """The patient, if this admin's clinic has them: 403 for anyone but a clinic admin, 404
    outside the admin's clinic."""
    admin = require_admin(request)
    patients = Patient.objects.visible_to(admin).select_related("user")
    return admin, get_for_admin(admin, patients, public_id)


@login_required
@never_cache
@require_GET
def patient_export(request: HttpRequest, public_id: str) -> HttpResponse:
    admin, patient = _patient_for_admin(request, public_id)
    data = patient_data_export(actor=admin, patient=patient, request=request)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, indent=2), content_type="application/json"
    )
    name = f"patient-{patient.public_id}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def patient_erase_view(request: HttpRequest, public_id: str) -> HttpResponse:
    admin, patient = _patient_for_admin(request, public_id)
    form = EraseForm(request.POST or None)
    if request.method == "GET":
        audit_record(
            actor=admin, action=Action.VIEW, patient=patient, target=patient, request=request
        )
    if request.method == "POST" and form.is_valid():
        try:
            patient_erase(
                actor=admin,
                patient=patient,
                confirmation=form.cleaned_data["confirmation"],
                request=request,
            )
        except ValidationError as exc:
            form.add_error("confirmation", exc.message_dict.get("confirmation", exc.messages))
        else:
            messages.success(request, "The patient's data and account were erased.")
            return redirect("patients:list")
    context = {"patient": patient, "form": form}
    return render(
        request, "patients/privacy_erase.html", context, status=400 if form.errors else 200
    )
