"""A background export asked for twice with the same one-time key (a double click on CSV, an
API retry) is queued once: the second request answers with the first's job. Each button of
the page is a choice of its own, so CSV then Excel from one drawing queues both."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
import time_machine

from apps.audit.models import Action, AuditEntry
from apps.core.models import OutboxMessage
from apps.reports import services
from apps.reports.exports.filters import ReportFilters
from apps.reports.models import ReportJob
from tests.conftest import signed_in
from tests.factories import ExerciseItemFactory, ProgramFactory
from tests.once import assert_reused, form_key
from tests.programs.races import race
from tests.reports.report_factories import SetLogFactory

PAGE = "/reports/adherence/?start=2026-02-01&end=2026-02-07"
EXPORT = "/reports/adherence/"  # the downloads are posted to the report page
DOWNLOADS = 'class="report-downloads"'  # the first download form (CSV, Excel, PDF)
JOBS = "/api/v1/reports/jobs/"
PERIOD = {"start": "2026-02-01", "end": "2026-02-07"}
JSON = {"content_type": "application/json"}


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel("2026-02-10 12:00Z", tick=False):
        yield


@pytest.fixture(autouse=True)
def background(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.REPORT_BACKGROUND_THRESHOLD = {"patients": 500, "set_logs": 3}


@pytest.fixture
def logs(patient_a):
    program = ProgramFactory(patient=patient_a, start_date=date(2026, 1, 1))
    item = ExerciseItemFactory(program=program)
    return [SetLogFactory(item=item, performed_on=date(2026, 2, d)) for d in range(1, 6)]


def _exports() -> int:
    return AuditEntry.objects.filter(action=Action.EXPORT).count()


@pytest.mark.django_db
def test_a_double_click_on_a_download_button_queues_the_report_once(admin_a, logs):
    client = signed_in(admin_a)
    key = form_key(client.get(PAGE).content.decode(), marked=DOWNLOADS)
    form = {**PERIOD, "kind": "summary", "format": "csv", "client_id": key}

    answers = [client.post(EXPORT, form) for _ in range(2)]

    job = ReportJob.objects.get()  # one job, one audit entry, one task in the outbox
    assert {a["Location"] for a in answers} == {f"/reports/jobs/{job.public_id}/"}
    assert _exports() == 1
    assert OutboxMessage.objects.count() == 1


@pytest.mark.django_db
def test_another_button_of_the_same_page_queues_its_own_report(admin_a, logs):
    client = signed_in(admin_a)
    key = form_key(client.get(PAGE).content.decode(), marked=DOWNLOADS)
    form = {**PERIOD, "kind": "summary", "client_id": key}

    client.post(EXPORT, form | {"format": "csv"})
    client.post(EXPORT, form | {"format": "xlsx"})

    assert sorted(ReportJob.objects.values_list("format", flat=True)) == ["csv", "xlsx"]


@pytest.mark.django_db
def test_each_drawing_of_the_report_page_gets_new_keys(admin_a, logs):
    client = signed_in(admin_a)

    keys = {form_key(client.get(PAGE).content.decode(), marked=DOWNLOADS) for _ in range(2)}

    assert len(keys) == 2


@pytest.mark.django_db
def test_the_api_retried_with_its_client_id_answers_200_with_the_same_job(admin_a, logs):
    client = signed_in(admin_a)
    body = {**PERIOD, "format": "csv", "client_id": str(uuid.uuid4())}

    first = client.post(JOBS, body, **JSON)
    again = client.post(JOBS, body, **JSON)

    assert (first.status_code, again.status_code) == (202, 200)
    assert again.json()["id"] == first.json()["id"]
    assert (ReportJob.objects.count(), _exports()) == (1, 1)


@pytest.mark.django_db
def test_a_client_id_of_another_clinics_report_is_refused(admin_a, admin_b, logs):
    body = {**PERIOD, "format": "csv", "client_id": str(uuid.uuid4())}
    signed_in(admin_a).post(JOBS, body, **JSON)

    other_clinic = signed_in(admin_b).post(JOBS, body, **JSON)

    assert other_clinic.status_code == 400
    assert set(other_clinic.json()["errors"]) == {"client_id"}  # nothing told about it
    assert ReportJob.objects.count() == 1


@pytest.mark.django_db
def test_a_client_id_sent_again_for_another_report_is_a_409_naming_what_differs(admin_a, logs):
    body = {**PERIOD, "format": "csv", "client_id": str(uuid.uuid4())}
    signed_in(admin_a).post(JOBS, body, **JSON)

    again = signed_in(admin_a).post(JOBS, body | {"format": "pdf", "end": "2026-02-08"}, **JSON)

    assert_reused(again, "end", "format")
    job = ReportJob.objects.get()
    assert (job.format, job.filters["end"]) == ("csv", "2026-02-07")
    assert (_exports(), OutboxMessage.objects.count()) == (1, 1)


@pytest.mark.django_db(transaction=True)
def test_two_requests_with_one_key_at_the_same_moment_queue_one_job(
    require_postgres, admin_a, logs
):
    """Writer A queues the job and holds its transaction open; writer B, the double click,
    waits on the unique key; A commits. B answers with A's job and queues nothing."""
    filters = ReportFilters(
        clinic_id=admin_a.clinic_id, start=date(2026, 2, 1), end=date(2026, 2, 7)
    )
    key = uuid.uuid4()
    made: list[ReportJob] = []

    def ask() -> None:
        made.append(
            services.report_job_create(
                user=admin_a, filters=filters, kind="summary", format="csv", client_id=key
            )
        )

    race(ask, ask)

    assert ReportJob.objects.count() == 1
    assert made[0].pk == made[1].pk
    assert OutboxMessage.objects.count() == 1
