"""The therapist's inbox (prompts, pain alerts), reminder records, and the opt-out page.

A decision on a prompt is posted (htmx) to an address of its own, which answers with the
prompt's card; without JavaScript a refusal is the prompt's page at that address, and a GET
of it (reloaded, from the history) leads back to the inbox at the prompt's card
(``post_only``). Marking an alert seen always ends in the card or a redirect."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.audit.models import Action
from apps.audit.services import audit_record
from apps.clinics.access import get_for_staff, require_staff
from apps.clinics.models import User
from apps.core.forms import add_service_errors
from apps.core.post_only import post_only
from apps.notifications import links, selectors, services
from apps.notifications.forms import ApproveForm, DeclineForm, SnoozeForm
from apps.patients.models import Patient
from apps.programs import prompt_decisions
from apps.programs.models import ProgressionPrompt

REMINDERS_SHOWN = 200


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    user = require_staff(request)
    data = selectors.inbox_for(user=user, today=selectors.clinic_today(user))
    audit_record(actor=user, action=Action.VIEW, detail="inbox", request=request)
    return render(request, "notifications/inbox.html", {"inbox": data})


def _prompt_or_404(user: User, public_id: str) -> ProgressionPrompt:
    return get_for_staff(user, selectors.prompts_for_staff(user), public_id)


def _prompt_in_inbox(request: HttpRequest, public_id: str) -> str:
    """The inbox at the prompt's card: the page whose forms decide it."""
    prompt = _prompt_or_404(require_staff(request), str(public_id))
    return f"{reverse('notifications:inbox')}#prompt-{prompt.public_id}"


def _decide(
    request: HttpRequest,
    public_id: str,
    form_class: type[forms.Form],
    act: Callable[[ProgressionPrompt, User, dict[str, Any]], object],
    done: str,
) -> HttpResponse:
    """Parse the form, call one progression service, answer with the updated card (htmx) or
    a redirect; bad input is a 400 that shows the message on the card."""
    user = require_staff(request)
    prompt = _prompt_or_404(user, public_id)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            act(prompt, user, form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
    if form.errors:
        return _card(request, prompt, errors=form, status=400)
    if _is_htmx(request):
        return _card(request, prompt)
    messages.success(request, done)
    return redirect("notifications:inbox")


def _card(
    request: HttpRequest,
    prompt: ProgressionPrompt,
    errors: forms.Form | None = None,
    status: int = 200,
) -> HttpResponse:
    prompt = _prompt_or_404(cast(User, request.user), str(prompt.public_id))
    context = {"card": selectors.prompt_cards([prompt])[0], "errors": errors}
    template = "notifications/_prompt_card.html"
    if not _is_htmx(request):
        template = "notifications/prompt_page.html"
    return render(request, template, context, status=status)


@login_required
@post_only(_prompt_in_inbox)
def prompt_approve(request: HttpRequest, public_id: str) -> HttpResponse:
    def act(prompt: ProgressionPrompt, user: User, data: dict[str, Any]) -> object:
        return prompt_decisions.prompt_approve(
            prompt=prompt,
            user=user,
            note=data["note"],
            override_reason=data["override_reason"],
            precaution_override=data["precaution_override"],
            confirm_duplicate_ladder=data["confirm_duplicate_ladder"],
            request=request,
        )

    return _decide(request, public_id, ApproveForm, act, "Approved: the new level starts tomorrow.")


@login_required
@post_only(_prompt_in_inbox)
def prompt_decline(request: HttpRequest, public_id: str) -> HttpResponse:
    def act(prompt: ProgressionPrompt, user: User, data: dict[str, Any]) -> object:
        return prompt_decisions.prompt_decline(
            prompt=prompt, user=user, reason=data["reason"], request=request
        )

    return _decide(request, public_id, DeclineForm, act, "Declined: the level stays the same.")


@login_required
@post_only(_prompt_in_inbox)
def prompt_snooze(request: HttpRequest, public_id: str) -> HttpResponse:
    def act(prompt: ProgressionPrompt, user: User, data: dict[str, Any]) -> object:
        return prompt_decisions.prompt_snooze(
            prompt=prompt, user=user, until=data["until"], request=request
        )

    return _decide(request, public_id, SnoozeForm, act, "Snoozed.")


@login_required
@require_POST
def alert_acknowledge(request: HttpRequest, public_id: str) -> HttpResponse:
    user = require_staff(request)
    alert = get_for_staff(user, selectors.alerts_for_staff(user=user), public_id)
    services.pain_alert_acknowledge(alert=alert, user=user, request=request)
    if _is_htmx(request):
        return render(request, "notifications/_alert_seen.html", {"alert": alert})
    messages.success(request, "Marked as seen.")
    return redirect("notifications:inbox")


@login_required
@require_GET
def reminder_list(request: HttpRequest) -> HttpResponse:
    user = require_staff(request)
    patient = None
    if request.GET.get("patient"):
        patient = get_for_staff(user, Patient.objects.editable_by(user), request.GET["patient"])
    reminders = selectors.reminders_for_staff(user=user, patient=patient)[:REMINDERS_SHOWN]
    audit_record(
        actor=user, action=Action.VIEW, patient=patient, detail="reminders", request=request
    )
    context = {"reminders": reminders, "patient": patient}
    return render(request, "notifications/reminder_list.html", context)


@never_cache
@csrf_exempt  # one-click opt-out (RFC 8058): mail clients POST without a session or token;
# the signed link is the credential, and it can only ever turn reminders off.
@require_http_methods(["GET", "POST"])
def reminders_opt_out(request: HttpRequest, token: str) -> HttpResponse:
    patient = links.patient_for_opt_out(token)
    if patient is None or patient.archived_at is not None:
        return render(request, "notifications/opt_out_invalid.html", status=404)
    if request.method == "GET":
        return render(request, "notifications/opt_out_confirm.html", {"token": token})
    services.patient_reminders_opt_out(patient=patient, request=request)
    return render(request, "notifications/opt_out_done.html")
