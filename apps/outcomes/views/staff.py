"""Staff pages: a patient's outcome measures (trends, scheduling per program, progress
reports, the monitoring time log). Objects come through ``apps.outcomes.access``."""

from __future__ import annotations

from collections.abc import Callable, Container
from typing import Any
from uuid import UUID, uuid4

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from apps.audit.models import Action
from apps.audit.services import audit_record
from apps.core.forms import add_service_errors
from apps.core.once import key_for
from apps.outcomes import (
    access,
    monitoring_selectors,
    monitoring_services,
    report_selectors,
    selectors,
    services,
)
from apps.outcomes.forms import MeasuresForm, ReportForm, TimeEntryForm
from apps.outcomes.instruments import DEFAULT_MEASURES, INSTRUMENTS, instrument
from apps.outcomes.report_pdf import report_pdf
from apps.patients.models import Patient
from apps.patients.selectors import patient_can_edit
from apps.programs.models import Program


def _programs(
    patient: Patient, loaded: Container[str], refused: MeasuresForm | None = None
) -> list[tuple[Program, MeasuresForm, list[str]]]:
    """Each program with its measures form (``refused``, a posted form with its errors, in
    its program's place) and the measures scheduled now. A licensed measure whose wording the
    clinic has not ``loaded`` cannot be ticked, unless it is scheduled already: a box left out
    of the post would end it unseen."""
    not_loaded = [
        spec.code.value
        for spec in INSTRUMENTS.values()
        if spec.licensed and spec.code.value not in loaded
    ]
    rows = []
    for program, plans in selectors.patient_measure_plans(patient=patient):
        unavailable = [code for code in not_loaded if code not in {p.instrument for p in plans}]
        # Nothing scheduled yet: the defaults (NPRS and PSFS) are ticked, ready to save.
        chosen = [p.instrument for p in plans] or [code.value for code in DEFAULT_MEASURES]
        initial: dict[str, Any] = {"instruments": chosen}
        if plans:
            first = plans[0]
            initial |= {"interval_days": first.interval_days, "at_start": first.at_start,
                        "at_end": first.at_end}  # fmt: skip
        form = MeasuresForm(initial=initial, prefix=str(program.public_id))
        if refused is not None and refused.prefix == form.prefix:
            form = refused
        form.hold_back(unavailable)
        rows.append((program, form, [instrument(p.instrument).short for p in plans]))
    return rows


def _page(
    request: HttpRequest, patient: Patient, status: int | None = None, **forms: Any
) -> HttpResponse:
    wordings = selectors.wordings(clinic_id=patient.clinic_id)
    context = {
        "patient": patient,
        "programs": _programs(patient, wordings, forms.get("measures_form")),
        "drafts": selectors.patient_drafts(patient=patient),
        "reports": selectors.recent_reports(patient=patient, limit=10),
        "report_form": forms.get("report_form") or ReportForm(),
        "monitoring": monitoring_selectors.monitoring_enabled(clinic_id=patient.clinic_id),
        "time_form": forms.get("time_form")
        or TimeEntryForm(initial={"on": patient.local_today(), "client_id": uuid4()}),
        "time_entries": monitoring_selectors.time_entries(patient=patient, limit=20),
        "wordings": wordings,
        # An archived patient's measures are shown read-only, with Restore for those who
        # may change the patient (a colleague's patient is only read here).
        "can_restore": patient.archived_at is not None
        and patient_can_edit(user=access.staff(request.user), patient=patient),
    }
    if status is None:
        status = 400 if forms else 200
    return render(request, "outcomes/patient_outcomes.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def patient_outcomes(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The page, and its forms: each is posted here, ``save`` naming it, so that a refusal
    is answered at the page's own address (reloading it shows the page, not an empty 405)."""
    if request.method == "POST":
        save = SAVES.get(request.POST.get("save", ""))
        if save is None:
            patient = access.patient_visible(request.user, public_id)
            messages.error(
                request, "The page could not tell what to save. Reload it and try again."
            )
            return _page(request, patient, status=400)
        return save(request, public_id)
    patient = access.patient_visible(request.user, public_id)
    audit_record(
        actor=request.user, action=Action.VIEW, patient=patient, target=patient,
        detail="outcome measures", request=request,
    )  # fmt: skip
    return _page(request, patient)


def _back(patient: Patient) -> HttpResponse:
    return redirect(reverse("outcomes:patient", args=[patient.public_id]))


def _measures_save(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Schedule the measures of the patient's program named by ``program``."""
    user = access.staff(request.user)
    patient = access.patient_visible(user, public_id)
    program = access.program_editable(user, request.POST.get("program", ""))
    if program.patient_id != patient.pk:
        raise Http404
    assert program.patient is not None
    form = MeasuresForm(request.POST, prefix=str(program.public_id))
    if form.is_valid():
        try:
            services.measures_set(user=user, program=program, request=request, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
    if form.errors:
        # A draft has no form on the page, nor has an archived patient's program (the
        # service read the patient again under its lock): say it at the top.
        if not program.is_active or program.patient_archived:
            for message in form.non_field_errors():
                messages.error(request, str(message))
        return _page(request, program.patient, measures_form=form)
    messages.success(request, f"Outcome measures saved for {program.name}.")
    return _back(program.patient)


def _report_make(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """One click from the patient's page: freeze the report and download its PDF."""
    user = access.staff(request.user)
    patient = access.patient_editable(user, public_id)
    form = ReportForm(request.POST)
    if not form.is_valid():
        return _page(request, patient, report_form=form)
    note = form.cleaned_data["note"]
    # The answer is a download, so the page and its key stay: the key is the form's and the
    # note's, and a new note sent from the same page freezes a new report.
    key = key_for(form.cleaned_data["client_id"], note.strip())
    data = report_selectors.report_data(patient=patient, author=user, note=note)
    try:
        report = services.report_create(
            user=user, patient=patient, note=note, data=data, client_id=key, request=request
        )
    except ValidationError as exc:  # the key of another patient's report (a tampered form)
        add_service_errors(form, exc)
        return _page(request, patient, report_form=form)
    return redirect(reverse("outcomes:report-pdf", args=[report.public_id]))


@login_required
@require_GET
def report_download(request: HttpRequest, public_id: UUID) -> HttpResponse:
    report = access.report_visible(request.user, public_id)
    audit_record(
        actor=request.user, action=Action.EXPORT, patient=report.patient, target=report,
        detail="progress report PDF", request=request,
    )  # fmt: skip
    response = HttpResponse(report_pdf(report.data), content_type="application/pdf")
    name = f"progress-report-{report.created_at:%Y-%m-%d}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    # Health data: no browser or proxy keeps a copy (as the adherence exports).
    response["Cache-Control"] = "no-store"
    return response


def _time_entry_save(request: HttpRequest, public_id: UUID) -> HttpResponse:
    user = access.staff(request.user)
    patient = access.patient_editable(user, public_id)
    form = TimeEntryForm(request.POST)
    if form.is_valid():
        try:
            monitoring_services.time_entry_add(
                user=user, patient=patient, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
    if form.errors:
        return _page(request, patient, time_form=form)
    messages.success(request, "Time logged.")
    return _back(patient)


SAVES: dict[str, Callable[[HttpRequest, UUID], HttpResponse]] = {
    "measures": _measures_save,
    "report": _report_make,
    "time": _time_entry_save,
}
