"""The progress report for the referrer: what its frozen data says about the patient's
programs, adherence and pain (the PDF and the API's JSON both show this data).

Time is frozen at Friday 14 March 2025, 12:00 UTC."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from apps.outcomes.report_selectors import report_data
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


def test_weekly_adherence_rounds_half_up_like_every_page(therapist_a, patient_a):
    # From Saturday 8 March, 2 sets per side a day: the week of 3 March prescribes 8 units
    # (Sat and Sun) and one was done, 12.5 %: 13 on the progress page, so 13 here too.
    program = ProgramFactory(patient=patient_a, start_date=date(2025, 3, 8))
    item = ExerciseItemFactory(program=program, sets=2, per_side=True)
    log_sets(item, date(2025, 3, 8), 1, "left")

    weeks = report_data(patient=patient_a, author=therapist_a, note="")["adherence_by_week"]

    assert weeks[0] == {
        "week_of": "2025-03-03", "prescribed": 8, "completed": 1, "adherence_percent": 13
    }  # fmt: skip


def test_weekly_pain_averages_every_set_alike(therapist_a, patient_a):
    program = ProgramFactory(patient=patient_a, start_date=START)
    item = ExerciseItemFactory(program=program, sets=5, per_side=False)
    log_sets(item, date(2025, 3, 3), 1, pain=8)  # one painful set on Monday
    log_sets(item, date(2025, 3, 4), 9, pain=0)  # nine easy ones on Tuesday

    pain = report_data(patient=patient_a, author=therapist_a, note="")["pain_by_week"]

    # 8 / 10 sets = 0.8, not (8 + 0) / 2 days = 4.0.
    assert pain == [{"week_of": "2025-03-03", "max": 8, "mean": 0.8}]
