"""An archived (discharged) patient's outcome measures stay as the discharge left them, as
their programs do (apps/programs/locks.py): scheduling or changing them through the page or
the API is a 400 that says the patient is archived and to restore them, with nothing saved
or audited; once restored, the same change is saved. Reading stays allowed: the page shows
the measures without the scheduling form, with a short notice, as the builder does."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from apps.audit.models import AuditEntry
from apps.outcomes import services
from apps.outcomes.models import MeasurePlan, Questionnaire
from apps.outcomes.services import MEASURES_ARCHIVED
from apps.patients.archive_services import patient_archive, patient_restore
from apps.patients.models import Patient
from apps.programs.models import Program
from tests.conftest import signed_in
from tests.factories import ProgramFactory, StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def program(patient_a: Patient) -> Program:
    """The patient's running program, NPRS scheduled on it before the discharge."""
    start = patient_a.local_today() - timedelta(days=7)
    program: Program = ProgramFactory(
        patient=patient_a, start_date=start, end_date=start + timedelta(days=42)
    )
    services.measures_set(user=program.created_by, program=program, instruments=["nprs"])
    return program


def state(program: Program) -> tuple[Any, ...]:
    """Everything of the program's measures a change could touch, and the audit log."""
    plans = MeasurePlan.objects.filter(program=program).order_by("pk")
    questionnaires = Questionnaire.objects.filter(program=program).order_by("pk")
    return (list(plans.values()), list(questionnaires.values()), AuditEntry.objects.count())


def instruments(program: Program) -> list[str]:
    return sorted(MeasurePlan.objects.filter(program=program).values_list("instrument", flat=True))


def put(user: Any, program: Program) -> Any:
    return signed_in(user).put(
        f"/api/v1/programs/{program.public_id}/measures/",
        {"instruments": ["nprs", "psfs"], "interval_days": 21},
        content_type="application/json",
    )


def post(user: Any, program: Program) -> Any:
    assert program.patient is not None
    prefix = program.public_id
    return signed_in(user).post(
        f"/patients/{program.patient.public_id}/outcomes/",
        {
            "save": "measures", "program": str(program.public_id),
            f"{prefix}-instruments": ["nprs", "psfs"], f"{prefix}-interval_days": "21",
            f"{prefix}-at_start": "on", f"{prefix}-at_end": "on",
        },
    )  # fmt: skip


@pytest.mark.parametrize("who", ["therapist", "admin"])
def test_the_api_refuses_an_archived_patients_measures_and_saves_them_once_restored(
    therapist_a, admin_a, program, who
):
    user = therapist_a if who == "therapist" else admin_a
    assert program.patient is not None
    patient_archive(patient=program.patient, actor=admin_a)
    before = state(program)

    refused = put(user, program)

    assert refused.status_code == 400, refused.content
    assert refused.json()["errors"] == {"non_field_errors": [MEASURES_ARCHIVED]}
    assert state(program) == before
    patient_restore(patient=program.patient, actor=admin_a)

    saved = put(user, program)

    assert saved.status_code == 200, saved.content
    assert instruments(program) == ["nprs", "psfs"]


@pytest.mark.parametrize("who", ["therapist", "admin"])
def test_the_page_refuses_an_archived_patients_measures_and_saves_them_once_restored(
    therapist_a, admin_a, program, who
):
    user = therapist_a if who == "therapist" else admin_a
    assert program.patient is not None
    patient_archive(patient=program.patient, actor=admin_a)
    before = state(program)

    # A page open since before the archive sends its form anyway.
    refused = post(user, program)

    assert refused.status_code == 400
    # Said at the top: the page draws no measures form for an archived patient.
    assert f'<p class="message message-error">{MEASURES_ARCHIVED}</p>' in refused.text
    assert 'class="measures-form"' not in refused.text
    assert state(program) == before
    patient_restore(patient=program.patient, actor=admin_a)

    saved = post(user, program)

    assert saved.status_code == 302
    assert instruments(program) == ["nprs", "psfs"]


def test_an_archived_patients_measures_can_still_be_read(therapist_a, admin_a, program):
    assert program.patient is not None
    patient_archive(patient=program.patient, actor=admin_a)

    response = signed_in(therapist_a).get(f"/api/v1/programs/{program.public_id}/measures/")

    assert response.status_code == 200
    assert [m["instrument"] for m in response.json()["measures"]] == ["nprs"]


def test_an_archived_patients_page_shows_their_measures_read_only_until_restored(
    therapist_a, admin_a, program
):
    assert program.patient is not None
    url = f"/patients/{program.patient.public_id}/outcomes/"
    patient_archive(patient=program.patient, actor=admin_a)

    archived = signed_in(therapist_a).get(url)

    assert archived.status_code == 200
    assert 'class="measures-form"' not in archived.text
    assert 'id="archived-notice"' in archived.text
    assert MEASURES_ARCHIVED in archived.text
    assert f"<strong>{program.name}</strong>" in archived.text
    assert "NPRS." in archived.text  # what is scheduled, as it stays
    assert "Restore patient" in archived.text
    patient_restore(patient=program.patient, actor=admin_a)

    restored = signed_in(therapist_a).get(url)

    assert 'class="measures-form"' in restored.text
    assert 'id="archived-notice"' not in restored.text


def test_a_colleague_reading_an_archived_patients_measures_is_offered_no_restore(admin_a, program):
    assert program.patient is not None
    patient_archive(patient=program.patient, actor=admin_a)
    colleague = StaffFactory(clinic=program.clinic)

    page = signed_in(colleague).get(f"/patients/{program.patient.public_id}/outcomes/")

    assert page.status_code == 200
    assert 'id="archived-notice"' in page.text
    assert "Restore patient" not in page.text
