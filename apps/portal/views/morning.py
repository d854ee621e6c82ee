"""The next-morning question on the patient's Today page (the API twin is
``apps/portal/api/morning.py``)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from apps.core.post_only import post_only
from apps.patients.auth import patient_login_required
from apps.portal.views.today import patient_for, render_today, today_address
from apps.programs.morning import morning_check_record


@patient_login_required
@post_only(today_address)
def morning_check(request: HttpRequest) -> HttpResponse:
    """Record this morning's answer from the Today page (works without JavaScript). A refusal
    is Today with its message at this address; a GET of it leads back to Today."""
    patient = patient_for(request)
    try:
        morning_check_record(
            patient=patient, hip=request.POST.get("hip"), stiffness=request.POST.get("stiffness")
        )
    except ValidationError as exc:
        for msgs in exc.message_dict.values():
            for msg in msgs:
                messages.error(request, msg)
        return render_today(request, patient, status=400)
    return redirect(reverse("patients:today"))
