"""A background report limited to one therapist names them, on its page and in the report
page's list of recent background reports (the stored filter holds only their reference)."""

from datetime import date

import pytest

from apps.reports.exports.filters import ReportFilters
from apps.reports.models import ReportFormat, ReportJob, ReportKind
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db


def _job(admin, therapist=None):
    period = ReportFilters(clinic_id=admin.clinic_id, start=date(2026, 2, 1), end=date(2026, 2, 7))
    stored = {**period.as_json(), "therapist": str(therapist.public_id) if therapist else None}
    return ReportJob.objects.create(
        clinic=admin.clinic,
        requested_by=admin,
        kind=ReportKind.SUMMARY,
        format=ReportFormat.CSV,
        filters=stored,
    )


def test_a_job_for_one_therapist_names_them_on_its_page(admin_a, therapist_a):
    therapist_a.full_name = "Alex Kim"
    therapist_a.save(update_fields=["full_name"])
    job = _job(admin_a, therapist_a)

    page = signed_in(admin_a).get(f"/reports/jobs/{job.public_id}/").content.decode()

    assert "Alex Kim's patients" in page


def test_the_recent_jobs_say_whose_patients_each_covers(admin_a, therapist_a):
    therapist_a.full_name = "Alex Kim"
    therapist_a.save(update_fields=["full_name"])
    _job(admin_a, therapist_a)
    _job(admin_a)

    page = signed_in(admin_a).get("/reports/adherence/").content.decode()

    assert "Alex Kim's patients" in page
    assert "the whole clinic" in page
