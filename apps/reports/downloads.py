"""A finished report job's file as a download, shared by the page and the API."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest

from apps.audit.models import Action
from apps.audit.services import audit_record
from apps.reports import services
from apps.reports.exports.write import CONTENT_TYPES
from apps.reports.models import ReportJob


def job_file_response(request: HttpRequest, job: ReportJob) -> FileResponse:
    """Serve a finished job's file (after the caller checked access) and audit it."""
    if not job.is_downloadable:
        raise Http404("This report is not ready or has expired.")
    audit_record(
        actor=request.user,
        action=Action.EXPORT,
        target=job,
        detail=f"{services.job_label(job)} file download",
        request=request,
    )
    response = FileResponse(
        job.file.open("rb"), as_attachment=True, filename=services.job_file_name(job)
    )
    response["Content-Type"] = CONTENT_TYPES[job.format]
    response["Cache-Control"] = "no-store"
    return response
