"""A background report asked for before its clinic was suspended is not built while it is:
the job fails saying why (nobody of the clinic can download it meanwhile, and a breach being
contained must not have a worker write its patients' data to a new file)."""

from __future__ import annotations

import pytest

from apps.clinics.models import User
from apps.clinics.services import clinic_resume, clinic_suspend
from apps.reports import services
from apps.reports.models import JobStatus, ReportJob
from tests.conftest import signed_in
from tests.reports.test_report_jobs import (  # noqa: F401  # fixtures
    _request_detail_job,
    clock,
    logs,
    media_dir,
)

pytestmark = pytest.mark.django_db


def test_a_job_of_a_suspended_clinic_fails_saying_why_and_writes_no_file(admin_a, logs, media_dir):  # noqa: F811
    _request_detail_job(signed_in(admin_a))
    operator = User.objects.create_superuser("ops@example.org", "a long operator password")
    clinic_suspend(clinic=admin_a.clinic, actor=operator, reason="Breach")

    services.report_job_run(job_id=ReportJob.objects.get().pk)

    job = ReportJob.objects.get()
    assert (job.status, job.file.name) == (JobStatus.FAILED, "")
    assert job.error == services.CLINIC_SUSPENDED
    assert "ask for the report again once it is resumed" in job.error
    assert not (media_dir / "reports").exists() or not list((media_dir / "reports").iterdir())
    clinic_resume(clinic=admin_a.clinic, actor=operator)
    assert _request_detail_job(signed_in(admin_a)).status_code in (200, 302)
