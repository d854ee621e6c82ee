"""Clinic admins' adherence report: the page, its downloads and background jobs."""

from __future__ import annotations

from datetime import date
from io import BytesIO
from typing import cast

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from apps.audit.models import Action
from apps.audit.services import audit_record
from apps.clinics.access import get_for_admin, require_admin
from apps.clinics.models import User
from apps.core.forms import add_service_errors
from apps.core.htmx import fragment_of
from apps.core.once import key_for
from apps.reports import services
from apps.reports.downloads import job_file_response
from apps.reports.exports.filters import ReportFilters
from apps.reports.exports.write import CONTENT_TYPES, csv_stream, download_name, write_report
from apps.reports.models import ReportFormat, ReportJob
from apps.reports.report_forms import ReportExportForm, ReportFilterForm, default_range
from apps.reports.report_selectors import report_jobs_named, report_page

RECENT_JOBS = 10


def _clinic_today(user: User) -> date:
    assert user.clinic is not None
    return user.clinic.local_today()


def _render_page(
    request: HttpRequest, user: User, form: ReportFilterForm, status: int = 200, **extra: object
) -> HttpResponse:
    jobs = report_jobs_named(jobs=list(ReportJob.objects.visible_to(user)[:RECENT_JOBS]))
    # The page shows the filter fields; errors about the chosen download are listed apart.
    export_errors = [m for name in ("format", "kind") for m in form.errors.get(name, [])]
    context = {"form": form, "jobs": jobs, "export_errors": export_errors, **extra}
    return render(request, "reports/report_adherence.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def adherence_report(request: HttpRequest) -> HttpResponseBase:
    """The report, and its downloads: their forms are posted here, at the address of the
    report they download (its period in the query), so a refused download is answered at an
    address that shows the report again when reloaded (not an empty 405)."""
    user = require_admin(request)
    if request.method == "POST":
        return _export(request, user)
    if not ({"start", "end"} & set(request.GET)):
        form = ReportFilterForm(
            initial=default_range(_clinic_today(user)), clinic_id=cast(int, user.clinic_id)
        )
        return _render_page(request, user, form)
    form = ReportFilterForm(request.GET, clinic_id=cast(int, user.clinic_id))
    if not form.is_valid():
        return _render_page(request, user, form, status=400)
    page = report_page(user=user, filters=form.to_filters())
    audit_record(
        actor=user,
        action=Action.VIEW,
        detail=f"adherence report {page.filters.describe()}",
        request=request,
    )
    return _render_page(request, user, form, page=page)


def _export(request: HttpRequest, user: User) -> HttpResponseBase:
    """Download the report now, or queue it when it is over the background threshold."""
    form = ReportExportForm(request.POST, clinic_id=cast(int, user.clinic_id))
    if not form.is_valid():
        return _render_page(request, user, form, status=400)
    filters = form.to_filters()
    kind, fmt = form.cleaned_data["kind"], form.cleaned_data["format"]
    if services.report_needs_background(user=user, filters=filters):
        # One key per button of the form (CSV, Excel, PDF): a double click on one queues
        # it once, a click on another queues that one too.
        key = key_for(form.cleaned_data["client_id"], kind, fmt)
        try:
            job = services.report_job_create(
                user=user, filters=filters, kind=kind, format=fmt, client_id=key, request=request
            )
        except ValidationError as exc:  # the key of another report (a tampered form)
            add_service_errors(form, exc)
            return _render_page(request, user, form, status=400)
        return redirect("reports:job", public_id=job.public_id)
    services.report_export_record(
        user=user, filters=filters, kind=kind, format=fmt, request=request
    )
    return _export_response(user=user, filters=filters, kind=kind, format=fmt)


def _export_response(
    *, user: User, filters: ReportFilters, kind: str, format: str
) -> HttpResponseBase:
    name = download_name(kind=kind, format=format, filters=filters)
    disposition = f'attachment; filename="{name}"'
    if format == ReportFormat.CSV:
        response: HttpResponseBase = StreamingHttpResponse(
            csv_stream(user=user, filters=filters, kind=kind), content_type=CONTENT_TYPES[format]
        )
    else:
        buffer = BytesIO()
        write_report(user=user, filters=filters, kind=kind, format=format, out=buffer)
        response = HttpResponse(buffer.getvalue(), content_type=CONTENT_TYPES[format])
    response["Content-Disposition"] = disposition
    response["Cache-Control"] = "no-store"
    return response


def _job(request: HttpRequest, public_id: str) -> ReportJob:
    # A non-admin is a 403, another clinic's job a 404.
    admin = require_admin(request)
    return get_for_admin(admin, ReportJob.objects.visible_to(admin), public_id)


@login_required
@require_GET
def job_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    (row,) = report_jobs_named(jobs=[_job(request, public_id)])
    return render(request, "reports/report_job.html", {"job": row.job, "row": row})


def _job_page(request: HttpRequest, public_id: str) -> str:
    """The job's page, whose status the progress fragment is; the job found as it finds it."""
    return reverse("reports:job", args=[_job(request, public_id).public_id])


@login_required
@require_GET
@fragment_of(_job_page)
def job_progress(request: HttpRequest, public_id: str) -> HttpResponse:
    """The status fragment the job page polls (htmx); opened directly, the job's page."""
    return render(request, "reports/report_job_status.html", {"job": _job(request, public_id)})


@login_required
@require_GET
def job_download(request: HttpRequest, public_id: str) -> FileResponse:
    return job_file_response(request, _job(request, public_id))
