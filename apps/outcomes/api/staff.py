"""The staff side of the outcomes API: measures per program, a patient's trends, progress
reports (the same data as the PDF), questionnaires, and the monitoring time log.

Every object comes through ``apps.outcomes.access``: another clinic's is a 404. Bad input is
a 400 ``{"message", "errors"}`` and nothing is saved."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from apps.audit.models import Action
from apps.audit.services import audit_record
from apps.core.api_defaults import LimitOffsetPagination
from apps.core.once import created_status
from apps.outcomes import (
    access,
    monitoring_selectors,
    monitoring_services,
    report_selectors,
    selectors,
    services,
)
from apps.outcomes.api.serializers import (
    MeasurePlanOut,
    MeasuresIn,
    QuestionnaireDetailOut,
    ReportIn,
    ReportOut,
    TimeEntryIn,
    TimeEntryOut,
)
from apps.outcomes.instruments import instrument


def _valid(serializer: serializers.Serializer[Any]) -> dict[str, Any]:
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _audit(request: Request, action: Action, patient: Any, target: Any, detail: str) -> None:
    audit_record(
        actor=request.user, action=action, patient=patient, target=target, detail=detail,
        request=request._request,
    )  # fmt: skip


def _plans(program: Any) -> Response:
    return Response(
        {"measures": MeasurePlanOut(selectors.measure_plans(program=program), many=True).data}
    )


@extend_schema(
    methods=["GET"], operation_id="outcomes_measures_retrieve",
    responses=inline_serializer("Measures", {"measures": MeasurePlanOut(many=True)}),
    summary="The outcome measures scheduled for a program",
)  # fmt: skip
@extend_schema(
    methods=["PUT"], operation_id="outcomes_measures_update", request=MeasuresIn,
    responses=inline_serializer("MeasuresSet", {"measures": MeasurePlanOut(many=True)}),
    summary="Schedule exactly these measures (default every 14 days, at start and end)",
)  # fmt: skip
@api_view(["GET", "PUT"])
def measures(request: Request, public_id: UUID) -> Response:
    user = access.staff(request.user)
    program = access.program_editable(user, public_id)
    if request.method == "PUT":
        values = _valid(MeasuresIn(data=request.data))
        services.measures_set(user=user, program=program, request=request, **values)
    else:
        _audit(request, Action.VIEW, program.patient, program, "outcome measures")
    return _plans(program)


@extend_schema(
    operation_id="outcomes_trends_retrieve",
    responses=inline_serializer("Trends", {"trends": serializers.JSONField()}),
    summary="Each outcome measure over time, with baseline, band and latest verdict",
)
@api_view(["GET"])
def trends(request: Request, public_id: UUID) -> Response:
    patient = access.patient_visible(request.user, public_id)
    _audit(request, Action.VIEW, patient, patient, "outcome trends")
    return Response({"trends": [t.as_dict() for t in selectors.patient_trends(patient=patient)]})


@extend_schema(
    operation_id="outcomes_reports_create", request=ReportIn,
    responses={201: ReportOut, 200: ReportOut},
    summary="Make a progress report for the referrer (audited); 200 for a client_id sent before",
)  # fmt: skip
@api_view(["POST"])
def report_create(request: Request, public_id: UUID) -> Response:
    user = access.staff(request.user)
    patient = access.patient_editable(user, public_id)
    values = _valid(ReportIn(data=request.data))
    note = values["note"]
    data = report_selectors.report_data(patient=patient, author=user, note=note)
    report = services.report_create(
        user=user, patient=patient, note=note, data=data, client_id=values.get("client_id"),
        request=request,
    )  # fmt: skip
    return Response(ReportOut(report).data, status=created_status(report))


@extend_schema(
    operation_id="outcomes_reports_retrieve", responses=ReportOut,
    summary="A progress report's data (the same as its PDF)",
)  # fmt: skip
@api_view(["GET"])
def report(request: Request, public_id: UUID) -> Response:
    found = access.report_visible(request.user, public_id)
    _audit(request, Action.VIEW, found.patient, found, "progress report")
    return Response(ReportOut(found).data)


@extend_schema(
    operation_id="outcomes_questionnaires_retrieve", responses=QuestionnaireDetailOut,
    summary="One questionnaire with its answers",
)  # fmt: skip
@api_view(["GET"])
def questionnaire(request: Request, public_id: UUID) -> Response:
    found = access.questionnaire_visible(request.user, public_id)
    _audit(request, Action.VIEW, found.patient, found, "questionnaire")
    return Response(questionnaire_detail(found))


def questionnaire_detail(found: Any) -> dict[str, Any]:
    spec = instrument(found.instrument)
    found.answer_min, found.answer_max = spec.answer_min, spec.answer_max
    found.questions = selectors.questions(found)
    return dict(QuestionnaireDetailOut(found).data)


@extend_schema(
    methods=["GET"], operation_id="outcomes_time_entries_list",
    responses=inline_serializer(
        "TimeEntries",
        {
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": TimeEntryOut(many=True),
        },
    ),
    parameters=[
        OpenApiParameter(
            "limit", {"type": "integer", "minimum": 1, "maximum": 200},
            description="Entries a page: 1 to 200 (50 by default).",
        ),
        OpenApiParameter(
            "offset", {"type": "integer", "minimum": 0, "maximum": 1_000_000_000},
            description="Entries to skip: 0 to 1000000000 (0 by default).",
        ),
    ],
    summary="The patient's remote-monitoring time log (newest first), a page at a time",
)  # fmt: skip
@extend_schema(
    methods=["POST"], operation_id="outcomes_time_entries_create", request=TimeEntryIn,
    responses={201: TimeEntryOut, 200: TimeEntryOut},
    summary="Log management minutes (1 to 600, not in the future); 200 for a client_id sent before",
)  # fmt: skip
@api_view(["GET", "POST"])
def time_entries(request: Request, public_id: UUID) -> Response:
    if request.method == "POST":
        user = access.staff(request.user)
        patient = access.patient_editable(user, public_id)
        values = _valid(TimeEntryIn(data=request.data))
        entry, created = monitoring_services.time_entry_add(
            user=user, patient=patient, request=request, **values
        )
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(TimeEntryOut(entry).data, status=code)
    patient = access.patient_visible(request.user, public_id)
    _audit(request, Action.VIEW, patient, patient, "monitoring time log")
    # Every entry is billed: an integration must be able to read the whole log, not the
    # newest 50 only.
    paginator = LimitOffsetPagination()
    page = paginator.paginate_queryset(
        monitoring_selectors.time_entries_newest_first(patient=patient), request
    )
    return paginator.get_paginated_response(TimeEntryOut(page, many=True).data)
