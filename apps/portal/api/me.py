"""The patient's own API under ``/api/v1/me/``: today's plan and their set logs.

Only a signed-in patient has a "me": staff get a 403 (``PatientOnly``, ``own_patient``),
another patient's log is a 404 (``get_for_patient``). Session authentication enforces CSRF, so
the page's script sends the token.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.decorators import api_view, permission_classes
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

from apps.clinics.access import (
    PATIENT_HEADER_PARAMETER,
    PatientOnly,
    get_for_patient,
    require_patient,
    require_same_patient,
)
from apps.core.api import Conflict, conflict
from apps.core.api_defaults import ErrorSerializer
from apps.core.once import ClientIdReused
from apps.patients.models import Patient, Side
from apps.patients.selectors import own_patient
from apps.portal.serializers import (
    SetLogBatchIn,
    SetLogBatchOut,
    SetLogCreateIn,
    SetLogOut,
    SetLogPatchIn,
    TodayPlanOut,
    set_log_batch_data,
    set_log_data,
)
from apps.portal.today_cache import today_plan_data
from apps.portal.today_goal import goals_for
from apps.portal.today_media import clinic_media_for
from apps.programs import logs as log_services
from apps.programs import logs_batch as batch_services
from apps.programs.history import patient_logs, recent_logs
from apps.programs.models import SetLog
from apps.programs.morning import morning_check_today
from apps.programs.selectors import own_item, today_plan

RECENT_DAYS_DEFAULT = 14
RECENT_DAYS_MAX = 90
RECENT_LIMIT = 500


def me(request: Request) -> Patient:
    """The signed-in patient (``apps.patients.selectors.own_patient``)."""
    return own_patient(request.user)


@extend_schema(responses=TodayPlanOut, summary="Today's exercises and the sets logged")
@api_view(["GET"])
@permission_classes([PatientOnly])
def today(request: Request) -> Response:
    patient = me(request)
    today = patient.local_today()

    def build() -> dict[str, Any]:
        plan = today_plan(patient=patient, on=today)
        morning = morning_check_today(patient=patient, today=today)
        goals = goals_for(
            patient=patient,
            items=plan.items,
            today=today,
            levels=plan.levels,
            morning_worse=morning is not None and morning.is_worse,
        )
        media = clinic_media_for(patient=patient, items=plan.items)
        # A plain dict (JSON's own types), as it is cached and compared.
        clinic = patient.clinic
        context = {
            "goals": goals,
            "media": media,
            "pain_limit": clinic.pain_progression_limit,
            "pain_alert_level": clinic.pain_alert_level,
        }
        return json.loads(JSONRenderer().render(TodayPlanOut(plan, context=context).data))

    return Response(today_plan_data(patient=patient, today=today, build=build))


def _recent_logs(request: Request, patient: Patient) -> Response:
    try:
        days = int(request.query_params.get("days", RECENT_DAYS_DEFAULT))
    except ValueError:
        days = -1
    if not 1 <= days <= RECENT_DAYS_MAX:
        raise serializers.ValidationError({"days": [f"days must be from 1 to {RECENT_DAYS_MAX}."]})
    since = patient.local_today() - timedelta(days=days - 1)
    recent = recent_logs(patient=patient, since=since, limit=RECENT_LIMIT)
    return Response({"results": SetLogOut(recent, many=True).data})


def _record(request: Request) -> Response:
    """The one-tap log. The item is looked up with its patient in one query; only when that
    finds nothing (or the body is bad) is the patient read alone, so that a user without a
    patient record gets its 404 before any 400, as on every other ``/me/`` endpoint."""
    data = SetLogCreateIn(data=request.data)
    if not data.is_valid():
        require_same_patient(request, me(request).public_id)
        raise serializers.ValidationError(data.errors)
    values: dict[str, Any] = dict(data.validated_data)
    item = own_item(user=require_patient(request), public_id=values.pop("item"))
    if item is None:
        require_same_patient(request, me(request).public_id)
        raise serializers.ValidationError({"item": ["This exercise is not in your program."]})
    patient = item.program.patient
    assert patient is not None  # own_item finds only items of a patient's own programs
    require_same_patient(request, patient.public_id)
    values.setdefault("performed_on", None)  # the patient's today
    values.setdefault("pain", None)
    values.setdefault("side", "" if item.per_side else Side.BOTH)
    try:
        # The phone sends every set through its queue, this endpoint when one waits.
        log, created = log_services.set_log_record(
            patient=patient, item=item, queued=True, **values
        )
    except ClientIdReused as exc:
        raise conflict(exc) from exc
    code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return Response(set_log_data(log), status=code)


@extend_schema(
    methods=["GET"],
    parameters=[
        OpenApiParameter(
            "days", int, description=f"How many days back, 1 to {RECENT_DAYS_MAX} (default 14)."
        )
    ],
    responses=inline_serializer("SetLogList", fields={"results": SetLogOut(many=True)}),
    operation_id="me_logs_list",
    summary="My recent set logs",
)
@extend_schema(
    methods=["POST"],
    request=SetLogCreateIn,
    parameters=[PATIENT_HEADER_PARAMETER],
    responses={
        201: SetLogOut,
        200: OpenApiResponse(SetLogOut, "The same set sent again under its client_id"),
        409: OpenApiResponse(
            ErrorSerializer,
            "The client_id is already stored for a different set (`errors` names each field "
            "that differs; nothing was saved), or the set was kept for another patient than "
            "the one signed in",
        ),
    },
    summary="Log a set (idempotent by client_id)",
    description=(
        "`client_id` is the set's idempotency key. The same set sent again (a retry) answers "
        "200 with the stored log and saves nothing more; values that parse the same (`2.0` "
        "and `2`, a note with spaces around it) are the same set, and a day or set number "
        "left out matches what was filled in. A different set under a stored client_id is a "
        "409 naming `client_id` and each field that differs, and nothing is saved."
    ),
)
@api_view(["GET", "POST"])
@permission_classes([PatientOnly])
def logs(request: Request) -> Response:
    if request.method == "POST":
        return _record(request)
    return _recent_logs(request, me(request))


def _dotted(detail: Any, prefix: str) -> dict[str, list[str]]:
    """Nested DRF errors as ``{"logs.3.pain": [...]}``: the error format has one level."""
    if isinstance(detail, dict):
        found: dict[str, list[str]] = {}
        for key, value in detail.items():
            name = prefix if key == api_settings.NON_FIELD_ERRORS_KEY else f"{prefix}.{key}"
            found |= _dotted(value, name)
        return found
    if isinstance(detail, list) and any(isinstance(part, dict | list) for part in detail):
        found = {}
        for index, part in enumerate(detail):
            found |= _dotted(part, f"{prefix}.{index}")
        return found
    messages = detail if isinstance(detail, list) else [detail]
    return {prefix: [str(message) for message in messages]} if messages else {}


def _batch_entries(request: Request) -> list[batch_services.LogEntry]:
    data = SetLogBatchIn(data=request.data)
    if not data.is_valid():
        raise serializers.ValidationError(_dotted(data.errors.get("logs", data.errors), "logs"))
    return [batch_services.LogEntry(**values) for values in data.validated_data["logs"]]


@extend_schema(
    request=SetLogBatchIn,
    parameters=[PATIENT_HEADER_PARAMETER],
    responses={
        200: SetLogBatchOut,
        409: OpenApiResponse(
            ErrorSerializer,
            "A client_id is already stored for a different set (`logs.<index>.client_id` and "
            "each field that differs; nothing was saved), or the sets were kept for another "
            "patient than the one signed in",
        ),
    },
    operation_id="me_logs_batch",
    summary="Log many sets at once, all or nothing (the phone's offline queue)",
    description=(
        "Each set is checked as for a single set before anything is saved; a bad set answers "
        "400 with errors keyed `logs.<index>.<field>` and saves nothing. A set whose client_id "
        "is already stored is returned as it was stored, with `created: false`, when it is "
        "the same set; a different set under a stored client_id makes the batch a 409 (a 400 "
        "when other sets are also bad), keyed the same way, and nothing is saved."
    ),
)
@api_view(["POST"])
@permission_classes([PatientOnly])
def logs_batch(request: Request) -> Response:
    patient = me(request)
    require_same_patient(request, patient.public_id)
    entries = _batch_entries(request)
    try:
        saved = batch_services.set_logs_record_many(patient=patient, entries=entries)
    except ClientIdReused as exc:
        raise Conflict(_dotted(exc.message_dict, "logs")) from exc
    except DjangoValidationError as exc:
        raise serializers.ValidationError(_dotted(exc.message_dict, "logs")) from exc
    return Response(set_log_batch_data(saved))


def _correct(request: Request, log: SetLog) -> Response:
    data = SetLogPatchIn(data=request.data)
    data.is_valid(raise_exception=True)
    current = {
        "reps": log.reps,
        "hold_seconds": log.hold_seconds,
        "pain": log.pain,
        "difficulty": log.difficulty,
        "note": log.note,
    }
    log = log_services.set_log_correct(log=log, **{**current, **data.validated_data})
    return Response(SetLogOut(log).data)


def _delete(log: SetLog) -> Response:
    log_services.set_log_delete(log=log)
    return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(methods=["GET"], responses=SetLogOut, summary="One of my set logs")
@extend_schema(
    methods=["PATCH"], request=SetLogPatchIn, responses=SetLogOut, summary="Correct a set (24 h)"
)
@extend_schema(methods=["DELETE"], responses={204: None}, summary="Delete a set (24 h)")
@api_view(["GET", "PATCH", "DELETE"])
@permission_classes([PatientOnly])
def log_detail(request: Request, public_id: UUID) -> Response:
    patient = me(request)
    log = get_for_patient(request.user, patient_logs(patient=patient), public_id)
    if request.method == "PATCH":
        return _correct(request, log)
    if request.method == "DELETE":
        return _delete(log)
    return Response(SetLogOut(log).data)
