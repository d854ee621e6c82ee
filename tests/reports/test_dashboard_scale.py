"""The dashboard for a full panel of 200 patients takes as many queries as for two."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from apps.programs.daily_totals import daily_totals_rebuild
from apps.programs.models import SetLog
from tests.conftest import signed_in
from tests.factories import ExerciseItemFactory, PatientFactory, ProgramFactory
from tests.programs.adherence_factories import PromptFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 3, 14, 12, 0, tzinfo=ZoneInfo("UTC"))
TODAY = date(2025, 3, 14)
PANEL = 200


def _panel(therapist, first: int, count: int) -> None:
    """``count`` patients with a month of logs, written in bulk (the totals rebuilt once, as
    ``seed_scale`` does)."""
    logs = []
    for n in range(first, first + count):
        patient = PatientFactory(
            therapist=therapist, time_zone=("Europe/London", "Asia/Tokyo")[n % 2]
        )
        item = ExerciseItemFactory(
            program=ProgramFactory(patient=patient, start_date=date(2025, 2, 1)), per_side=False
        )
        if n % 5 == 0:
            PromptFactory(item=item)
        logs += [
            SetLog(
                client_id=f"00000000-0000-0000-{n:04d}-{ago:012d}",
                patient=patient,
                item=item,
                performed_on=TODAY - timedelta(days=ago),
                reps=10,
                pain=n % 11,
                exercise=item.exercise,
                target_sets=item.sets,
                target_reps=item.reps,
            )
            for ago in range(0, 30, 1 + n % 3)
        ]
    SetLog.objects.bulk_create(logs)
    daily_totals_rebuild(clinic_id=therapist.clinic_id)


def test_the_dashboard_of_200_patients_takes_the_queries_of_two(
    therapist_a, django_assert_max_num_queries
):
    with time_machine.travel(NOW, tick=False):
        _panel(therapist_a, 0, 2)
        client = signed_in(therapist_a)
        with django_assert_max_num_queries(60) as two:
            client.get("/dashboard/")
        _panel(therapist_a, 2, PANEL - 2)

        with django_assert_max_num_queries(len(two.captured_queries)):
            response = client.get("/dashboard/")

    assert len(response.context["rows"]) == PANEL
