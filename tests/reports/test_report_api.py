"""/api/v1/reports/jobs/: request an export, poll it, download it."""

from datetime import date

import pytest
import time_machine

from apps.audit.models import Action, AuditEntry
from apps.reports import tasks
from apps.reports.models import JobStatus, ReportJob
from tests.conftest import signed_in
from tests.factories import ExerciseItemFactory, ProgramFactory
from tests.reports.report_factories import SetLogFactory, parse_csv, streamed

pytestmark = pytest.mark.django_db

JOBS = "/api/v1/reports/jobs/"
BODY = {"start": "2026-02-01", "end": "2026-02-07", "format": "csv"}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel("2026-02-10 12:00Z", tick=False):
        yield


@pytest.fixture
def logged(patient_a):
    item = ExerciseItemFactory(
        program=ProgramFactory(patient=patient_a, start_date=date(2026, 1, 1))
    )
    SetLogFactory(item=item, performed_on=date(2026, 2, 3))


def test_an_admin_requests_polls_and_downloads_a_report(admin_a, logged):
    client = signed_in(admin_a)

    created = client.post(JOBS, BODY, content_type="application/json")
    assert created.status_code == 202
    job_url = f"{JOBS}{created.json()['id']}/"
    assert client.get(job_url).json()["status"] == JobStatus.PENDING
    assert client.get(job_url).json()["download_url"] is None
    tasks.run_report_job(ReportJob.objects.get().pk)
    polled = client.get(job_url).json()
    assert (polled["status"], polled["progress"]) == (JobStatus.DONE, 100)
    download = client.get(polled["download_url"])

    assert download.status_code == 200
    assert parse_csv(streamed(download))[1][1] == "Ann A"
    assert [e.action for e in AuditEntry.objects.all()] == [Action.EXPORT, Action.EXPORT]
    assert [j["id"] for j in client.get(JOBS).json()["results"]] == [created.json()["id"]]


def test_bad_input_is_a_400_in_the_api_error_format(admin_a, therapist_b):
    client = signed_in(admin_a)

    backwards = client.post(JOBS, {**BODY, "start": "2026-02-08"}, content_type="application/json")
    foreign = client.post(
        JOBS, {**BODY, "therapist": str(therapist_b.public_id)}, content_type="application/json"
    )
    detail_pdf = client.post(
        JOBS, {**BODY, "kind": "detail", "format": "pdf"}, content_type="application/json"
    )

    assert backwards.status_code == 400
    assert backwards.json()["errors"] == {
        "end": ["The end date must be on or after the start date."]
    }
    assert foreign.status_code == 400
    assert "therapist" in foreign.json()["errors"]
    assert detail_pdf.status_code == 400
    assert "format" in detail_pdf.json()["errors"]
    assert not ReportJob.objects.exists()


def test_a_therapist_is_refused_and_another_clinic_gets_a_404(
    admin_a, admin_b, therapist_a, logged
):
    created = signed_in(admin_a).post(JOBS, BODY, content_type="application/json").json()
    tasks.run_report_job(ReportJob.objects.get().pk)

    therapist = signed_in(therapist_a)
    assert therapist.post(JOBS, BODY, content_type="application/json").status_code == 403
    assert therapist.get(f"{JOBS}{created['id']}/file/").status_code == 403
    other = signed_in(admin_b)
    assert other.get(f"{JOBS}{created['id']}/").status_code == 404
    assert other.get(f"{JOBS}{created['id']}/file/").status_code == 404
    assert other.get(JOBS).json()["results"] == []
