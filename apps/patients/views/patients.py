"""Staff pages about patients: list, create, edit, detail, personal link, archive and restore.

The changes that can be refused (emailing or renewing the link, restoring, setting or ending
hip precautions) are posted to the patient page itself, ``change`` naming one, so a refusal
is answered at the page's own address: reloading it shows the page, not an empty 405.
Revoking the link and archiving always end in a redirect, so they keep addresses of their own.

Every query starts from the user. Staff see their clinic's patients
(``Patient.objects.visible_to``); changes and the personal link need
``Patient.objects.editable_by`` (a therapist's own patients, any for a clinic admin), so
another therapist's patient is a 404 for those, exactly like another clinic's patient.
Patients never reach these pages (403): ``apps.clinics.access``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.audit.models import Action
from apps.audit.services import audit_record
from apps.clinics.access import get_for_staff, require_staff
from apps.clinics.models import User
from apps.core.forms import add_service_errors
from apps.patients import archive_services, auth, selectors, services
from apps.patients.forms import PatientForm, PatientSearchForm, RestoreForm
from apps.patients.models import Patient
from apps.patients.views import precautions
from apps.patients.views.page import detail_page, patient_page_again

PAGE_SIZE = 50

logger = logging.getLogger(__name__)


def _editable(user: User, public_id: UUID) -> Patient:
    return get_for_staff(user, selectors.patient_for_change(user=user), public_id)


def _audit(request: HttpRequest, action: Action, patient: Patient, detail: str = "") -> None:
    audit_record(
        actor=request.user, action=action, patient=patient, target=patient, detail=detail,
        request=request,
    )  # fmt: skip


@login_required
@require_GET
def patient_list(request: HttpRequest) -> HttpResponse:
    user = require_staff(request)
    form = PatientSearchForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    query, everyone = data.get("q", ""), data.get("scope") == "all"
    archived = data.get("status") == "archived"
    rows = selectors.patient_rows(user, query=query, everyone=everyone, archived=archived)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    detail = "archived patient list" if archived else "patient list"
    audit_record(actor=user, action=Action.VIEW, detail=detail, request=request)
    context = {
        "page": page, "form": form, "query": query, "everyone": everyone, "archived": archived,
    }  # fmt: skip
    return render(request, "patients/patient_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def patient_create(request: HttpRequest) -> HttpResponse:
    user = require_staff(request)
    initial = {"time_zone": user.clinic.time_zone if user.clinic else "", "reminders_enabled": True}
    form = PatientForm(request.POST or None, user=user, initial=initial | {"therapist": user.pk})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data | {"therapist": form.cleaned_data.get("therapist") or user}
        try:
            patient = services.patient_create(**data, actor=user, request=request)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{patient.full_name} added.")
            return _after_create(request, patient)
    status = 400 if form.errors else 200
    context = {"form": form, "template": request.GET.get("template", "")}
    return render(request, "patients/patient_form.html", context, status=status)


def _after_create(request: HttpRequest, patient: Patient) -> HttpResponse:
    """Back to the template being assigned (``?template=``), else to the new patient."""
    template = request.GET.get("template", "")
    try:
        template_id = UUID(template)
    except ValueError:
        return redirect("patients:detail", patient.public_id)
    url = reverse("programs:builder", args=[template_id])
    return redirect(f"{url}?assign_to={patient.public_id}#assign-heading")


@login_required
@require_http_methods(["GET", "POST"])
def patient_edit(request: HttpRequest, public_id: UUID) -> HttpResponse:
    user = require_staff(request)
    patient = _editable(user, public_id)
    initial = PatientForm.initial_for(patient)
    form = PatientForm(request.POST or None, user=user, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        if not (changes := form.changes()):
            messages.info(request, "Nothing to save: no detail was changed.")
            return redirect("patients:detail", patient.public_id)
        try:
            changed = services.patient_update_partial(
                patient=patient, changes=changes, actor=user, request=request
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if changed:
                messages.success(request, "Patient details saved.")
            else:
                # A colleague (or the patient) saved the same values while the form was open.
                messages.info(request, "Nothing to save: these details were already saved.")
            return redirect("patients:detail", patient.public_id)
    if request.method == "GET":
        _audit(request, Action.VIEW, patient)  # the form shows the patient's profile
    status = 400 if form.errors else 200
    context = {"form": form, "patient": patient}
    return render(request, "patients/patient_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def patient_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The page, and the changes posted to it (``CHANGES``, named by ``change``)."""
    user = require_staff(request)
    if request.method == "POST":
        return _change(request, user, public_id)
    patient = get_for_staff(user, selectors.patient_for_page(user=user), public_id)
    _audit(request, Action.VIEW, patient)
    return detail_page(request, patient)


