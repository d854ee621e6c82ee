"""Reads for the adherence report page (the dashboard's reads live in ``selectors.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from apps.reports.exports.build import build_report
from apps.reports.exports.filters import ReportFilters
from apps.reports.exports.report import AdherenceReport
from apps.reports.exports.scope import ReportSize, report_size

if TYPE_CHECKING:
    from apps.clinics.models import User


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
