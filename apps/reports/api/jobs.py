"""REST endpoints to request an adherence export, poll it and download the file.

Every export through the API runs as a background job, whatever its size: a client asks
(``POST /api/v1/reports/jobs/``), polls the job until ``status`` is ``done``, then fetches
``download_url``. Only clinic admins may use them; another clinic's job is a 404.
"""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.clinics.access import AdminOnly, get_for_admin
from apps.clinics.models import User
from apps.core.once import replayed
from apps.reports import services
from apps.reports.downloads import job_file_response
from apps.reports.exports.filters import ReportFilters
from apps.reports.exports.write import CONTENT_TYPES
from apps.reports.models import ReportJob
from apps.reports.serializers import ReportJobInput, ReportJobOutput


class IsClinicAdmin(AdminOnly):
    message = "Adherence reports are for clinic admins."


def _job(request: Request, public_id: str) -> ReportJob:
    user = cast(User, request.user)
    return get_for_admin(user, ReportJob.objects.visible_to(user), public_id)


class ReportJobListCreate(generics.ListAPIView[ReportJob]):
    """GET: the clinic's jobs, newest first (paginated). POST: request a new export."""

    permission_classes = (IsClinicAdmin,)
    serializer_class = ReportJobOutput
    filter_backends = ()

    def get_queryset(self) -> QuerySet[ReportJob]:
        return ReportJob.objects.visible_to(cast(User, self.request.user))

    @extend_schema(operation_id="report_jobs_list")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="report_jobs_create",
        summary="Request an export; 200 with the same job for a client_id sent before",
        request=ReportJobInput,
        responses={202: ReportJobOutput, 200: ReportJobOutput},
    )
    def post(self, request: Request) -> Response:
        user = cast(User, request.user)
        data = ReportJobInput(data=request.data, context={"clinic_id": user.clinic_id})
        data.is_valid(raise_exception=True)
        values = data.validated_data
        filters = ReportFilters(
            clinic_id=cast(int, user.clinic_id),
            start=values["start"],
            end=values["end"],
            therapist=values.get("therapist"),
        )
        job = services.report_job_create(
            user=user,
            filters=filters,
            kind=values["kind"],
            format=values["format"],
            client_id=values.get("client_id"),
            request=request._request,
        )
        answer = status.HTTP_200_OK if replayed(job) else status.HTTP_202_ACCEPTED
        return Response(ReportJobOutput(job).data, status=answer)


class ReportJobDetail(APIView):
    permission_classes = (IsClinicAdmin,)

    @extend_schema(operation_id="report_jobs_retrieve", responses=ReportJobOutput)
    def get(self, request: Request, public_id: str) -> Response:
        return Response(ReportJobOutput(_job(request, public_id)).data)


class ReportJobFile(APIView):
    permission_classes = (IsClinicAdmin,)

    @extend_schema(
        operation_id="report_jobs_file",
        responses={
            **{(200, media.split(";")[0]): OpenApiTypes.BINARY for media in CONTENT_TYPES.values()},
            404: OpenApiResponse(description="Unknown, not ready or expired."),
        },
    )
    def get(self, request: Request, public_id: str) -> FileResponse:
        return job_file_response(request._request, _job(request, public_id))
