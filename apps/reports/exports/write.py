"""One entry point per output: a report of a kind, in a format, written to a binary file."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import IO, TYPE_CHECKING

from apps.core.db_router import replica_reads
from apps.reports.exports.build import build_report, report_rows
from apps.reports.exports.csv_format import summary_csv
from apps.reports.exports.detail import detail_csv
from apps.reports.exports.filters import ReportFilters
from apps.reports.exports.pdf_format import summary_pdf
from apps.reports.exports.scope import report_set_logs
from apps.reports.exports.xlsx_format import summary_xlsx
from apps.reports.models import ReportFormat, ReportKind

if TYPE_CHECKING:
    from apps.clinics.models import User

Progress = Callable[[int], None]

CONTENT_TYPES: dict[str, str] = {
    ReportFormat.CSV: "text/csv; charset=utf-8",
    ReportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ReportFormat.PDF: "application/pdf",
}


def _ignore(_percent: int) -> None:
    return None


def download_name(*, kind: str, format: str, filters: ReportFilters) -> str:
    """A file name without personal data, e.g. ``adherence-2026-01-01-to-2026-01-31.csv``."""
    prefix = "adherence" if kind == ReportKind.SUMMARY else "adherence-sets"
    return f"{prefix}-{filters.start.isoformat()}-to-{filters.end.isoformat()}.{format}"


def csv_stream(
    *, user: User, filters: ReportFilters, kind: str, on_progress: Progress = _ignore
) -> Iterator[bytes]:
    """UTF-8 CSV in chunks (a line, or a patient's lines), for a streaming response or a
    file."""
    if kind == ReportKind.DETAIL:
        if on_progress is _ignore:
            return detail_csv(user=user, filters=filters)
        # Progress needs the total; a direct download skips this COUNT.
        total = max(1, report_set_logs(user=user, filters=filters).count())
        return detail_csv(
            user=user, filters=filters, on_row=lambda n: on_progress(n * 100 // total)
        )
    rows = report_rows(user=user, filters=filters, on_progress=on_progress)
    return (line.encode("utf-8") for line in summary_csv(rows))


def write_report(
    *,
    user: User,
    filters: ReportFilters,
    kind: str,
    format: str,
    out: IO[bytes],
    on_progress: Progress = _ignore,
) -> None:
    """Write the whole report to ``out``; ``on_progress`` receives 0-100 as it goes.

    Its reads go to the read replica when one is configured (``apps.core.db_router``): a
    report of whole months does not need the last seconds of logs."""
    with replica_reads():
        _write_report(
            user=user, filters=filters, kind=kind, format=format, out=out, on_progress=on_progress
        )


def _write_report(
    *,
    user: User,
    filters: ReportFilters,
    kind: str,
    format: str,
    out: IO[bytes],
    on_progress: Progress,
) -> None:
    if format == ReportFormat.CSV:
        for chunk in csv_stream(user=user, filters=filters, kind=kind, on_progress=on_progress):
            out.write(chunk)
        return

    def rows_progress(percent: int) -> None:
        # Computing the rows is most of the work; saving the file is the last fifth.
        on_progress(percent * 80 // 100)

    if format == ReportFormat.XLSX:
        summary_xlsx(report_rows(user=user, filters=filters, on_progress=rows_progress), out)
        return
    summary_pdf(build_report(user=user, filters=filters, on_progress=rows_progress), out)
