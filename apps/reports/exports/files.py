"""Report files on disk: ``MEDIA_ROOT/reports/<random>.<ext>``, never linked directly.

Names carry 256 random bits so they cannot be guessed, and the only way to fetch one is the
download view, which checks the job belongs to the user's clinic.
"""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING

from django.core.files import File
from django.core.files.storage import default_storage

from apps.reports.exports.filters import ReportFilters
from apps.reports.exports.write import write_report

if TYPE_CHECKING:
    from apps.reports.models import ReportJob

REPORTS_DIR = "reports"


def new_file_name(format: str) -> str:
    return f"{REPORTS_DIR}/{secrets.token_urlsafe(32)}.{format}"


def write_report_file(
    *, job: ReportJob, filters: ReportFilters, on_progress: Callable[[int], None]
) -> str:
    """Build the job's report into a temporary file, then store it; returns the stored name."""
    with tempfile.TemporaryFile() as scratch:
        write_report(
            user=job.requested_by,
            filters=filters,
            kind=job.kind,
            format=job.format,
            out=scratch,
            on_progress=on_progress,
        )
        scratch.seek(0)
        return default_storage.save(new_file_name(job.format), File(scratch))


def delete_report_file(name: str) -> None:
    if name and name.startswith(f"{REPORTS_DIR}/"):
        default_storage.delete(name)


def orphan_report_files(*, kept: set[str], older_than: datetime) -> Iterator[str]:
    """Files in the reports folder that no job points at and are older than ``older_than``
    (left behind by a worker that died between writing a file and recording it)."""
    if not default_storage.exists(REPORTS_DIR):
        return
    _, files = default_storage.listdir(REPORTS_DIR)
    for filename in files:
        name = f"{REPORTS_DIR}/{filename}"
        if name not in kept and default_storage.get_modified_time(name) < older_than:
            yield name
