"""Making a progress report for the referrer twice with the same one-time key (a double click
on Make the PDF, an API retry) freezes one report: the second request answers with the
first's. The answer is a download that leaves the page (and its key) in place, so a new note
sent from the same page is a new report."""

from __future__ import annotations

import uuid

import pytest

from apps.audit.models import Action, AuditEntry
from apps.outcomes import report_selectors, services
from apps.outcomes.models import ProgressReport
from tests.conftest import signed_in
from tests.factories import PatientFactory, ProgramFactory
from tests.once import assert_reused, form_key
from tests.programs.races import race

JSON = {"content_type": "application/json"}


@pytest.fixture
def patient(patient_a):
    ProgramFactory(patient=patient_a)
    return patient_a


def _made() -> int:
    return AuditEntry.objects.filter(
        action=Action.EXPORT, detail="progress report for the referrer"
    ).count()


REPORT = '<input type="hidden" name="save" value="report">'


@pytest.mark.django_db
def test_a_double_click_on_make_the_pdf_freezes_one_report(therapist_a, patient):
    client = signed_in(therapist_a)
    url = f"/patients/{patient.public_id}/outcomes/"
    key = form_key(
        client.get(f"/patients/{patient.public_id}/outcomes/").content.decode(), marked=REPORT
    )

    answers = [
        client.post(url, {"save": "report", "note": "Walking further.", "client_id": key})
        for _ in range(2)
    ]

    report = ProgressReport.objects.get()  # one report, one audit entry
    assert {a["Location"] for a in answers} == {f"/outcomes/reports/{report.public_id}.pdf"}
    assert _made() == 1


@pytest.mark.django_db
def test_the_patient_pages_lone_button_carries_a_key_too(therapist_a, patient):
    client = signed_in(therapist_a)
    url = f"/patients/{patient.public_id}/outcomes/"
    key = form_key(client.get(f"/patients/{patient.public_id}/").content.decode(), marked=REPORT)

    for _ in range(2):
        client.post(url, {"save": "report", "client_id": key})

    assert ProgressReport.objects.count() == 1


@pytest.mark.django_db
def test_a_new_note_sent_from_the_same_page_freezes_a_new_report(therapist_a, patient):
    client = signed_in(therapist_a)
    url = f"/patients/{patient.public_id}/outcomes/"
    key = form_key(
        client.get(f"/patients/{patient.public_id}/outcomes/").content.decode(), marked=REPORT
    )

    client.post(url, {"save": "report", "note": "Walking further.", "client_id": key})
    client.post(url, {"save": "report", "note": "Walking further; stairs now.", "client_id": key})

    notes = sorted(ProgressReport.objects.values_list("note", flat=True))
    assert notes == ["Walking further.", "Walking further; stairs now."]


@pytest.mark.django_db
def test_the_api_retried_with_its_client_id_answers_200_with_the_same_report(therapist_a, patient):
    client = signed_in(therapist_a)
    url = f"/api/v1/patients/{patient.public_id}/progress-reports/"
    body = {"note": "Walking further.", "client_id": str(uuid.uuid4())}

    first = client.post(url, body, **JSON)
    again = client.post(url, body, **JSON)

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert (ProgressReport.objects.count(), _made()) == (1, 1)


@pytest.mark.django_db
def test_a_client_id_of_another_patients_report_is_refused(therapist_a, patient):
    other = PatientFactory(therapist=therapist_a)
    client = signed_in(therapist_a)
    body = {"note": "", "client_id": str(uuid.uuid4())}
    client.post(f"/api/v1/patients/{patient.public_id}/progress-reports/", body, **JSON)

    answer = client.post(f"/api/v1/patients/{other.public_id}/progress-reports/", body, **JSON)

    assert answer.status_code == 400
    assert "client_id" in answer.json()["errors"]
    assert ProgressReport.objects.count() == 1


@pytest.mark.django_db
def test_a_client_id_sent_again_with_another_note_is_a_409_naming_it(therapist_a, patient):
    client = signed_in(therapist_a)
    url = f"/api/v1/patients/{patient.public_id}/progress-reports/"
    body = {"note": "Walking further.", "client_id": str(uuid.uuid4())}
    client.post(url, body, **JSON)

    again = client.post(url, body | {"note": "Another note"}, **JSON)

    assert_reused(again, "note")
    assert list(ProgressReport.objects.values_list("note", flat=True)) == ["Walking further."]
    assert _made() == 1


@pytest.mark.django_db(transaction=True)
def test_two_reports_with_one_key_at_the_same_moment_freeze_one(
    require_postgres, therapist_a, patient
):
    """Writer A freezes the report and holds its transaction open; writer B, the double
    click, waits on the unique key; A commits. B answers with A's report."""
    data = report_selectors.report_data(patient=patient, author=therapist_a, note="")
    key = uuid.uuid4()
    made: list[ProgressReport] = []

    def make() -> None:
        made.append(
            services.report_create(
                user=therapist_a, patient=patient, note="", data=data, client_id=key
            )
        )

    race(make, make)

    assert ProgressReport.objects.count() == 1
    assert made[0].pk == made[1].pk
