"""Background report jobs: threshold, building, progress, access to the file, expiry."""

import os
from datetime import date, timedelta
from io import BytesIO
from pathlib import Path

import pytest
import time_machine
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from apps.audit.models import Action, AuditEntry
from apps.core import outbox
from apps.core.models import OutboxMessage, OutboxStatus
from apps.core.outbox import outbox_sweep
from apps.reports import services, tasks
from apps.reports.exports.filters import ReportFilters
from apps.reports.models import JobStatus, ReportJob
from config.celery import app as celery_app
from tests.conftest import celery_conf, signed_in
from tests.factories import AdminFactory, ExerciseItemFactory, ProgramFactory
from tests.reports.report_factories import SetLogFactory, parse_csv, streamed

pytestmark = pytest.mark.django_db

EXPORT = "/reports/adherence/"  # the downloads are posted to the report page
PERIOD = {"start": "2026-02-01", "end": "2026-02-07"}


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel("2026-02-10 12:00Z", tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def media_dir(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.REPORT_BACKGROUND_THRESHOLD = {"patients": 500, "set_logs": 3}
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def logs(patient_a):
    program = ProgramFactory(patient=patient_a, start_date=date(2026, 1, 1))
    item = ExerciseItemFactory(program=program)
    return [SetLogFactory(item=item, performed_on=date(2026, 2, d)) for d in range(1, 6)]


def _request_detail_job(client):
    return client.post(EXPORT, {**PERIOD, "format": "csv", "kind": "detail"})


def test_it_sends_a_report_over_the_threshold_to_the_background(
    admin_a, logs, django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr(
        celery_app, "send_task", lambda name, **kw: queued.append((name, kw["args"]))
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = _request_detail_job(signed_in(admin_a))

    job = ReportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/reports/jobs/{job.public_id}/"
    assert queued == [(tasks.run_report_job.name, [job.pk])]
    assert (job.status, job.kind, job.format, job.requested_by) == (
        JobStatus.PENDING,
        "detail",
        "csv",
        admin_a,
    )
    assert job.filters == {"start": "2026-02-01", "end": "2026-02-07", "therapist": None}


def test_a_report_asked_for_while_the_broker_is_down_is_built_once_it_is_back(
    admin_a, logs, media_dir, django_capture_on_commit_callbacks, monkeypatch
):
    def broker_down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(celery_app, "send_task", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        response = _request_detail_job(signed_in(admin_a))

    job = ReportJob.objects.get()
    assert response.status_code == 302
    assert job.status == JobStatus.PENDING

    monkeypatch.undo()
    with celery_conf(task_always_eager=True):  # the worker, once the broker is back
        outbox_sweep(now=timezone.now())

    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert outbox_sweep(now=timezone.now()) == 0, "done: never queued again"


def test_it_builds_the_job_file_and_serves_it_to_the_clinic_admin(admin_a, logs, media_dir):
    client = signed_in(admin_a)
    _request_detail_job(client)
    job = ReportJob.objects.get()

    tasks.run_report_job(job.pk)

    job.refresh_from_db()
    assert (job.status, job.progress) == (JobStatus.DONE, 100)
    assert job.file.name.startswith("reports/")
    assert len(Path(job.file.name).stem) >= 40, "the name is long and random"
    assert (media_dir / job.file.name).exists()
    assert job.expires_at == timezone.now() + timedelta(hours=24)
    page = client.get(f"/reports/jobs/{job.public_id}/progress/", HTTP_HX_REQUEST="true")
    assert f"/reports/jobs/{job.public_id}/download/".encode() in page.content
    assert b"hx-trigger" not in page.content, "a finished job stops polling"
    response = client.get(f"/reports/jobs/{job.public_id}/download/")
    assert response.status_code == 200
    assert "adherence-sets-2026-02-01-to-2026-02-07.csv" in response["Content-Disposition"]
    rows = parse_csv(streamed(response))
    assert [row[2] for row in rows[1:]] == [f"2026-02-0{d}" for d in range(1, 6)]


def test_a_running_job_page_polls_and_shows_its_progress(admin_a, logs):
    client = signed_in(admin_a)
    _request_detail_job(client)
    job = ReportJob.objects.get()
    ReportJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, progress=40)

    page = client.get(f"/reports/jobs/{job.public_id}/")

    assert b'<progress id="job-progress" max="100" value="40">' in page.content
    assert b'hx-trigger="every 2s"' in page.content


def test_running_a_job_twice_builds_it_once(admin_a, logs, media_dir):
    _request_detail_job(signed_in(admin_a))
    job = ReportJob.objects.get()

    services.report_job_run(job_id=job.pk)
    first = ReportJob.objects.get().file.name
    services.report_job_run(job_id=job.pk)

    assert ReportJob.objects.get().file.name == first
    assert len(list((media_dir / "reports").iterdir())) == 1


def test_a_job_abandoned_by_a_dead_worker_is_taken_over(admin_a, logs, clock):
    _request_detail_job(signed_in(admin_a))
    job = ReportJob.objects.get()
    ReportJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=timezone.now())
    services.report_job_run(job_id=job.pk)
    assert ReportJob.objects.get().status == JobStatus.RUNNING, "a live worker is not overtaken"

    clock.shift(timedelta(hours=1))
    services.report_job_run(job_id=job.pk)

    assert ReportJob.objects.get().status == JobStatus.DONE


def test_a_job_whose_worker_died_is_built_once_the_outbox_hands_it_on(admin_a, logs, clock):
    # The request commits the job and its outbox row; nothing is published here (no
    # on-commit callbacks), as if the message were already in the queue.
    _request_detail_job(signed_in(admin_a))
    job = ReportJob.objects.get()
    message = OutboxMessage.objects.get(task=tasks.run_report_job.name)
    # A worker took the message and the job, then was killed mid-build: the row stays leased
    # and the job running, as a killed process leaves them.
    lease = tasks.run_report_job._lease()
    assert outbox.claim(message.pk, lease=lease, now=timezone.now())
    ReportJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=timezone.now())
    clock.shift(timedelta(seconds=tasks.REPORT_TIME_LIMIT - 1))
    services.report_job_run(job_id=job.pk)
    assert ReportJob.objects.get().status == JobStatus.RUNNING, "it may still be building it"

    # The lease runs out: the outbox decides the worker is gone and publishes the job again.
    clock.shift(lease - timedelta(seconds=tasks.REPORT_TIME_LIMIT - 2))
    with celery_conf(task_always_eager=True):
        assert outbox_sweep(now=timezone.now()) == 1

    assert ReportJob.objects.get().status == JobStatus.DONE
    assert OutboxMessage.objects.get(pk=message.pk).status == OutboxStatus.DONE


def test_a_job_left_running_by_a_failed_attempt_is_built_by_the_outbox_retry(admin_a, logs, clock):
    _request_detail_job(signed_in(admin_a))
    job = ReportJob.objects.get()
    message = OutboxMessage.objects.get(task=tasks.run_report_job.name)
    # An attempt took the message and the job, then lost the database where it could not
    # mark the job failed (finishing it, say): the error reached the outbox, which released
    # the message for a retry with backoff, and the job stayed running.
    assert outbox.claim(message.pk, lease=tasks.run_report_job._lease(), now=timezone.now())
    ReportJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=timezone.now())
    retry_at = timezone.now() + outbox.backoff(1)
    outbox.release(message.pk, available_at=retry_at, error="OperationalError('connection lost')")

    clock.shift(outbox.backoff(1) + timedelta(seconds=1))
    with celery_conf(task_always_eager=True):
        assert outbox_sweep(now=timezone.now()) == 1

    assert ReportJob.objects.get().status == JobStatus.DONE
    assert OutboxMessage.objects.get(pk=message.pk).status == OutboxStatus.DONE


def test_a_job_whose_message_was_given_up_fails_with_a_message(admin_a, logs, clock):
    job_page = _request_detail_job(signed_in(admin_a))["Location"]
    job = ReportJob.objects.get()
    message = OutboxMessage.objects.get(task=tasks.run_report_job.name)
    # Every attempt took the job and its worker was killed building it (a file too big for
    # the worker's memory, say), until the outbox gave the message up.
    lease = tasks.run_report_job._lease()
    for _ in range(outbox.MAX_ATTEMPTS):
        assert outbox.claim(message.pk, lease=lease, now=timezone.now())
        ReportJob.objects.filter(pk=job.pk).update(
            status=JobStatus.RUNNING, started_at=timezone.now()
        )
        clock.shift(lease + timedelta(seconds=1))
    outbox_sweep(now=timezone.now())
    assert OutboxMessage.objects.get(pk=message.pk).status == OutboxStatus.DEAD

    tasks.purge_expired_reports()  # hourly (beat)
    tasks.purge_expired_reports()

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == services.GIVEN_UP
    assert services.GIVEN_UP in signed_in(admin_a).get(job_page).content.decode()


def test_the_progress_opened_directly_in_the_browser_leads_to_the_jobs_page(admin_a, logs):
    # The progress is a part of the job's page, polled by htmx: opened on its own (a new
    # tab, a bookmark) it showed a bare fragment with no title or layout.
    client = signed_in(admin_a)
    _request_detail_job(client)
    job = ReportJob.objects.get()

    opened = client.get(f"/reports/jobs/{job.public_id}/progress/")
    polled = client.get(f"/reports/jobs/{job.public_id}/progress/", HTTP_HX_REQUEST="true")

    assert (opened.status_code, opened["Location"]) == (302, f"/reports/jobs/{job.public_id}/")
    assert polled.status_code == 200
    assert b'id="job-status"' in polled.content
    assert b"<title>" not in polled.content


def test_another_clinics_job_progress_is_a_404_opened_directly_or_polled(
    admin_a, admin_b, therapist_a, logs
):
    _request_detail_job(signed_in(admin_a))
    job = ReportJob.objects.get()
    url = f"/reports/jobs/{job.public_id}/progress/"

    for user, status in ((admin_b, 404), (therapist_a, 403)):
        client = signed_in(user)
        assert client.get(url).status_code == status
        assert client.get(url, HTTP_HX_REQUEST="true").status_code == status


def test_another_clinics_admin_and_a_therapist_cannot_fetch_the_file(
    admin_a, admin_b, therapist_a, logs
):
    _request_detail_job(signed_in(admin_a))
    job = ReportJob.objects.get()
    tasks.run_report_job(job.pk)

    # Another clinic's job is a 404; a therapist may not use report pages at all: 403.
    for user, status in ((admin_b, 404), (therapist_a, 403)):
        client = signed_in(user)
        for suffix in ("", "progress/", "download/"):
            assert client.get(f"/reports/jobs/{job.public_id}/{suffix}").status_code == status


def test_the_file_is_deleted_after_24_hours_by_the_cleanup_task(admin_a, logs, clock, media_dir):
    client = signed_in(admin_a)
    _request_detail_job(client)
    job = ReportJob.objects.get()
    tasks.run_report_job(job.pk)
    stray = media_dir / "reports" / "left-behind.csv"
    stray.write_text("x")
    written = (timezone.now() - timedelta(hours=1)).timestamp()
    os.utime(stray, (written, written))

    clock.shift(timedelta(hours=23))
    client = signed_in(admin_a)  # staff sessions end after 30 idle minutes
    assert tasks.purge_expired_reports() == 0
    assert stray.exists(), "a stray file is kept for 24 hours too"
    assert client.get(f"/reports/jobs/{job.public_id}/download/").status_code == 200
    clock.shift(timedelta(hours=1, seconds=1))
    client = signed_in(admin_a)
    assert client.get(f"/reports/jobs/{job.public_id}/download/").status_code == 404
    assert tasks.purge_expired_reports() == 1

    job.refresh_from_db()
    assert (job.status, job.file.name) == (JobStatus.EXPIRED, "")
    assert list((media_dir / "reports").iterdir()) == []
    assert b"Expired" in client.get(f"/reports/jobs/{job.public_id}/").content


def test_a_job_fails_with_a_message_when_its_requester_is_no_longer_an_admin(admin_a, logs):
    _request_detail_job(signed_in(admin_a))
    job = ReportJob.objects.get()
    admin_a.role = "therapist"
    admin_a.save(update_fields=["role"])

    tasks.run_report_job(job.pk)

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "no longer a clinic admin" in job.error
    assert not job.file


def test_requesting_and_downloading_a_job_are_each_audited(admin_a, logs):
    client = signed_in(admin_a)
    _request_detail_job(client)
    job = ReportJob.objects.get()
    tasks.run_report_job(job.pk)
    client.get(f"/reports/jobs/{job.public_id}/download/")

    entries = list(AuditEntry.objects.order_by("sequence"))
    assert [(e.action, e.target_ref, e.detail) for e in entries] == [
        (Action.EXPORT, str(job.public_id), "adherence sets csv 2026-02-01..2026-02-07"),
        (
            Action.EXPORT,
            str(job.public_id),
            "adherence sets csv 2026-02-01..2026-02-07 file download",
        ),
    ]


def test_only_the_clinics_admins_can_request_a_job(therapist_a, clinic_a):
    filters = ReportFilters(clinic_id=clinic_a.pk, start=date(2026, 2, 1), end=date(2026, 2, 7))
    other_admin = AdminFactory()

    for user in (therapist_a, other_admin):
        with pytest.raises(services.PermissionDenied):
            services.report_job_create(user=user, filters=filters, kind="detail", format="csv")
    assert not ReportJob.objects.exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf"])
def test_a_large_summary_report_completes_in_the_background(
    admin_a, logs, settings, monkeypatch, fmt
):
    settings.REPORT_BACKGROUND_THRESHOLD = {"patients": 0}
    client = signed_in(admin_a)
    response = client.post(EXPORT, {**PERIOD, "format": fmt})
    job = ReportJob.objects.get()
    assert response["Location"] == f"/reports/jobs/{job.public_id}/"
    progress = []
    record = services._set_progress
    monkeypatch.setattr(
        services, "_set_progress", lambda pk, p: [progress.append(p), record(pk, p)]
    )

    tasks.run_report_job.apply(args=[job.pk])  # runs the task here, as a worker would

    job.refresh_from_db()
    assert (job.status, job.format, job.progress) == (JobStatus.DONE, fmt, 100)
    assert progress, "progress was reported while building"
    download = client.get(f"/reports/jobs/{job.public_id}/download/")
    body = streamed(download)
    assert download["Content-Disposition"].endswith(f'-2026-02-07.{fmt}"')
    if fmt == "csv":
        assert parse_csv(body)[1][1] == "Ann A"
    elif fmt == "xlsx":
        assert load_workbook(BytesIO(body))["Patients"]["A2"].value == "Ann A"
    else:
        pages = PdfReader(BytesIO(body)).pages
        assert "Ann A" in "".join(page.extract_text() for page in pages)
