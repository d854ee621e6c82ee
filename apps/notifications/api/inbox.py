"""REST endpoints under /api/v1/: prompts (list, approve, decline, snooze), pain alerts,
reminder records. Staff only (a patient gets 403), scoped to the user's patients: any other
object is a 404."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from apps.audit.models import Action
from apps.audit.services import audit_record
from apps.clinics.access import StaffOnly, get_for_staff
from apps.clinics.models import User
from apps.notifications import selectors, services
from apps.notifications.models import DeliveryStatus, PainAlert, Reminder
from apps.notifications.serializers import (
    ApproveInput,
    DeclineInput,
    PainAlertSerializer,
    PromptSerializer,
    ReminderSerializer,
    SnoozeInput,
)
from apps.patients.models import Patient
from apps.programs import prompt_decisions
from apps.programs.models import ProgressionPrompt, PromptStatus


def _staff(request: Request) -> User:
    return cast(User, request.user)  # StaffOnly let the request in


def _choice(request: Request, name: str, choices: list[str]) -> str | None:
    value = request.query_params.get(name)
    if value and value not in choices:
        raise ValidationError({name: [f"Use one of: {', '.join(choices)}."]})
    return value or None


class PromptList(generics.ListAPIView[ProgressionPrompt]):
    """Progression prompts of your patients, newest first."""

    serializer_class = PromptSerializer  # type: ignore[assignment]  # serializes PromptCards
    filter_backends: list[Any] = []
    permission_classes = (StaffOnly,)

    def get_queryset(self) -> QuerySet[ProgressionPrompt]:
        prompts = selectors.prompts_for_staff(_staff(self.request))
        status = _choice(self.request, "status", PromptStatus.values)
        return prompts.filter(status=status) if status else prompts

    @extend_schema(parameters=[OpenApiParameter("status", enum=PromptStatus.values)])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset()) or []
        audit_record(actor=request.user, action=Action.VIEW, detail="prompts", request=request)
        cards = selectors.prompt_cards(list(page))
        data = PromptSerializer(cards, many=True).data  # type: ignore[arg-type]
        return self.get_paginated_response(data)


Act = Callable[[ProgressionPrompt, User, dict[str, Any]], object]


def _decide(
    request: Request, public_id: str, input_class: type[serializers.Serializer[Any]], act: Act
) -> Response:
    user = _staff(request)
    prompt = get_for_staff(user, selectors.prompts_for_staff(user), public_id)
    given = input_class(data=request.data)
    given.is_valid(raise_exception=True)
    act(prompt, user, dict(given.validated_data))
    prompt = selectors.prompts_for_staff(user).get(pk=prompt.pk)
    return Response(PromptSerializer(selectors.prompt_cards([prompt])[0]).data)


@extend_schema(request=ApproveInput, responses=PromptSerializer)
@api_view(["POST"])
@permission_classes([StaffOnly])
def prompt_approve(request: Request, public_id: str) -> Response:
    """Approve: the patient moves up a level from their next day; ``note`` is shown to them."""
    return _decide(
        request,
        public_id,
        ApproveInput,
        lambda p, u, d: prompt_decisions.prompt_approve(
            prompt=p,
            user=u,
            note=d["note"],
            override_reason=d["override_reason"],
            precaution_override=d["precaution_override"],
            confirm_duplicate_ladder=d["confirm_duplicate_ladder"],
            request=request,
        ),
    )


@extend_schema(request=DeclineInput, responses=PromptSerializer)
@api_view(["POST"])
@permission_classes([StaffOnly])
def prompt_decline(request: Request, public_id: str) -> Response:
    """Decline with a reason (required); the level stays."""
    return _decide(
        request,
        public_id,
        DeclineInput,
        lambda p, u, d: prompt_decisions.prompt_decline(
            prompt=p, user=u, reason=d["reason"], request=request
        ),
    )


@extend_schema(request=SnoozeInput, responses=PromptSerializer)
@api_view(["POST"])
@permission_classes([StaffOnly])
def prompt_snooze(request: Request, public_id: str) -> Response:
    """Snooze until a later date (patient-local); the prompt is open again from then."""
    return _decide(
        request,
        public_id,
        SnoozeInput,
        lambda p, u, d: prompt_decisions.prompt_snooze(
            prompt=p, user=u, until=d["until"], request=request
        ),
    )


class PainAlertList(generics.ListAPIView[PainAlert]):
    """Pain alerts of your patients, newest first (``unseen=true``: not yet marked seen)."""

    serializer_class = PainAlertSerializer
    filter_backends: list[Any] = []
    permission_classes = (StaffOnly,)

    def get_queryset(self) -> QuerySet[PainAlert]:
        alerts = selectors.alerts_for_staff(user=_staff(self.request))
        if _choice(self.request, "unseen", ["true", "false"]) == "true":
            alerts = alerts.filter(acknowledged_at__isnull=True)
        return alerts.order_by("-created_at", "-pk")

    @extend_schema(parameters=[OpenApiParameter("unseen", bool)])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        audit_record(actor=request.user, action=Action.VIEW, detail="pain alerts", request=request)
        return super().get(request, *args, **kwargs)


@extend_schema(request=None, responses=PainAlertSerializer)
@api_view(["POST"])
@permission_classes([StaffOnly])
def pain_alert_acknowledge(request: Request, public_id: str) -> Response:
    """Mark a pain alert as seen."""
    user = _staff(request)
    alert = get_for_staff(user, selectors.alerts_for_staff(user=user), public_id)
    services.pain_alert_acknowledge(alert=alert, user=user, request=request)
    return Response(PainAlertSerializer(alert).data)


class ReminderList(generics.ListAPIView[Reminder]):
    """Reminder records of your patients (sent, failed or skipped and why), newest first."""

    serializer_class = ReminderSerializer
    filter_backends: list[Any] = []
    permission_classes = (StaffOnly,)

    def get_queryset(self) -> QuerySet[Reminder]:
        user = _staff(self.request)
        reminders = selectors.reminders_for_staff(user=user, patient=self._patient(user))
        status = _choice(self.request, "status", DeliveryStatus.values)
        return reminders.filter(status=status) if status else reminders

    def _patient(self, user: User) -> Patient | None:
        public_id = self.request.query_params.get("patient")
        if not public_id:
            return None
        return get_for_staff(user, Patient.objects.editable_by(user), public_id)

    @extend_schema(
        parameters=[
            OpenApiParameter("patient", str, description="A patient's id"),
            OpenApiParameter("status", enum=DeliveryStatus.values),
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        audit_record(actor=request.user, action=Action.VIEW, detail="reminders", request=request)
        return super().get(request, *args, **kwargs)
