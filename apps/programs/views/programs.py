"""Staff pages for programs: the list, a new program, the builder page, schedule, assign.

The builder's forms that htmx does not send (schedule, assign, name and notes, save as a
template) are posted to the builder page itself, ``save`` naming one, so a refusal is
answered at the page's own address: reloading it shows the builder, not an empty 405. The
item forms go to their htmx endpoints (``apps.programs.views.items``).

Every view starts from the user: ``Program.objects.editable_by(user)`` (the clinic's
templates and the programs of patients the user may edit), so another clinic's program, or a
program of another therapist's patient, is a 404; a patient gets 403
(``apps.clinics.access``). Changes are audited by the services, in their transaction; the
views audit only what a page shows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from apps.audit.models import Action
from apps.audit.services import audit_record
from apps.clinics.access import get_for_staff, require_staff
from apps.clinics.models import User
from apps.core.forms import add_service_errors, changed_values
from apps.exercises.selectors import LibraryFilters
from apps.media.presentation import file_urls
from apps.media.selectors import first_media
from apps.patients.models import HipPrecaution, Patient
from apps.programs import assign_services, builder, edit_services, services, staff_selectors
from apps.programs.duplicates import Running, running_for
from apps.programs.forms import (
    AddLadderForm,
    AssignForm,
    DoseForm,
    ProgramDetailsForm,
    ProgramNewForm,
    SaveAsTemplateForm,
    ScheduleForm,
    StartForm,
)
from apps.programs.models import Program
from apps.programs.rows import assign_start, patient_today
from apps.programs.starter_selectors import starter_cards
from apps.programs.starter_services import program_create_from_starter

RECENT_PROGRAMS = 25


def editable_program(user: User, public_id: UUID) -> Program:
    return get_for_staff(user, staff_selectors.programs_for_change(user=user), public_id)


def audit_program_read(request: HttpRequest, program: Program) -> None:
    """Record that a page showed a patient's program; templates hold no patient data."""
    if program.patient is not None:
        audit_record(
            actor=request.user, action=Action.VIEW, patient=program.patient, target=program,
            request=request,
        )  # fmt: skip