def _change(request: HttpRequest, user: User, public_id: UUID) -> HttpResponse:
    change = CHANGES.get(request.POST.get("change", ""))
    if change is not None:
        return change(request, public_id)
    patient = get_for_staff(user, selectors.patient_for_page(user=user), public_id)
    messages.error(request, "The page could not tell what to change. Reload it and try again.")
    return detail_page(request, patient, status=400)


def _link_email(request: HttpRequest, public_id: UUID) -> HttpResponse:
    user = require_staff(request)
    patient = _editable(user, public_id)
    link_url = auth.personal_link_url(patient)
    try:
        services.patient_link_email_send(
            patient=patient, link_url=link_url, actor=user, request=request
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return patient_page_again(patient, status=400, request=request)
    except OSError:  # the mail server refused or timed out (smtplib's errors are OSErrors)
        logger.warning("personal link email for patient %s not sent", patient.pk, exc_info=True)
        messages.error(
            request,
            "The link could not be sent: the mail server did not answer. Nothing was recorded; "
            "try again in a few minutes, or print the handout with its QR code.",
        )
        return patient_page_again(patient, status=503, request=request)
    messages.success(request, f"Link sent to {patient.email}.")
    return redirect("patients:detail", patient.public_id)


def _link_renew(request: HttpRequest, public_id: UUID) -> HttpResponse:
    user = require_staff(request)
    patient = _editable(user, public_id)
    try:
        auth.personal_link_renew(patient=patient, actor=user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return patient_page_again(patient, status=400, request=request)
    messages.success(request, "New link issued: the old link and signed-in phones stop working.")
    return redirect("patients:detail", patient.public_id)


@login_required
@require_POST
def patient_link_revoke(request: HttpRequest, public_id: UUID) -> HttpResponse:
    user = require_staff(request)
    patient = _editable(user, public_id)
    auth.personal_link_revoke(patient=patient, actor=user, request=request)
    messages.success(request, "Link revoked: the patient is signed out until you renew it.")
    return redirect("patients:detail", patient.public_id)


@login_required
@require_POST
def patient_archive(request: HttpRequest, public_id: UUID) -> HttpResponse:
    user = require_staff(request)
    patient = _editable(user, public_id)
    if archive_services.patient_archive(patient=patient, actor=user, request=request):
        messages.success(
            request, f"{patient.full_name} archived: they are signed out and get no reminders."
        )
    else:
        messages.info(request, f"{patient.full_name} was already archived.")
    return redirect("patients:detail", patient.public_id)


def _restore(request: HttpRequest, public_id: UUID) -> HttpResponse:
    user = require_staff(request)
    patient = _editable(user, public_id)
    form = RestoreForm(request.POST, user=user, patient=patient)
    if form.is_valid():
        therapist = form.cleaned_data.get("therapist")
        try:
            changed = archive_services.patient_restore(
                patient=patient, actor=user, therapist=therapist, request=request
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            _restored_message(request, patient, changed=changed, moved=therapist is not None)
            return redirect("patients:detail", patient.public_id)
    return detail_page(request, patient, status=400, restore_form=form)


def _restored_message(
    request: HttpRequest, patient: Patient, *, changed: bool, moved: bool
) -> None:
    if not changed:
        messages.info(request, f"{patient.full_name} was not archived.")
    elif moved:
        messages.success(
            request, f"{patient.full_name} restored, looked after by {patient.therapist} from now."
        )
    else:
        messages.success(request, f"{patient.full_name} restored.")


CHANGES: dict[str, Callable[[HttpRequest, UUID], HttpResponse]] = {
    "email-link": _link_email,
    "renew-link": _link_renew,
    "restore": _restore,
    "set-precautions": precautions.precautions_set,
    "end-precautions": precautions.precautions_end,
}
