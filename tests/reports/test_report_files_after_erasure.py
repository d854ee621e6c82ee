"""Erasing a patient forgets the clinic's report files made before: a file may name the
patient and hold their sets and pain, and it stayed downloadable (and on disk, in backups of
MEDIA_ROOT) for up to 24 hours after the erasure."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import time_machine

from apps.patients.privacy import patient_erase
from apps.reports import services, tasks
from apps.reports.models import JobStatus, ReportJob
from tests.conftest import signed_in
from tests.factories import ExerciseItemFactory, ProgramFactory
from tests.reports.report_factories import SetLogFactory

pytestmark = pytest.mark.django_db

EXPORT = "/reports/adherence/"  # the downloads are posted to the report page
PERIOD = {"start": "2026-02-01", "end": "2026-02-07", "format": "csv", "kind": "detail"}


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel("2026-02-10 12:00Z", tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def media_dir(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.REPORT_BACKGROUND_THRESHOLD = {"patients": 500, "set_logs": 3}
    return Path(settings.MEDIA_ROOT)


def _logs(patient):
    item = ExerciseItemFactory(program=ProgramFactory(patient=patient, start_date=date(2026, 1, 1)))
    for day in range(1, 6):
        SetLogFactory(item=item, performed_on=date(2026, 2, day))


def _built_job(admin) -> ReportJob:
    signed_in(admin).post(EXPORT, PERIOD)
    job = ReportJob.objects.filter(clinic=admin.clinic).latest("created_at")
    tasks.run_report_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    return job


def test_erasing_a_patient_deletes_the_clinics_report_files(
    admin_a, admin_b, patient_a, patient_b, media_dir, django_capture_on_commit_callbacks
):
    _logs(patient_a)
    _logs(patient_b)
    ours, theirs = _built_job(admin_a), _built_job(admin_b)
    our_file = media_dir / ours.file.name
    assert patient_a.full_name in our_file.read_text()

    with django_capture_on_commit_callbacks(execute=True):
        patient_erase(actor=admin_a, patient=patient_a, confirmation=patient_a.full_name)

    ours.refresh_from_db()
    assert (ours.status, ours.file.name) == (JobStatus.EXPIRED, "")
    assert not our_file.exists()
    download = signed_in(admin_a).get(f"/reports/jobs/{ours.public_id}/download/")
    assert download.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == JobStatus.DONE, "another clinic's files are not touched"
    assert (media_dir / theirs.file.name).exists()


def test_a_report_being_built_during_an_erasure_keeps_no_file(
    admin_a, patient_a, media_dir, monkeypatch, django_capture_on_commit_callbacks
):
    _logs(patient_a)
    signed_in(admin_a).post(EXPORT, PERIOD)
    job = ReportJob.objects.get()
    write = services.write_report_file

    def erased_meanwhile(**kwargs):
        name = write(**kwargs)  # the worker has read the patient's sets already
        with django_capture_on_commit_callbacks(execute=True):
            patient_erase(actor=admin_a, patient=patient_a, confirmation=patient_a.full_name)
        return name

    monkeypatch.setattr(services, "write_report_file", erased_meanwhile)
    tasks.run_report_job(job.pk)

    job.refresh_from_db()
    assert (job.status, job.file.name) == (JobStatus.FAILED, "")
    assert list((media_dir / "reports").iterdir()) == []
