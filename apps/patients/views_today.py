"""The patient's own pages."""

from __future__ import annotations

from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from apps.clinics.models import User
from apps.patients.models import Patient


@login_required
def today(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    patient = Patient.objects.visible_to(user).filter(user=user).first()
    if patient is None:
        raise Http404
    return render(request, "patients/today.html", {"patient": patient})
