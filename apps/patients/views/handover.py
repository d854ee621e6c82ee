"""The clinic admin's page that hands all of a colleague's active patients to another."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from apps.clinics.access import get_for_admin, require_admin
from apps.clinics.selectors import clinic_staff, staff_active_patients
from apps.core.forms import add_service_errors
from apps.patients.forms import HandOverForm
from apps.patients.handover import hand_over_refusal, patients_hand_over


@login_required
@require_http_methods(["GET", "POST"])
def patients_hand_over_view(request: HttpRequest, public_id: UUID) -> HttpResponse:
    admin = require_admin(request)
    source = get_for_admin(admin, clinic_staff(clinic=admin.clinic), public_id)
    name = source.full_name or source.email
    refusal = hand_over_refusal(source)
    data = request.POST if request.method == "POST" else None  # an empty POST is checked too
    form = HandOverForm(data, user=admin, source=source, refusal=refusal)
    if request.method == "POST" and form.is_valid():
        target = form.cleaned_data["to"]
        try:
            moved = patients_hand_over(actor=admin, source=source, target=target, request=request)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if moved:
                count = len(moved)
                messages.success(
                    request,
                    f"{count} patient{'s' if count != 1 else ''} of {name} now looked after by "
                    f"{target}.",
                )
            else:  # a second submit, or someone else handed them over meanwhile
                messages.info(request, f"{name} has no active patients left to hand over.")
            return redirect("clinics:staff")
    context = {"form": form, "source": source, "looked_after": staff_active_patients(source)}
    status = 400 if form.errors else 200
    return render(request, "patients/hand_over.html", context, status=status)