@login_required
@require_GET
def program_list(request: HttpRequest) -> HttpResponse:
    user = require_staff(request)
    show_all = request.GET.get("scope") == "all" or user.is_clinic_admin
    templates, recent = staff_selectors.program_list(user=user, everyone=show_all)
    audit_record(actor=user, action=Action.VIEW, detail="program list", request=request)
    context = {
        "templates": templates,
        "recent": recent[:RECENT_PROGRAMS],
        "show_all": show_all,
        "starters": starter_cards(),
    }
    return render(request, "programs/program_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def program_new(request: HttpRequest) -> HttpResponse:
    user = require_staff(request)
    initial = {"patient": request.GET.get("patient"), "template": request.GET.get("template")}
    form = ProgramNewForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            program = _create(request, user, form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("programs:builder", program.public_id)
    status = 400 if form.errors else 200
    context = {"form": form, "starters": starter_cards()}
    return render(request, "programs/program_new.html", context, status=status)


def _create(request: HttpRequest, user: User, data: dict[str, Any]) -> Program:
    starter = data.pop("starter")
    if starter is not None:
        return program_create_from_starter(
            actor=user, starter=starter, name=data["name"], patient=data["patient"],
            precaution_override=data["precaution_override"], client_id=data["client_id"],
            request=request,
        )  # fmt: skip
    return services.program_create(actor=user, **data, request=request)


def item_rows(
    program: Program,
    error_item: UUID | None = None,
    dose_form: Form | None = None,
    in_force: list[HipPrecaution] | None = None,
    running: list[Running] | None = None,
) -> list[builder.ItemRow]:
    """The builder rows, each with its dose form (the submitted one where it had errors)."""
    today = patient_today(program)
    rows = builder.builder_rows(program=program, today=today, in_force=in_force, running=running)
    photos = first_media(
        clinic_id=program.clinic_id, exercise_ids=[r.exercise.pk for r in rows if r.exercise]
    )
    for row in rows:
        photo = photos.get(row.exercise.pk, {}).get("photo") if row.exercise else None
        if photo is not None:
            row.photo_thumb = file_urls(photo)["thumb"]
        item = row.item
        if dose_form is not None and item.public_id == error_item:
            row.form = dose_form
        else:
            row.form = DoseForm.for_item(
                item, reason_covers=not row.not_covered, auto_id=f"id_{item.public_id}_%s"
            )
    return rows


def builder_context(request: HttpRequest, program: Program, **forms: Any) -> dict[str, Any]:
    """Everything the builder page shows; ``forms`` replace the blank ones (with errors)."""
    user = require_staff(request)
    search = builder.search_form(data=request.GET, clinic=program.clinic)
    filters = search.filters() if search.is_valid() else LibraryFilters()
    dose_form, error_item = forms.pop("dose_form", None), forms.pop("error_item", None)
    precautions = builder.precautions(program)
    running = running_for(program)
    rows = item_rows(program, error_item, dose_form, precautions, running)
    context: dict[str, Any] = {
        "program": program,
        "precautions": precautions,
        "rows": rows,
        # Ladders already running for the patient, named before one is added again.
        "running": [r for r in running if r.ladder_id is not None],
        # A ladder added may share an exercise with any of it (apps/programs/duplicates.py).
        "anything_running": bool(running),
        "draft_runs_twice": not program.is_active
        and any(row.also_running or row.shares for row in rows),
        "ladders": builder.ladders_for(user),
        "search": search,
        "searched": filters.narrows,
        "order": filters.ordering_label,
        # A bad search shows its errors, not the whole library as though nothing was asked;
        # a read-only program (its patient archived) shows no library to add from.
        "results": []
        if search.errors or program.patient_archived
        else builder.search_results(
            user=user,
            filters=filters,
            clinic=program.clinic,
            precautions=precautions,
            running=running,
        ),
        "ladder_form": AddLadderForm(),
        "details_form": ProgramDetailsForm.for_program(program),
        "schedule_form": schedule_form(program),
        "template_form": template_form(initial={"name": program.name}),
        "weekdays": builder.weekday_summary(program),
        "assign_form": assign_form(request, program, user),
    }
    return context | forms


def schedule_form(program: Program, data: Any = None) -> ScheduleForm:
    initial = {
        "weekdays": [str(day) for day in program.weekday_numbers],
        "start_date": program.start_date,
        "end_date": program.end_date,
        "reminder_time": program.reminder_time,
    }
    # Its own ids: the Start form and the Add-a-ladder card draw fields of the same names
    # (dates, and the box to confirm a duplicate) on the same page.
    return ScheduleForm(data, initial=initial, auto_id="id_schedule_%s")


# Ids of their own for the forms that share field names with others on the builder (the
# template's name and the program's, the reason to override on Assign and on the ladder card,
# every form's client id): a label names the first field with its id, so a repeated id left
# the second field with no name and sent a click on its label to another form.
ASSIGN_IDS = "id_assign_%s"


def template_form(data: Any = None, **kwargs: Any) -> SaveAsTemplateForm:
    return SaveAsTemplateForm(data, auto_id="id_template_%s", **kwargs)


def assign_form(
    request: HttpRequest, program: Program, user: User, data: Any = None
) -> Form | None:
    """Start form for a patient's draft, assign form for a template, else None. The start
    form shows the dates saved under Schedule, so assigning as drawn keeps them. A Start
    sent to a program already started still reaches the service: a double click finds the
    program the first one started (``apps.core.once``), anything else is told it is assigned."""
    if program.patient is not None and (not program.is_active or data is not None):
        start = assign_start(program=program, patient=program.patient)
        initial = {"start_date": start, "end_date": program.end_date}
        return StartForm(data, initial=initial, auto_id=ASSIGN_IDS)
    if program.is_template:
        chosen = {"patient": request.GET.get("assign_to")}
        return AssignForm(data, user=user, initial=chosen, auto_id=ASSIGN_IDS)
    return None


def render_builder(
    request: HttpRequest, program: Program, status: int = 200, **forms: Any
) -> HttpResponse:
    context = builder_context(request, program, **forms)
    return render(request, "programs/builder.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def program_builder(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The page, and its forms posted to it (``SAVES``, named by ``save``)."""
    user = require_staff(request)
    if request.method == "POST":
        return _save(request, user, public_id)
    program = editable_program(user, public_id)
    audit_program_read(request, program)
    context = builder_context(request, program)
    # A bad search (the library's filters, sent without JavaScript) is a 400, as on the
    # library page and the builder's own search.
    status = 400 if context["search"].errors else 200
    return render(request, "programs/builder.html", context, status=status)


def _save(request: HttpRequest, user: User, public_id: UUID) -> HttpResponse:
    save = SAVES.get(request.POST.get("save", ""))
    if save is not None:
        return save(request, public_id)
    program = editable_program(user, public_id)
    messages.error(request, "The page could not tell what to save. Reload it and try again.")
    return render_builder(request, program, status=400)


def _details(request: HttpRequest, public_id: UUID) -> HttpResponse:
    user = require_staff(request)
    program = editable_program(user, public_id)
    form = ProgramDetailsForm.for_program(program, request.POST)
    if form.is_valid():
        if not (changes := changed_values(form)):
            messages.info(request, "Nothing to save: the name and notes are as they were.")
            return redirect("programs:builder", program.public_id)
        try:
            # Only what this person changed: a colleague's edit of the other field, saved
            # while this page was open, is kept.
            _, changed = edit_services.program_edit_changed(
                actor=user, program=program, changes=changes, request=request
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if changed:
                messages.success(request, "Program details saved.")
            else:
                messages.info(request, "Nothing to save: these details were already saved.")
            return redirect("programs:builder", program.public_id)
    return render_builder(request, program, status=400, details_form=form)


def _schedule(request: HttpRequest, public_id: UUID) -> HttpResponse:
    user = require_staff(request)
    program = editable_program(user, public_id)
    form = schedule_form(program, request.POST)
    saved = program
    if form.is_valid():
        data = form.cleaned_data
        try:
            saved = edit_services.program_schedule_update(
                actor=user, program=program, weekdays=form.weekday_numbers(),
                start_date=data["start_date"], end_date=data["end_date"],
                reminder_time=data["reminder_time"],
                confirm_duplicate_ladder=data["confirm_duplicate_ladder"], request=request,
            )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
    if form.errors:
        return render_builder(request, program, status=400, schedule_form=form)
    messages.success(request, _schedule_message(program, saved))
    return redirect("programs:builder", saved.public_id)


def _schedule_message(program: Program, saved: Program) -> str:
    if saved.pk == program.pk:
        return "Schedule saved."
    return "New exercise days from today. Days already past keep their old schedule."


def _save_as_template(request: HttpRequest, public_id: UUID) -> HttpResponse:
    user = require_staff(request)
    program = editable_program(user, public_id)
    form = template_form(request.POST)
    if form.is_valid():
        try:
            template = services.program_save_as_template(
                actor=user, program=program, **form.cleaned_data, request=request
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Saved as the clinic template “{template.name}”.")
            return redirect("programs:builder", template.public_id)
    return render_builder(request, program, status=400, template_form=form)


def _assign_page(request: HttpRequest, public_id: UUID) -> HttpResponse:
    user = require_staff(request)
    program = editable_program(user, public_id)
    form = assign_form(request, program, user, request.POST)
    if form is None:
        raise Http404
    if form.is_valid():
        patient = form.cleaned_data.get("patient") or program.patient
        if patient is None:
            raise Http404
        try:
            assigned = _assign(request, user, program, patient, form)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"“{assigned.name}” assigned to {patient.full_name}.")
            return redirect("patients:detail", patient.public_id)
    return render_builder(request, program, status=400, assign_form=form)


def _assign(
    request: HttpRequest, user: User, program: Program, patient: Patient, form: Form
) -> Program:
    return assign_services.program_assign(
        actor=user,
        program=program,
        patient=patient,
        start_date=form.cleaned_data["start_date"],
        end_date=form.cleaned_data["end_date"],
        precaution_override=form.cleaned_data["precaution_override"],
        confirm_duplicate_ladder=form.cleaned_data["confirm_duplicate_ladder"],
        client_id=form.cleaned_data.get("client_id"),
        request=request,
    )


SAVES: dict[str, Callable[[HttpRequest, UUID], HttpResponse]] = {
    "schedule": _schedule,
    "assign": _assign_page,
    "details": _details,
    "template": _save_as_template,
}
