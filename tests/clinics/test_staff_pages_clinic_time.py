"""Staff pages show moments (an audit entry, a report requested, an invitation) in the clinic's
time zone, the zone the audit log's date filters and the clinic's "today" already use."""

from datetime import date

import pytest
import time_machine

from apps.audit.models import Action
from apps.audit.services import audit_record
from apps.reports.exports.filters import ReportFilters
from apps.reports.models import ReportFormat, ReportKind
from apps.reports.services import report_job_create
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db

# 02:30 UTC on 7 Dec is 21:30 on 6 Dec in New York.
LATE_EVENING = "2026-12-07 02:30:00Z"


@pytest.fixture
def new_york(clinic_a):
    clinic_a.time_zone = "America/New_York"
    clinic_a.save(update_fields=["time_zone"])
    return clinic_a


def test_an_audit_entry_shows_the_clinics_day_and_time_as_its_date_filter_counts_it(
    new_york, admin_a, patient_a
):
    with time_machine.travel(LATE_EVENING, tick=False):
        audit_record(actor=admin_a, action=Action.VIEW, patient=patient_a, target=patient_a)
    client = signed_in(admin_a)

    on_the_sixth = client.get("/audit/", {"date_from": "2026-12-06", "date_to": "2026-12-06"})

    assert [e.action for e in on_the_sixth.context["page"]] == [Action.VIEW]
    assert b"6 Dec 2026 21:30" in on_the_sixth.content
    assert b"7 Dec 2026" not in on_the_sixth.content


def test_a_background_report_names_the_clinics_time_and_zone(new_york, admin_a):
    filters = ReportFilters(
        clinic_id=new_york.pk, start=date(2026, 11, 1), end=date(2026, 11, 30), therapist=None
    )
    with time_machine.travel(LATE_EVENING, tick=False):
        job = report_job_create(
            user=admin_a, filters=filters, kind=ReportKind.SUMMARY, format=ReportFormat.CSV
        )
    client = signed_in(admin_a)

    job_page = client.get(f"/reports/jobs/{job.public_id}/").content.decode()
    report_page = client.get("/reports/adherence/").content.decode()

    assert "Requested 6 Dec 2026 at 21:30 (America/New_York)." in job_page
    assert "6 Dec 2026, 21:30" in report_page


def test_an_invitation_shows_the_clinics_day(new_york, admin_a):
    with time_machine.travel(LATE_EVENING, tick=False):
        signed_in(admin_a).post(
            "/clinic/staff/",
            {"full_name": "Robin Lane", "email": "robin@a.example", "role": "therapist"},
        )

    page = signed_in(admin_a).get("/clinic/staff/").content.decode()

    assert "Invited on 6 Dec 2026" in page


def test_the_api_keeps_utc(new_york, admin_a):
    filters = ReportFilters(
        clinic_id=new_york.pk, start=date(2026, 11, 1), end=date(2026, 11, 30), therapist=None
    )
    with time_machine.travel(LATE_EVENING, tick=False):
        job = report_job_create(
            user=admin_a, filters=filters, kind=ReportKind.SUMMARY, format=ReportFormat.CSV
        )

    answer = signed_in(admin_a).get(f"/api/v1/reports/jobs/{job.public_id}/").json()

    assert answer["created_at"].startswith("2026-12-07T02:30:00")
