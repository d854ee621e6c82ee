"""The clinic admin's page for clinic defaults: pain thresholds, reminder hours and grace
period, bands, whether all staff must sign in with two-factor, and whether staff emails carry
health details."""

from __future__ import annotations

from datetime import time
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from apps.clinics.access import require_admin
from apps.clinics.models import Clinic, User, quiet_hours_widened
from apps.clinics.selectors import staff_without_two_factor
from apps.clinics.services import (
    CLINIC_SETTINGS_FIELDS,
    REMINDER_GRACE_MINUTES,
    clinic_settings_update,
)
from apps.core.forms import add_service_errors, changed_values, show_values_drawn
from apps.core.time_zones import offered_zones

TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
GRACE_RANGE_MESSAGE = (
    f"Choose a grace period from {REMINDER_GRACE_MINUTES[0]} to {REMINDER_GRACE_MINUTES[1]} "
    f"minutes ({REMINDER_GRACE_MINUTES[1] // 60} hours)."
)


def _pain(label: str, help_text: str, low: int) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        help_text=help_text,
        min_value=low,
        max_value=10,
        error_messages={
            "min_value": f"Choose a pain level from {low} to 10.",
            "max_value": f"Choose a pain level from {low} to 10.",
            "required": "Choose a pain level.",
            "invalid": "Enter a whole number.",
        },
    )


def _band(label: str, help_text: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        help_text=help_text,
        min_value=1,
        max_value=300,
        error_messages={
            "required": "Enter where this band starts.",
            "invalid": "Enter a whole number of %MVIC.",
        },
    )


class ClinicSettingsForm(forms.Form):
    """Parses the page; ``clinic_settings_update`` checks the settings together, so the
    database's own constraints are never what a person reads."""

    time_zone = forms.CharField(
        label="Clinic time zone",
        max_length=64,
        help_text=(
            "Used for the audit log's dates and the report's default period. Each patient's "
            "day and reminders follow the patient's own time zone."
        ),
        widget=forms.TextInput(attrs={"list": "time-zones", "autocomplete": "off"}),
    )
    pain_progression_limit = _pain(
        "Hold back progression when pain is above",
        "Pain above this on the day a patient meets a level's rule holds that progression "
        "prompt back: it is marked held back, and approving it needs your reason. The "
        "pain-monitoring model accepts up to 5 during exercise; above it the patient is told "
        "to stop that exercise for the day.",
        0,
    )
    pain_alert_level = _pain(
        "Alert the therapist when pain is at or above",
        "The therapist is alerted the same day, once per patient, and the patient is told to "
        "stop that exercise for today. Must be above the hold-back level.",
        1,
    )
    phone = forms.CharField(
        label="Clinic phone number",
        max_length=32,
        required=False,
        help_text=(
            "Shown to a patient straight after they log pain above the hold-back level (too "
            "much: they are told to stop that exercise for today), so they can reach the clinic."
        ),
    )
    default_reminder_time = forms.TimeField(
        label="Reminder time",
        help_text="For patients who have not chosen their own time, in each patient's time zone.",
        widget=TIME_INPUT,
    )
    quiet_hours_start = forms.TimeField(
        label="Quiet hours start",
        help_text="No reminder is sent from this time (the patient's local time).",
        widget=TIME_INPUT,
    )
    quiet_hours_end = forms.TimeField(
        label="Quiet hours end",
        help_text=(
            "Reminders may go out again from this time. The same start and end: no quiet hours."
        ),
        widget=TIME_INPUT,
    )
    reminder_grace_minutes = forms.IntegerField(
        label="Skip a reminder late by more than (minutes)",
        help_text=(
            "After an outage, a reminder that could not go out within this many minutes of its "
            "time is recorded as skipped (too late) rather than reaching the patient hours "
            f"later. From {REMINDER_GRACE_MINUTES[0]} to {REMINDER_GRACE_MINUTES[1]} minutes; "
            "the default is 120."
        ),
        min_value=REMINDER_GRACE_MINUTES[0],
        max_value=REMINDER_GRACE_MINUTES[1],
        error_messages={
            "min_value": GRACE_RANGE_MESSAGE,
            "max_value": GRACE_RANGE_MESSAGE,
            "required": "Enter the grace period in minutes.",
            "invalid": "Enter a whole number of minutes.",
        },
    )
    band_moderate_from = _band(
        "Moderate activation from (%MVIC)",
        "Below this an exercise is shown as low activation in the library and the builder. "
        "A value with a decimal counts from past the whole number before it: with 21, "
        "20.5 is moderate.",
    )
    band_high_from = _band("High activation from (%MVIC)", "Must be above the moderate band.")
    band_very_high_from = _band("Very high activation from (%MVIC)", "Must be above the high band.")
    require_two_factor = forms.BooleanField(
        label="Require two-factor sign-in for all staff",
        required=False,
        help_text=(
            "Every therapist and admin must then sign in with a code from an authenticator app. "
            "Anyone without one is sent to set it up before any other page opens. Patients are "
            "not affected. Turn it on for your own account first."
        ),
    )

    health_details_in_staff_emails = forms.BooleanField(
        label="Health details in staff emails",
        required=False,
        help_text=(
            "Email is not a safe place for health data. Unticked, a pain alert or progression "
            "email says only what happened, to a patient in the therapist's care (by a short "
            "reference, never a name), on which day, with a link to it in the inbox. Ticked, "
            "it also names the patient, the pain, the exercise, the patient's notes and their "
            "morning answers."
        ),
    )

    @classmethod
    def for_clinic(cls, clinic: Clinic, data: Any = None) -> ClinicSettingsForm:
        """The page for ``clinic``; each field carries the value it showed, so a save changes
        only what this admin changed (``changed_values``), never a colleague's change made
        while the page was open."""
        initial = {name: getattr(clinic, name) for name in CLINIC_SETTINGS_FIELDS}
        form = cls(data, initial=initial)
        show_values_drawn(form)
        return form


