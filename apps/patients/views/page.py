"""The staff's patient page as drawn, for its view and for the changes posted to it
(``apps.patients.views.patients``, ``apps.patients.views.precautions``) and pages that answer
a refusal with it (the handout)."""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from apps.clinics.models import User
from apps.patients import selectors
from apps.patients.forms import PrecautionAddForm, RestoreForm
from apps.patients.models import Patient
from apps.patients.panels import patient_panels


def detail_page(
    request: HttpRequest, patient: Patient, status: int = 200, **extra: Any
) -> HttpResponse:
    """The patient page; ``extra`` replaces parts of it (a precautions form with errors)."""
    user = cast(User, request.user)
    today = patient.local_today()
    programs = list(selectors.patient_programs(patient=patient))
    for program in programs:
        program.reminder_is_quiet = bool(
            program.reminder_time and patient.clinic.is_quiet_at(program.reminder_time)
        )
    context: dict[str, Any] = {
        "patient": patient,
        "programs": programs,
        # Without a time of their own, a program (assigned, not ended) that sets one decides
        # on its days; with one, the staff are told it comes first.
        "a_program_sets_the_time": any(
            p.is_active and p.reminder_time and (p.end_date is None or p.end_date >= today)
            for p in programs
        ),
        # A time the clinic's quiet hours now cover (they were widened after it was set) is
        # never reminded at: say so, rather than let reminders stop without a word.
        "quiet_time_note": patient.reminders_enabled
        and patient.clinic.quiet_reminder_time_error(patient.reminder_time),
        "can_edit": (can_edit := selectors.patient_can_edit(user=user, patient=patient)),
        "restore_form": (
            RestoreForm(user=user, patient=patient) if can_edit and patient.archived_at else None
        ),
        # What higher layers add (the outcome measures link and progress report button).
        "panels": patient_panels(request, patient),
        "all_precautions": (every := selectors.precautions_of(patient=patient)),
        "precautions": [p for p in every if p.is_in_force(today)],
        # No approach is chosen for the therapist: precautions are never assumed
        # (CLINICAL.md), so the surgeon's approach must be picked on purpose.
        "precaution_form": PrecautionAddForm(prefix="precaution", initial={"starts_on": today}),
        "today": today,
    }
    return render(request, "patients/patient_detail.html", context | extra, status=status)


def patient_page_again(patient: Patient, *, status: int, request: HttpRequest) -> HttpResponse:
    """The detail page again, with the message just added, and an error status."""
    return detail_page(request, patient, status=status)
