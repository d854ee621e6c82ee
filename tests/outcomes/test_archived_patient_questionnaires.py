"""The daily job (``outcomes-sync-questionnaires``) makes no new questionnaire for an
archived (discharged) patient: they can no longer sign in to answer it, and their record
stays as the discharge left it. Restored, the next run makes those their schedule asks for
again, the ones missed while they were archived included."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from apps.outcomes import services
from apps.outcomes.models import Questionnaire
from apps.outcomes.tasks import sync_questionnaires
from apps.patients.archive_services import patient_archive, patient_restore
from apps.patients.models import Patient
from apps.programs.models import Program
from tests.factories import PatientFactory, ProgramFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=60)


def _open_ended(therapist) -> Program:
    """A program with no end: its questionnaires are made a year ahead, and the daily job
    extends them day by day."""
    patient: Patient = PatientFactory(therapist=therapist)
    program: Program = ProgramFactory(patient=patient, start_date=patient.local_today())
    services.measures_set(user=therapist, program=program, instruments=["nprs"])
    return program


def _due(program: Program) -> list[date]:
    rows = Questionnaire.objects.filter(program=program).order_by("due_on")
    return list(rows.values_list("due_on", flat=True))


def test_the_daily_job_makes_no_questionnaire_for_an_archived_patient_until_restored(
    therapist_a, admin_a
):
    with time_machine.travel(NOW, tick=False):
        archived, active = _open_ended(therapist_a), _open_ended(therapist_a)
        assert archived.patient is not None
        made = _due(archived)
        patient_archive(patient=archived.patient, actor=admin_a)

    with time_machine.travel(LATER, tick=False):
        sync_questionnaires()

        assert _due(archived) == made
        assert len(_due(active)) > len(made)  # the job still runs for everyone else

        patient_restore(patient=archived.patient, actor=admin_a)
        sync_questionnaires()

        # Every 14 days up to a year from today, the 60 days' worth missed included.
        assert _due(archived) == _due(active)
