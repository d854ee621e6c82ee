"""Patient-facing and staff-facing pages about patients."""

from __future__ import annotations

from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from apps.clinics.models import User
from apps.patients.models import Patient


def _require_staff(user: User) -> None:
    if not user.is_clinic_staff:
        raise Http404


@login_required
def patient_list(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    _require_staff(user)
    patients = Patient.objects.visible_to(user).select_related("therapist")
    if user.is_therapist:
        patients = patients.filter(therapist=user)
    return render(request, "patients/patient_list.html", {"patients": patients})


@login_required
def patient_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    user = cast(User, request.user)
    _require_staff(user)
    patient = get_object_or_404(
        Patient.objects.visible_to(user).select_related("therapist"), public_id=public_id
    )
    return render(request, "patients/patient_detail.html", {"patient": patient})
