"""The clinic admin's page for clinic defaults: pain thresholds, reminder hours, bands."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from apps.clinics.models import Clinic, User
from apps.clinics.services import CLINIC_SETTINGS_FIELDS, clinic_settings_update
from apps.core.forms import add_service_errors


class ClinicSettingsForm(forms.ModelForm[Clinic]):
    class Meta:
        model = Clinic
        fields = CLINIC_SETTINGS_FIELDS
        labels = {
            "pain_progression_limit": "Pain above this on the day holds back a progression prompt",
            "pain_alert_level": "Pain at or above this alerts the therapist",
            "phone": "Clinic phone number (patients see it after logging high pain)",
            "default_reminder_time": "Reminder time for patients who have not chosen one",
            "quiet_hours_start": "Quiet hours start (no reminders)",
            "quiet_hours_end": "Quiet hours end",
            "band_moderate_from": "Moderate activation from (%MVIC)",
            "band_high_from": "High activation from (%MVIC)",
            "band_very_high_from": "Very high activation from (%MVIC)",
        }
        widgets: dict[str, Any] = {
            name: forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
            for name in ("default_reminder_time", "quiet_hours_start", "quiet_hours_end")
        }


def _admin(request: HttpRequest) -> User:
    user = cast(User, request.user)
    if not user.is_clinic_admin or user.clinic is None:
        raise Http404
    return user


@login_required
@require_http_methods(["GET", "POST"])
def clinic_settings(request: HttpRequest) -> HttpResponse:
    admin = _admin(request)
    clinic = cast(Clinic, admin.clinic)
    form = ClinicSettingsForm(request.POST or None, instance=clinic)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in CLINIC_SETTINGS_FIELDS}
        try:
            clinic_settings_update(clinic=clinic, **values)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Clinic settings saved.")
            return redirect("clinics:settings")
    status = 400 if form.errors else 200
    return render(request, "clinics/settings.html", {"form": form, "clinic": clinic}, status=status)
