"""A patient's logged sets and adherence for staff (therapists and clinic admins, by session or
API token): what the dashboard and the patient's progress page show, for integrations.

The API's description promised "logs and adherence" to a staff token, but only the patient's
own ``/me/`` endpoints and the admins' report exports served them, so a therapist's token
got 403 wherever it tried. By the role rules (``DESIGN.md``: a therapist watches adherence
and pain; they see their clinic's patients) these reads are for any staff member of the
patient's clinic, like the progress page: another clinic's patient is a 404, a patient a 403.
Exports of the whole clinic stay the admins' (``apps.reports.api.jobs``). Every read is
audited, naming the patient.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.request import Request
from rest_framework.response import Response

from apps.audit.models import Action
from apps.audit.services import audit_record
from apps.clinics.access import StaffOnly, get_for_staff, require_staff
from apps.core.api_defaults import LimitOffsetPagination
from apps.core.api_input import StrictInput
from apps.patients.models import Patient
from apps.patients.selectors import patient_for_page
from apps.programs.adherence_summaries import summaries_for_patients
from apps.programs.history import patient_logs
from apps.programs.models import SetLog
from apps.reports.exports.filters import EARLIEST, LATEST, OUT_OF_RANGE

DEFAULT_DAYS = 30
MAX_DAYS = 1096  # three years, as the adherence report


class PatientSetLogOut(serializers.ModelSerializer[SetLog]):
    item = serializers.UUIDField(source="item.public_id", read_only=True)
    exercise = serializers.CharField(source="exercise.name", read_only=True)

    class Meta:
        model = SetLog
        fields = (
            "public_id",
            "item",
            "performed_on",
            "logged_at",
            "set_number",
            "side",
            "reps",
            "hold_seconds",
            "pain",
            "difficulty",
            "note",
            "exercise",
            "ladder_level",
            "target_sets",
            "target_reps",
            "target_hold_seconds",
            "target_reps_up_to",
            "target_hold_up_to",
            "target_per_side",
        )
        read_only_fields = fields


def _in_range(day: date) -> None:
    # As the reports' dates: a year 1 or 9999 is a slip, and an end in the year 1 left no
    # room for the default start 30 days before it (an OverflowError, a 500).
    if not EARLIEST <= day <= LATEST:
        raise serializers.ValidationError(OUT_OF_RANGE)


class PeriodIn(StrictInput[Any]):
    """The query: a misspelt ``strat`` is a 400 naming it, not the default period."""

    start = serializers.DateField(required=False, validators=[_in_range])
    end = serializers.DateField(required=False, validators=[_in_range])


class AdherenceOut(serializers.Serializer[Any]):
    start = serializers.DateField()
    end = serializers.DateField(help_text="The period's end, cut at the patient's own today.")
    prescribed = serializers.IntegerField(help_text="Prescribed sets (one per side and set).")
    completed = serializers.IntegerField(help_text="Of those, done (each counted once).")
    adherence_percent = serializers.IntegerField(allow_null=True)
    scheduled_days = serializers.IntegerField()
    active_days = serializers.IntegerField()
    complete_days = serializers.IntegerField()
    last_activity = serializers.DateField(allow_null=True)
    pain_avg = serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True)
    pain_max = serializers.IntegerField(allow_null=True)
    progressions_approved = serializers.IntegerField()


def _patient(request: Request, public_id: UUID) -> Patient:
    user = require_staff(request)
    return get_for_staff(user, patient_for_page(user=user), public_id)


def _audit(request: Request, patient: Patient, detail: str) -> None:
    audit_record(
        actor=request.user, action=Action.VIEW, patient=patient, target=patient, detail=detail,
        request=request._request,
    )  # fmt: skip


def _period(request: Request, patient: Patient) -> tuple[date, date]:
    data = PeriodIn(data=request.query_params)
    data.is_valid(raise_exception=True)
    today = patient.local_today()
    end = data.validated_data.get("end") or today
    start = data.validated_data.get("start") or end - timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        raise serializers.ValidationError({"start": ["start must be on or before end."]})
    if (end - start).days + 1 > MAX_DAYS:
        raise serializers.ValidationError({"end": [f"A period is at most {MAX_DAYS} days."]})
    return start, end


@extend_schema(
    operation_id="patients_logs_list",
    responses=PatientSetLogOut(many=True),
    summary="A patient's logged sets, newest first, a page at a time (therapists and admins)",
)
@api_view(["GET"])
@permission_classes([StaffOnly])
def patient_logs_list(request: Request, public_id: UUID) -> Response:
    patient = _patient(request, public_id)
    paginator = LimitOffsetPagination()
    logs = patient_logs(patient=patient).order_by("-performed_on", "-logged_at", "-pk")
    page = paginator.paginate_queryset(logs, request)
    _audit(request, patient, "logged sets")
    return paginator.get_paginated_response(PatientSetLogOut(page, many=True).data)


@extend_schema(
    operation_id="patients_adherence_retrieve",
    parameters=[
        OpenApiParameter("start", date, description="First day (default: 30 days to `end`)."),
        OpenApiParameter(
            "end", date, description=f"Last day (default: the patient's today); {MAX_DAYS} at most."
        ),
    ],
    responses=AdherenceOut,
    summary="A patient's adherence over a period, as on the dashboard (therapists and admins)",
)
@api_view(["GET"])
@permission_classes([StaffOnly])
def patient_adherence(request: Request, public_id: UUID) -> Response:
    patient = _patient(request, public_id)
    start, end = _period(request, patient)
    summary = summaries_for_patients(patients=[patient], start=start, end=end)[patient.pk]
    _audit(request, patient, "adherence")
    return Response(AdherenceOut(summary).data)
