"""Writes for reports: request a background job, build it, expire old files.

Small reports are built inside the request (see ``views.py``); a report over
``settings.REPORT_BACKGROUND_THRESHOLD`` becomes a ``ReportJob`` that a worker on the
``reports`` queue builds with ``report_job_run``.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from uuid import UUID

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from apps.audit.models import Action
from apps.audit.services import audit_record
from apps.core import outbox
from apps.core.once import create_once, request_print
from apps.reports.exports.files import (
    delete_report_file,
    orphan_report_files,
    write_report_file,
)
from apps.reports.exports.filters import ReportFilters, filters_from_json
from apps.reports.exports.scope import report_size
from apps.reports.models import JobStatus, ReportFormat, ReportJob, ReportKind

if TYPE_CHECKING:
    from apps.clinics.models import User

logger = logging.getLogger(__name__)

DEFAULT_FILE_HOURS = 24
# A worker killed mid-job leaves it "running"; after this long a caller without the job's
# outbox message (see ``report_job_run``) may take it over (longer than the task's hard time
# limit, so a live worker is never overtaken).
STALE_CLAIM = timedelta(minutes=35)
RUN_REPORT_JOB = "apps.reports.tasks.run_report_job"


def file_lifetime() -> timedelta:
    return timedelta(hours=getattr(settings, "REPORT_FILE_HOURS", DEFAULT_FILE_HOURS))


def report_needs_background(*, user: User, filters: ReportFilters) -> bool:
    """Whether the report is over the threshold and must be built by a worker."""
    return report_size(user=user, filters=filters).is_large


def export_label(*, kind: str, format: str, filters: ReportFilters) -> str:
    """The audit detail for an export, e.g. ``adherence csv 2026-01-01..2026-01-31``."""
    name = "adherence" if kind == ReportKind.SUMMARY else "adherence sets"
    return f"{name} {format} {filters.describe()}"


def job_label(job: ReportJob) -> str:
    """The audit detail for a job's file, from its stored filters (no health data)."""
    name = "adherence" if job.kind == ReportKind.SUMMARY else "adherence sets"
    return f"{name} {job.format} {job.filters.get('start')}..{job.filters.get('end')}"


def job_file_name(job: ReportJob) -> str:
    prefix = "adherence" if job.kind == ReportKind.SUMMARY else "adherence-sets"
    return f"{prefix}-{job.filters.get('start')}-to-{job.filters.get('end')}.{job.format}"


def _require_admin(user: User, filters: ReportFilters) -> None:
    if not user.is_clinic_admin or user.clinic_id != filters.clinic_id:
        raise PermissionDenied("Only the clinic's admins can export reports.")


def report_export_record(
    *, user: User, filters: ReportFilters, kind: str, format: str, request: HttpRequest | None
) -> None:
    """Record a direct (in-request) download in the audit log: one entry per export."""
    _require_admin(user, filters)
    audit_record(
        actor=user,
        action=Action.EXPORT,
        detail=export_label(kind=kind, format=format, filters=filters),
        request=request,
    )


@transaction.atomic
def report_job_create(
    *,
    user: User,
    filters: ReportFilters,
    kind: str,
    format: str,
    client_id: UUID | None = None,
    request: HttpRequest | None = None,
) -> ReportJob:
    """Queue a report for a worker (through the outbox, in this transaction) and audit it.
    Once per ``client_id`` (``apps.core.once``): the same request sent again returns the job
    it queued, and nothing more is queued or audited; another report (period, therapist,
    kind, format) under that key is refused."""
    _require_admin(user, filters)
    if kind not in ReportKind.values or format not in ReportFormat.values:
        raise ValidationError({"format": "Choose CSV, Excel or PDF."})
    if kind == ReportKind.DETAIL and format != ReportFormat.CSV:
        raise ValidationError({"format": "The export of every logged set is CSV only."})
    asked = request_print(
        client_id, start=filters.start, end=filters.end, therapist=filters.therapist, kind=kind,
        format=format,
    )  # fmt: skip

    def create() -> ReportJob:
        job = ReportJob.objects.create(
            clinic_id=filters.clinic_id,
            requested_by=user,
            kind=kind,
            format=format,
            filters=filters.as_json(),
            client_id=client_id,
            client_request=asked,
        )
        audit_record(
            actor=user,
            action=Action.EXPORT,
            target=job,
            detail=export_label(kind=kind, format=format, filters=filters),
            request=request,
        )
        # Through the outbox, in this transaction: with the broker down the request still
        # succeeds, and the sweep publishes the job once the broker is back.
        outbox.enqueue(RUN_REPORT_JOB, [job.pk])
        return job

    def same_clinic(first: ReportJob) -> bool:
        return first.clinic_id == filters.clinic_id

    return create_once(ReportJob, client_id, create, same=same_clinic, asked=asked)


def _claim(job_id: int, now: datetime, *, take_over: bool) -> ReportJob | None:
    """Take the job with a conditional UPDATE, so two workers never build it twice; a running
    one too with ``take_over``, or once it is older than STALE_CLAIM."""
    running = Q(status=JobStatus.RUNNING)
    if not take_over:
        running &= Q(started_at__lt=now - STALE_CLAIM)
    claimable = Q(status=JobStatus.PENDING) | running
    taken = (
        # Concurrent UPDATEs of one row serialise; the loser re-checks the WHERE and gets 0.
        ReportJob.objects.filter(claimable, pk=job_id).update(
            status=JobStatus.RUNNING, started_at=now, progress=0
        )
    )
    if not taken:
        return None
    return ReportJob.objects.select_related("requested_by", "clinic").get(pk=job_id)


