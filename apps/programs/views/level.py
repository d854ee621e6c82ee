"""Changing a ladder item's level by hand, with a reason the patient sees (page and API)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from apps.audit.models import Action
from apps.audit.services import audit_record
from apps.clinics.models import User
from apps.core.api import service_error
from apps.core.forms import add_service_errors
from apps.exercises.models import LadderLevel
from apps.programs import services
from apps.programs.models import LevelChange, Program, ProgramItem
from apps.programs.progression import REASON_MAX, item_level_set
from apps.programs.views.programs import editable_program, staff_user


class LevelForm(forms.Form):
    level = forms.IntegerField(label="New level", min_value=1)
    reason = forms.CharField(
        label="Reason (the patient sees it)",
        max_length=REASON_MAX,
        error_messages={"required": "Say why: the patient sees this reason."},
    )


def _ladder_item(program: Program, item_id: UUID) -> ProgramItem:
    current = program.items.current(on=services.patient_today(program)).select_related("ladder")
    item = get_object_or_404(current, public_id=item_id)
    if item.ladder_id is None or program.patient is None:
        raise Http404
    return item


def _audit(request: Any, program: Program, item: ProgramItem, change: LevelChange) -> None:
    audit_record(
        actor=request.user,
        action=Action.CHANGE,
        patient=program.patient,
        target=item,
        detail=f"level {change.from_level} to {change.to_level}: {change.reason}",
        request=request,
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_level(request: HttpRequest, public_id: UUID, item_id: UUID) -> HttpResponse:
    user = staff_user(request)
    program = editable_program(user, public_id)
    item = _ladder_item(program, item_id)
    form = LevelForm(request.POST or None, initial={"level": item.current_level})
    if request.method == "POST" and form.is_valid():
        try:
            change = item_level_set(item=item, user=user, **form.cleaned_data)
        except DjangoValidationError as exc:
            add_service_errors(form, exc)
        else:
            _audit(request, program, item, change)
            messages.success(
                request, f"Level {change.to_level} from {change.effective_on:%A %-d %B}."
            )
            return redirect(reverse("programs:builder", args=[program.public_id]) + "#items")
    if request.method == "GET":  # the page shows the patient's level: a read to audit
        audit_record(
            actor=user, action=Action.VIEW, patient=program.patient, target=item, request=request
        )
    levels = LadderLevel.objects.filter(ladder=item.ladder).select_related("exercise")
    context = {"program": program, "item": item, "form": form, "levels": levels}
    status = 400 if request.method == "POST" else 200
    return render(request, "programs/item_level.html", context, status=status)


class LevelIn(serializers.Serializer[dict[str, Any]]):
    level = serializers.IntegerField(min_value=1)
    reason = serializers.CharField(
        max_length=REASON_MAX,
        error_messages={
            "blank": "Say why: the patient sees this reason.",
            "required": "Say why: the patient sees this reason.",
        },
    )


class ManualLevelChangeOut(serializers.ModelSerializer[LevelChange]):
    class Meta:
        model = LevelChange
        fields = ("from_level", "to_level", "effective_on", "reason", "created_at")


@extend_schema(
    operation_id="programs_items_level_create",
    summary="Change a ladder item's level by hand (from the patient's next day)",
    request=LevelIn,
    responses=ManualLevelChangeOut,
)
@api_view(["POST"])
def item_level_api(request: Request, public_id: UUID, item_id: UUID) -> Response:
    user: User = staff_user(request)
    program = editable_program(user, public_id)
    item = _ladder_item(program, item_id)
    given = LevelIn(data=request.data)
    given.is_valid(raise_exception=True)
    try:
        change = item_level_set(item=item, user=user, **given.validated_data)
    except DjangoValidationError as exc:
        raise service_error(exc) from exc
    _audit(request, program, item, change)
    return Response(ManualLevelChangeOut(change).data)
