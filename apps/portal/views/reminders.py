"""The patient's reminder settings and time zone: on or off, the time of day (journey 4:
reminders at the patient's chosen local time), and the zone their day follows (travelling,
moving). The page's script offers the phone's own zone when it differs (``reminders.js``);
without JavaScript the select alone does it."""

from __future__ import annotations

from datetime import time

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import dateformat
from django.views.decorators.http import require_http_methods

from apps.clinics.models import Clinic
from apps.core.forms import add_service_errors, changed_values, show_values_drawn
from apps.patients.auth import patient_login_required
from apps.patients.models import Patient
from apps.patients.reminder_choice import patient_reminders_change
from apps.portal.forms import ReminderChoiceForm
from apps.portal.views.today import patient_for
from apps.programs.reminder_selectors import ProgramReminderTime, program_reminder_times


@patient_login_required
@require_http_methods(["GET", "POST"])
def reminders(request: HttpRequest) -> HttpResponse:
    patient = patient_for(request)
    clinic = patient.clinic
    form = _reminder_form(request, patient, clinic)
    if request.method == "POST" and form.is_valid():
        saved = _save(request, patient, form)
        if saved is not None:
            return saved
    context = {
        "patient": patient,
        "form": form,
        # A time of theirs that the clinic's quiet hours have come to cover since they chose it.
        "quiet_now": request.method == "GET"
        and patient.reminders_enabled
        and patient.reminder_time is not None
        and clinic.is_quiet_at(patient.reminder_time),
        "channel": patient.get_reminder_channel_display().lower(),
        "address": patient.reminder_address,
        "local_now": patient.local_now(),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "portal/reminders.html", context, status=status)


def _reminder_form(request: HttpRequest, patient: Patient, clinic: Clinic) -> ReminderChoiceForm:
    """The page's form, bound to what was posted, each field marked with the value it showed."""
    initial = {
        "reminders_enabled": patient.reminders_enabled,
        "reminder_time": patient.reminder_time,
        "time_zone": patient.time_zone,
    }
    program_times = program_reminder_times(patient=patient, today=patient.local_today())
    form = ReminderChoiceForm(
        request.POST or None,
        initial=initial,
        usual_time=_usual_time(program_times, clinic.default_reminder_time),
        quiet_hours=_quiet_hours(clinic),
        time_zone=patient.time_zone,
    )
    # Each field carries the value it showed: only what the patient changed is saved, so a
    # change made meanwhile (reminders stopped from the email, the clinic's edit) is kept.
    show_values_drawn(form)
    return form


def _save(request: HttpRequest, patient: Patient, form: ReminderChoiceForm) -> HttpResponse | None:
    """Save what the patient changed in the valid ``form`` and go back to the page with what
    now applies; None, with the service's errors on ``form``, when it is refused."""
    zone_before = patient.time_zone
    changes = changed_values(form)
    if not changes.get("time_zone", True):
        del changes["time_zone"]  # left out (a page from before the field): kept
    try:
        changed = patient_reminders_change(patient=patient, changes=changes, request=request)
    except ValidationError as error:
        add_service_errors(form, error)
        return None
    moved = patient.time_zone != zone_before
    said = "Saved." if changed else "Nothing to save: you changed nothing."
    messages.success(request, f"{said} {_summary(patient, moved=moved)}")
    return redirect("patients:reminders")


def _summary(patient: Patient, *, moved: bool) -> str:
    zone = f"Your time zone is now {patient.time_zone}: your day follows it. " if moved else ""
    if not patient.reminders_enabled:
        return zone + "You will not get reminders."
    if patient.reminder_time is None:
        return zone + "Reminders come at the usual time on your exercise days."
    return zone + f"Reminders come at {patient.reminder_time:%H:%M} on your exercise days."


def _usual_time(program_times: list[ProgramReminderTime], clinic_time: time) -> str:
    """What applies without a time of the patient's own, in words."""
    if not program_times:
        return f"your clinic's usual time, {clinic_time:%H:%M}"
    named = "; ".join(_program_time(p) for p in program_times)
    return f"the time your therapist set: {named}; on other days {clinic_time:%H:%M}"


def _program_time(program: ProgramReminderTime) -> str:
    days = "every day" if program.days == "Every day" else program.days
    said = (
        f"{program.reminder_time:%H:%M} on the days of your program "
        f"\u201c{program.program_name}\u201d ({days})"
    )
    if program.resumes_on is None:
        return said
    # Its days before then have nothing to do (Today shows its exercises on hold): no
    # reminder comes for it on them.
    resumes = dateformat.format(program.resumes_on, "l j F")
    return f"{said} from {resumes}, when its exercises come off hold"


def _quiet_hours(clinic: Clinic) -> str:
    if clinic.quiet_hours_start == clinic.quiet_hours_end:
        return ""
    return f"{clinic.quiet_hours_start:%H:%M} and {clinic.quiet_hours_end:%H:%M}"
