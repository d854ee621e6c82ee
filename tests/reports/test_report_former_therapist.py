"""A therapist deactivated since is still in the report's therapist filter for a period in
which they looked after patients of the clinic (``CareSpell``), marked "(no longer active)",
on the page, in its downloads, in the report jobs API and in a job run later; for a period
in which they looked after nobody they are not offered, and another clinic's former
therapist never is.

Frozen at Thursday 12 March 2026, 12:00 UTC. Dee looks after Ann from 1 March and hands her
over to Priya on Monday 9 March at 10:00; Dee is then deactivated. Ann logs one set a day
from 2 to 10 March on a daily one-set program.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import time_machine

from apps.clinics.services import staff_set_active
from apps.patients.services import patient_create, patient_update_partial
from apps.reports import tasks
from apps.reports.exports.build import build_report
from apps.reports.exports.filters import ReportFilters
from apps.reports.models import JobStatus, ReportJob
from tests.conftest import signed_in
from tests.factories import ExerciseItemFactory, ProgramFactory, StaffFactory
from tests.reports.report_factories import log_sets, parse_csv, streamed

pytestmark = pytest.mark.django_db

PAGE, JOBS = "/reports/adherence/", "/api/v1/reports/jobs/"
EXPORT = PAGE  # the downloads are posted to the report page
START, END = date(2026, 3, 2), date(2026, 3, 15)
PERIOD = {"start": START.isoformat(), "end": END.isoformat()}
# From the hand-over's day on, the patients were no longer Dee's.
AFTER = {"start": "2026-03-09", "end": "2026-03-15"}
NOW = datetime.fromisoformat("2026-03-12T12:00Z")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def dee(clinic_a):
    return StaffFactory(clinic=clinic_a, full_name="Dee Dale")


@pytest.fixture
def priya(clinic_a):
    return StaffFactory(clinic=clinic_a, full_name="Priya Patel")


@pytest.fixture(autouse=True)
def ann(dee, priya, admin_a):
    with time_machine.travel("2026-03-01T09:00Z", tick=False):
        ann = patient_create(
            therapist=dee, full_name="Ann Adams", year_of_birth=1970, email="p@mail.example"
        )
    item = ExerciseItemFactory(
        program=ProgramFactory(patient=ann, name="Hip strength", start_date=START),
        sets=1,
        per_side=False,
    )
    for offset in range(9):
        log_sets(item, START + timedelta(days=offset), 1, pain=2)
    with time_machine.travel("2026-03-09T10:00Z", tick=False):
        patient_update_partial(patient=ann, changes={"therapist": priya}, actor=admin_a)
    staff_set_active(admin=admin_a, staff=dee, active=False)
    return ann


@pytest.fixture
def client(admin_a):
    return signed_in(admin_a)


@pytest.fixture(autouse=True)
def _frozen(ann):
    with time_machine.travel(NOW, tick=False):
        yield


def _choices(response) -> dict[str, str]:
    """The therapist filter's options, value to label."""
    field = response.context["form"]["therapist"]
    return {str(value): label for value, label in field.field.choices if value}


def test_the_filter_offers_a_former_therapist_for_a_period_they_had_patients(client, dee, priya):
    response = client.get(PAGE, PERIOD)

    choices = _choices(response)
    assert choices[str(dee.public_id)] == "Dee Dale (no longer active)"
    assert choices[str(priya.public_id)] == "Priya Patel"
    assert "Dee Dale (no longer active)" in response.text


def test_the_filter_leaves_them_out_of_a_period_they_looked_after_nobody(client, dee):
    choices = _choices(client.get(PAGE, AFTER))

    assert str(dee.public_id) not in choices


def test_the_page_shows_their_days_of_each_patient(client, dee):
    response = client.get(PAGE, PERIOD | {"therapist": str(dee.public_id)})

    assert response.status_code == 200
    rows = response.context["page"].report.rows
    assert [(r.patient, r.therapist, r.completed, r.care_until) for r in rows] == [
        ("Ann Adams", "Dee Dale", 7, date(2026, 3, 8))
    ]


def test_chosen_for_a_period_without_their_patients_it_says_why(client, dee):
    response = client.get(PAGE, AFTER | {"therapist": str(dee.public_id)})

    assert response.status_code == 400
    assert "no longer active and looked after none" in response.text


def test_their_downloads_have_their_days(client, dee):
    data = PERIOD | {"therapist": str(dee.public_id), "format": "csv"}

    response = client.post(EXPORT, data)

    assert response.status_code == 200
    rows = parse_csv(streamed(response))
    assert [(r[1], r[4:7]) for r in rows[1:] if r[1] == "Ann Adams"] == [
        ("Ann Adams", ["7", "7", "7"])
    ]


def test_the_jobs_api_takes_them_and_the_job_runs(client, dee):
    body = PERIOD | {"therapist": str(dee.public_id), "format": "csv"}

    created = client.post(JOBS, body, content_type="application/json")
    refused = client.post(JOBS, body | AFTER, content_type="application/json")

    assert created.status_code == 202, created.json()
    assert refused.status_code == 400
    assert "no longer active" in refused.json()["errors"]["therapist"][0]
    job = ReportJob.objects.get()
    tasks.run_report_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error


def test_another_clinics_former_therapist_is_never_offered(admin_a, admin_b, dee, clinic_b):
    refused = signed_in(admin_b).get(PAGE, PERIOD | {"therapist": str(dee.public_id)})
    assert refused.status_code == 400
    assert "Choose a therapist from the list." in refused.text


def test_the_report_built_for_them_counts_their_days_only(admin_a, dee):
    filters = ReportFilters(clinic_id=admin_a.clinic_id, start=START, end=END, therapist=dee)

    report = build_report(user=admin_a, filters=filters)

    assert report.clinic_total.completed == 7