CHECKBOXES = ("require_two_factor", "health_details_in_staff_emails")


@login_required
@require_http_methods(["GET", "POST"])
def clinic_settings(request: HttpRequest) -> HttpResponse:
    admin = require_admin(request)
    # A fresh copy: a failed save must not leave half-changed values on request.user.clinic.
    clinic = Clinic.objects.get(pk=cast(Clinic, admin.clinic).pk)
    form = ClinicSettingsForm.for_clinic(clinic, request.POST or None)
    before = (clinic.quiet_hours_start, clinic.quiet_hours_end)
    if request.method == "POST" and form.is_valid():
        saved = _save(request, admin, clinic, form, before)
        if saved is not None:
            return saved
    # Suggestions of current names only; any name the machine knows is still accepted.
    context = {
        "form": form,
        "clinic": clinic,
        "time_zones": sorted(offered_zones()),
        "without_two_factor": staff_without_two_factor(clinic=clinic),
    }
    return render(request, "clinics/settings.html", context, status=400 if form.errors else 200)


def _save(
    request: HttpRequest,
    admin: User,
    clinic: Clinic,
    form: ClinicSettingsForm,
    before: tuple[time, time],
) -> HttpResponse | None:
    """Save the settings this admin changed in the valid ``form`` and go back to the page
    saying what happened; None, with the service's errors on ``form``, when it is refused.
    ``before``: the clinic's quiet hours when the page was read."""
    values = changed_values(form)
    for box in CHECKBOXES:
        if form.add_initial_prefix(box) not in form.data:
            # A page drawn before the box existed: its absence is not "off" (an unticked box
            # sends nothing too), so a tab open across the upgrade cannot turn it off.
            values.pop(box, None)
    if not values:
        messages.info(request, "Nothing to save: no setting was changed.")
        return redirect("clinics:settings")
    try:
        changed = clinic_settings_update(clinic=clinic, actor=admin, **values)
    except ValidationError as error:
        add_service_errors(form, error)
        return None
    if not changed:
        # A colleague saved the same values while this page was open.
        messages.info(request, "Nothing to save: these settings were already saved.")
        return redirect("clinics:settings")
    saved = "Clinic settings saved."
    if quiet_hours_widened(before, (clinic.quiet_hours_start, clinic.quiet_hours_end)):
        # Times already chosen are not refused again; each one's page flags it.
        saved += (
            " A patient's or program's reminder time inside the new quiet hours is not"
            " sent: their patient pages say so."
        )
    messages.success(request, saved)
    return redirect("clinics:settings")
