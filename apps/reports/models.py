"""Report jobs: adherence exports too large to build inside a web request.

A job is requested by a clinic admin, built by a Celery worker on the ``reports`` queue, and
its file is kept under ``MEDIA_ROOT/reports/`` with an unguessable name until ``expires_at``.
The file is only ever served through a view that checks the job belongs to the user's clinic.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from apps.clinics.models import Clinic
from apps.core.once import client_request_field

if TYPE_CHECKING:
    from apps.clinics.models import User


class ReportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "Excel"
    PDF = "pdf", "PDF"


class ReportKind(models.TextChoices):
    SUMMARY = "summary", "Adherence per patient"
    DETAIL = "detail", "Every logged set"


class JobStatus(models.TextChoices):
    PENDING = "pending", "Waiting to start"
    RUNNING = "running", "Being built"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"
    EXPIRED = "expired", "Expired"


class ReportJobQuerySet(models.QuerySet["ReportJob"]):
    def visible_to(self, user: User) -> ReportJobQuerySet:
        """Jobs this user may see: a clinic admin sees their clinic's, nobody else any."""
        if not user.is_authenticated or not user.is_clinic_admin or user.clinic_id is None:
            return self.none()
        return self.filter(clinic_id=user.clinic_id)


class ReportJob(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="report_jobs")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="report_jobs"
    )
    kind = models.CharField(max_length=16, choices=ReportKind.choices)
    format = models.CharField(max_length=8, choices=ReportFormat.choices)
    # {"start": "YYYY-MM-DD", "end": "YYYY-MM-DD", "therapist": "<public_id>" | None}
    filters = models.JSONField(default=dict)
    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)
    # Relative to MEDIA_ROOT, e.g. "reports/<random>.csv"; empty until built and after expiry.
    file = models.FileField(upload_to="reports/", max_length=200, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    # The one-time key of the request that asked for it (apps.core.once): sent again (a
    # double click on the download button, an API retry) it finds this job instead of
    # queueing the same report twice.
    client_id = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    client_request = client_request_field()  # what it asked for (apps.core.once)

    objects = ReportJobQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-pk"]
        indexes: ClassVar[list[Any]] = [
            models.Index(fields=["clinic", "-created_at"]),
            models.Index(fields=["status", "expires_at"]),
        ]
        constraints: ClassVar[list[Any]] = [
            models.CheckConstraint(
                condition=Q(progress__gte=0) & Q(progress__lte=100), name="report_progress_0_100"
            ),
            models.CheckConstraint(
                condition=Q(status__in=JobStatus.values), name="report_status_known"
            ),
            models.CheckConstraint(
                condition=Q(format__in=ReportFormat.values), name="report_format_known"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ReportKind.values), name="report_kind_known"
            ),
            models.CheckConstraint(
                condition=~Q(status=JobStatus.DONE) | ~Q(file=""), name="report_done_has_file"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.format}) {self.public_id}"

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED, JobStatus.EXPIRED)

    @property
    def is_downloadable(self) -> bool:
        return (
            self.status == JobStatus.DONE
            and bool(self.file)
            and (self.expires_at is None or self.expires_at > timezone.now())
        )
