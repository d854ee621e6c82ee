"""The progress report for the referrer: what its frozen data says about the patient's
programs, adherence and pain (the PDF and the API's JSON both show this data).

Time is frozen at Friday 14 March 2025, 12:00 UTC."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from apps.outcomes.selectors import report_data
from tests.factories import ExerciseItemFactory, ProgramFactory
from tests.programs.adherence_factories import log_sets

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 3, 14, 12, 0, tzinfo=ZoneInfo("UTC"))
START = date(2025, 3, 3)  # a Monday


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_a_draft_program_is_not_reported_to_the_referrer(therapist_a, patient_a):
    ProgramFactory(patient=patient_a, name="Hip strength", start_date=START)
    # Built for the patient weeks earlier and never assigned: no part of their care.
    ProgramFactory(
        patient=patient_a, name="Unsent draft", notes="Draft notes", is_active=False,
        start_date=date(2025, 1, 6),
    )  # fmt: skip

    data = report_data(patient=patient_a, author=therapist_a, note="")

    assert [program["name"] for program in data["programs"]] == ["Hip strength"]
    assert data["period"] == {"start": "2025-03-03", "end": "2025-03-14"}
