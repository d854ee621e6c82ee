"""Reads for the adherence report page (the dashboard's reads live in ``selectors.py``)."""

from __future__ import annotations

from dataclasses import dataclass

from apps.clinics.models import User
from apps.reports.exports.build import build_report
from apps.reports.exports.filters import ReportFilters
from apps.reports.exports.report import AdherenceReport
from apps.reports.exports.scope import ReportSize, report_size
from apps.reports.models import ReportJob


@dataclass(frozen=True)
class ReportPage:
    filters: ReportFilters
    size: ReportSize
    # None when the report is over the background threshold: too big to show in a page.
    report: AdherenceReport | None


def report_page(*, user: User, filters: ReportFilters) -> ReportPage:
    """What the page shows: the report itself, or only its size when it is too large."""
    size = report_size(user=user, filters=filters)
    report = None if size.is_large else build_report(user=user, filters=filters)
    return ReportPage(filters=filters, size=size, report=report)


@dataclass(frozen=True)
class JobRow:
    job: ReportJob
    # Whom the report is limited to, by name ("" for the whole clinic): the stored filter
    # holds only the therapist's reference.
    therapist_name: str


def report_jobs_named(*, jobs: list[ReportJob]) -> list[JobRow]:
    """``jobs`` with the name of the therapist each is limited to, in one query (the
    clinic's own staff only: a job's filter is checked against its clinic when it is made)."""
    refs = {job.filters.get("therapist") for job in jobs} - {None, ""}
    clinics = {job.clinic_id for job in jobs}
    staff = User.objects.filter(public_id__in=refs, clinic_id__in=clinics)
    names = {
        str(u.public_id): u.full_name or u.email or ""
        for u in staff.only("public_id", "full_name", "email")
    }
    return [
        JobRow(job=job, therapist_name=names.get(job.filters.get("therapist") or "", ""))
        for job in jobs
    ]
