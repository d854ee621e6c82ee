"""Measures sent while the patient is being archived: the request passed its own checks
before the archive committed, then waits for the patient's lock (which archiving holds, as
every writer of their programs takes it first) and is refused once it has it, nothing saved
or audited. A restore committed while a change waits lets it through. Real threads, each
with its own PostgreSQL connection (tests/programs/races.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine

from apps.audit.models import AuditEntry
from apps.outcomes import services
from apps.outcomes.models import MeasurePlan, Questionnaire
from apps.outcomes.services import MEASURES_ARCHIVED
from apps.outcomes.tasks import sync_questionnaires
from apps.patients.archive_services import patient_archive, patient_restore
from apps.patients.models import Patient
from apps.programs.models import Program
from tests.conftest import signed_in
from tests.factories import PatientFactory, ProgramFactory
from tests.programs.races import race

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("require_postgres")]


@pytest.fixture
def program(patient_a: Patient) -> Program:
    start = patient_a.local_today() - timedelta(days=7)
    program: Program = ProgramFactory(patient=patient_a, start_date=start)
    services.measures_set(user=program.created_by, program=program, instruments=["nprs"])
    return program


def instruments(program: Program) -> list[str]:
    return sorted(MeasurePlan.objects.filter(program=program).values_list("instrument", flat=True))


def put(user: Any, program: Program, answers: list[Any]) -> Callable[[], None]:
    def send() -> None:
        answers.append(
            signed_in(user).put(
                f"/api/v1/programs/{program.public_id}/measures/",
                {"instruments": ["nprs", "psfs"]},
                content_type="application/json",
            )
        )

    return send


def test_measures_waiting_while_the_patient_is_archived_are_refused(therapist_a, admin_a, program):
    patient = program.patient
    assert patient is not None
    audited = AuditEntry.objects.count()
    answers: list[Any] = []
    send = put(therapist_a, program, answers)

    race(lambda: patient_archive(patient=patient, actor=admin_a), send)

    assert answers[0].status_code == 400, answers[0].content
    assert answers[0].json()["errors"] == {"non_field_errors": [MEASURES_ARCHIVED]}
    assert instruments(program) == ["nprs"]
    # The archive's own entry only, none of the refused change.
    assert AuditEntry.objects.count() == audited + 1


def test_measures_waiting_while_the_patient_is_restored_are_saved(therapist_a, admin_a, program):
    patient = program.patient
    assert patient is not None
    patient_archive(patient=patient, actor=admin_a)
    answers: list[Any] = []
    send = put(therapist_a, program, answers)

    race(lambda: patient_restore(patient=patient, actor=admin_a), send)

    assert answers[0].status_code == 200, answers[0].content
    assert instruments(program) == ["nprs", "psfs"]


def test_the_daily_job_running_while_the_patient_is_archived_makes_them_nothing(
    therapist_a, admin_a
):
    now = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    with time_machine.travel(now, tick=False):
        patient: Patient = PatientFactory(therapist=therapist_a)
        program: Program = ProgramFactory(patient=patient, start_date=patient.local_today())
        services.measures_set(user=therapist_a, program=program, instruments=["nprs"])
    made = Questionnaire.objects.filter(program=program).count()

    # 60 days on, the job has questionnaires to add; it read the patient as active before
    # the archive committed, then waits for their lock.
    with time_machine.travel(now + timedelta(days=60), tick=False):
        race(lambda: patient_archive(patient=patient, actor=admin_a), sync_questionnaires)

    assert Questionnaire.objects.filter(program=program).count() == made
