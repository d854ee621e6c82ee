"""Changing a ladder item's level by hand, with a reason the patient sees (the page; the
API endpoint is ``apps/programs/api/level.py``)."""

from __future__ import annotations

from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from apps.audit.models import Action
from apps.audit.services import audit_record
from apps.clinics.access import require_staff
from apps.core.forms import add_service_errors
from apps.programs import staff_selectors
from apps.programs.forms import confirm_duplicate_field, override_field
from apps.programs.levels import REASON_MAX
from apps.programs.prompt_decisions import item_level_set
from apps.programs.staff_selectors import ladder_item_for_staff
from apps.programs.views.programs import editable_program


class LevelForm(forms.Form):
    level = forms.IntegerField(label="New level", min_value=1)
    reason = forms.CharField(
        label="Reason (the patient sees it)",
        max_length=REASON_MAX,
        error_messages={"required": "Say why: the patient sees this reason."},
    )
    precaution_override = override_field()
    # Drawn once refused: the level's exercise is one the patient already does elsewhere.
    confirm_duplicate_ladder = confirm_duplicate_field()


@login_required
@require_http_methods(["GET", "POST"])
def item_level(request: HttpRequest, public_id: UUID, item_id: UUID) -> HttpResponse:
    user = require_staff(request)
    program = editable_program(user, public_id)
    item = ladder_item_for_staff(user=user, program=program, public_id=item_id)
    form = LevelForm(request.POST or None, initial={"level": item.current_level})
    if request.method == "POST" and form.is_valid():
        try:
            change = item_level_set(item=item, user=user, **form.cleaned_data, request=request)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, f"Level {change.to_level} from {change.effective_on:%A %-d %B}."
            )
            return redirect(reverse("programs:builder", args=[program.public_id]) + "#items")
    if request.method == "GET":  # the page shows the patient's level: a read to audit
        audit_record(
            actor=user, action=Action.VIEW, patient=program.patient, target=item, request=request
        )
    levels = staff_selectors.ladder_item_levels(item=item)
    assert program.patient is not None  # a ladder item with levels is a patient's program
    today = program.patient.local_today()
    # A change already made takes effect on the patient's next day: until then the patient
    # is on the level before it, and the page says both.
    context = {
        "program": program, "item": item, "form": form, "levels": levels,
        "today_level": item.level_on(today),
        "pending_from": item.level_since if item.level_since and item.level_since > today else None,
        "draft": not program.is_active,
    }  # fmt: skip
    status = 400 if request.method == "POST" else 200
    return render(request, "programs/item_level.html", context, status=status)