def _set_progress(job_id: int, percent: int) -> None:
    ReportJob.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(
        progress=max(0, min(99, percent))
    )


def _fail(job_id: int, message: str) -> None:
    ReportJob.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(
        status=JobStatus.FAILED, error=message[:300], finished_at=timezone.now()
    )


def report_job_run(*, job_id: int, take_over: bool = False) -> None:
    """Build a pending job's file and mark it done. Safe to call twice: a job already taken
    or finished is left alone. Runs outside a transaction so progress is visible as it goes.

    ``take_over``: the caller runs the job's outbox message (``outbox.leased``), so nobody
    else is building it: a job still "running" was left so by an earlier attempt that died
    or failed unmarked (a database lost as it finished), and is built again. Without it, such
    a job waits STALE_CLAIM; the outbox's retry, due sooner, would find it taken and drop the
    message as done, leaving the job "being built" for good."""
    job = _claim(job_id, timezone.now(), take_over=take_over)
    if job is None:
        return
    try:
        _require_requester_still_admin(job)
        filters = filters_from_json(clinic_id=job.clinic_id, data=job.filters)
        name = write_report_file(
            job=job, filters=filters, on_progress=lambda p: _set_progress(job_id, p)
        )
    except ValidationError as exc:
        _fail(job_id, " ".join(exc.messages))
        return
    except Exception:
        logger.exception("report job %s failed", job_id)
        _fail(job_id, "The report could not be built. Please try again.")
        raise
    _finish(job_id, name)


CLINIC_SUSPENDED = (
    "The clinic's Clamshell account was suspended: ask for the report again once it is resumed."
)


def _require_requester_still_admin(job: ReportJob) -> None:
    if job.clinic.is_suspended:
        # Nobody of the clinic could download it, and containing a breach must not have a
        # worker write its patients' data to a new file.
        raise ValidationError(CLINIC_SUSPENDED)
    requester = job.requested_by
    if not (requester.is_active and requester.is_clinic_admin) or (
        requester.clinic_id != job.clinic_id
    ):
        raise ValidationError("The person who asked for this report is no longer a clinic admin.")


def _finish(job_id: int, name: str) -> None:
    now = timezone.now()
    done = ReportJob.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(
        status=JobStatus.DONE,
        file=name,
        progress=100,
        finished_at=now,
        expires_at=now + file_lifetime(),
    )
    if not done:
        # Another worker took the job over meanwhile; keep only its file.
        delete_report_file(name)


ERASED_WHILE_BUILT = "A patient was erased while this report was being built: ask for it again."


@transaction.atomic
def report_files_forget(*, clinic_id: int) -> int:
    """Forget the clinic's report files made so far (a patient was erased: a file may name
    them and hold their sets and pain). Ready files are deleted once the caller's transaction
    commits (kept if it rolls back) and their jobs marked expired; a job being built fails,
    so the file its worker is writing is dropped (``_finish`` keeps only a running job's
    file). A job still waiting is built later, without the patient. Returns how many jobs
    it ended."""
    jobs = ReportJob.objects.filter(clinic_id=clinic_id)
    names = list(jobs.filter(status=JobStatus.DONE).values_list("file", flat=True))
    ended = jobs.filter(status=JobStatus.DONE).update(status=JobStatus.EXPIRED, file="")
    ended += jobs.filter(status=JobStatus.RUNNING).update(
        status=JobStatus.FAILED, error=ERASED_WHILE_BUILT, finished_at=timezone.now()
    )
    transaction.on_commit(lambda: _delete_report_files(names))
    return ended


def _delete_report_files(names: list[str]) -> None:
    for name in names:
        delete_report_file(name)


GIVEN_UP = (
    "The report could not be built after several attempts. "
    "Please ask for a shorter period, or try again later."
)


def report_jobs_given_up(*, now: datetime | None = None) -> int:
    """Fail the waiting or running jobs whose outbox message was given up on (every attempt
    failed or its worker died, e.g. out of memory): no worker will build them, and their
    page would say "being built" for good. Returns how many. Idempotent: meant for beat."""
    ids = [args[0] for args in outbox.given_up(RUN_REPORT_JOB) if args]
    if not ids:
        return 0
    return ReportJob.objects.filter(
        pk__in=ids, status__in=(JobStatus.PENDING, JobStatus.RUNNING)
    ).update(status=JobStatus.FAILED, error=GIVEN_UP, finished_at=now or timezone.now())


def report_jobs_expire(*, now: datetime | None = None) -> int:
    """Delete the files of jobs past ``expires_at`` (and stray files) and mark them expired.

    Returns how many jobs expired. Idempotent: meant to run from Celery beat.
    """
    now = now or timezone.now()
    expired = 0
    for job in ReportJob.objects.filter(status=JobStatus.DONE, expires_at__lte=now):
        delete_report_file(job.file.name or "")
        expired += ReportJob.objects.filter(pk=job.pk, status=JobStatus.DONE).update(
            status=JobStatus.EXPIRED, file=""
        )
    kept = set(ReportJob.objects.exclude(file="").values_list("file", flat=True))
    for name in orphan_report_files(kept=kept, older_than=now - file_lifetime()):
        delete_report_file(name)
    return expired
