"""Outcome measures follow the care the patient is given: the outcome measures page offers to
schedule them on assigned programs only, says which drafts it leaves out and why, and neither
the page nor the API schedules them on a draft (the patient sees nothing of it)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from apps.outcomes.models import MeasurePlan, Questionnaire
from tests.conftest import signed_in
from tests.factories import ProgramFactory

pytestmark = pytest.mark.django_db
LEFT_OUT = "not assigned yet"


def _measure_forms(html: str) -> list[str]:
    """The programs whose measures form the page draws, by public id."""
    return re.findall(r'<input type="hidden" name="program" value="([0-9a-f-]+)">', html)


def _drafts_note(html: str) -> str:
    """The paragraph that says which drafts the page leaves out ("" when none)."""
    found = [p for p in re.findall(r"<p[^>]*>(.*?)</p>", html, re.S) if LEFT_OUT in p]
    return found[0] if found else ""


def test_the_page_schedules_assigned_programs_and_names_the_drafts_it_leaves_out(
    therapist_a, patient_a
):
    assigned = ProgramFactory(patient=patient_a, name="Hip strength")
    draft = ProgramFactory(patient=patient_a, name="Phase 2 (draft)", is_active=False)

    page = signed_in(therapist_a).get(f"/patients/{patient_a.public_id}/outcomes/")

    assert _measure_forms(page.text) == [str(assigned.public_id)]
    assert str(draft.public_id) not in page.text
    assert "Phase 2 (draft)" in _drafts_note(page.text)
    assert "Hip strength" not in _drafts_note(page.text)


def test_a_patient_with_only_a_draft_is_told_to_assign_it_first(therapist_a, patient_a):
    ProgramFactory(patient=patient_a, name="Unsent plan", is_active=False)

    page = signed_in(therapist_a).get(f"/patients/{patient_a.public_id}/outcomes/")

    assert _measure_forms(page.text) == []
    assert "Unsent plan" in _drafts_note(page.text)
    assert "No assigned program yet" in page.text


def test_no_drafts_no_note(therapist_a, patient_a):
    ProgramFactory(patient=patient_a)

    page = signed_in(therapist_a).get(f"/patients/{patient_a.public_id}/outcomes/")

    assert _drafts_note(page.text) == ""


def test_measures_sent_for_a_draft_are_refused_with_a_message(therapist_a, patient_a):
    draft = ProgramFactory(patient=patient_a, is_active=False)
    prefix = str(draft.public_id)

    response = signed_in(therapist_a).post(
        f"/patients/{patient_a.public_id}/outcomes/",
        {
            "save": "measures",
            "program": prefix,
            f"{prefix}-instruments": ["nprs"],
            f"{prefix}-interval_days": "14",
        },
    )

    assert response.status_code == 400
    assert "Assign the program first" in response.text
    assert not MeasurePlan.objects.exists()
    assert not Questionnaire.objects.exists()


def test_the_api_refuses_measures_on_a_draft(therapist_a, patient_a):
    draft = ProgramFactory(patient=patient_a, is_active=False)

    response = signed_in(therapist_a).put(
        f"/api/v1/programs/{draft.public_id}/measures/",
        {"instruments": ["nprs"]},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert "Assign the program first" in response.json()["errors"]["program"][0]
    assert not Questionnaire.objects.exists()


def test_the_page_does_a_fixed_number_of_queries_however_many_programs(
    therapist_a, patient_a, django_assert_max_num_queries: Any
):
    client = signed_in(therapist_a)
    url = f"/patients/{patient_a.public_id}/outcomes/"
    for n in range(4):
        start = patient_a.local_today() - dt.timedelta(days=10 * n)
        ProgramFactory(patient=patient_a, name=f"Assigned {n}", start_date=start)
        ProgramFactory(patient=patient_a, name=f"Draft {n}", is_active=False)
    client.get(url)  # warm the session and caches

    # One of them: the staff menu's count of what waits in the inbox.
    with django_assert_max_num_queries(17):
        page = client.get(url)

    assert len(_measure_forms(page.text)) == 4
