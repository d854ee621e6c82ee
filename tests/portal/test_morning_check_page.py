"""The next-morning question on Today and in the /me/ API."""

from __future__ import annotations

from datetime import timedelta

import pytest

from apps.programs.models import MorningCheck
from tests.conftest import signed_in
from tests.factories import ExerciseItemFactory, ProgramFactory
from tests.notifications.factories import SetLogFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def exercised_yesterday(patient_a):
    item = ExerciseItemFactory(
        program=ProgramFactory(patient=patient_a, start_date=patient_a.local_today() - timedelta(7))
    )
    SetLogFactory(item=item, side="left", performed_on=patient_a.local_today() - timedelta(days=1))
    return patient_a


def test_today_asks_the_question_the_morning_after_an_exercise_day(exercised_yesterday):
    html = signed_in(exercised_yesterday.user).get("/today/").content.decode()

    assert "How is your hip today?" in html


def test_today_does_not_ask_without_exercise_yesterday(patient_a):
    ProgramFactory(patient=patient_a)

    html = signed_in(patient_a.user).get("/today/").content.decode()

    assert "How is your hip today?" not in html


def test_a_worse_answer_tells_the_patient_to_go_lighter_today(exercised_yesterday):
    client = signed_in(exercised_yesterday.user)

    response = client.post("/today/morning/", {"hip": "worse", "stiffness": "same"})

    assert response.status_code == 302
    html = client.get("/today/").content.decode()
    assert "Go lighter today" in html
    assert "Reduce the load today" in html
    assert "How is your hip today?" not in html


@pytest.mark.parametrize(("hip", "stiffness"), [("better", "better"), ("same", "same")])
def test_a_settled_hip_keeps_the_load_or_adds_a_little_and_is_never_told_to_go_lighter(
    exercised_yesterday, hip, stiffness
):
    """CLINICAL.md (pain-monitoring model): if the hip has settled by the next morning, keep
    the load or increase it slightly; only a worse hip means reducing it."""
    client = signed_in(exercised_yesterday.user)

    client.post("/today/morning/", {"hip": hip, "stiffness": stiffness})

    html = client.get("/today/").content.decode()
    assert "keep to the same amount today, or a little more if your plan allows it" in html
    assert "Go lighter today" not in html
    assert "Reduce the load" not in html


def test_a_page_answer_without_stiffness_is_a_400_and_nothing_saved(exercised_yesterday):
    response = signed_in(exercised_yesterday.user).post("/today/morning/", {"hip": "same"})

    assert response.status_code == 400
    assert "Choose how its stiffness is this morning" in response.content.decode()
    assert not MorningCheck.objects.exists()


def test_the_api_saves_once_and_replays_the_first_answer(exercised_yesterday):
    client = signed_in(exercised_yesterday.user)
    url = "/api/v1/me/morning-check/"

    first = client.post(
        url, {"hip": "better", "stiffness": "same"}, content_type="application/json"
    )
    again = client.post(
        url, {"hip": "worse", "stiffness": "worse"}, content_type="application/json"
    )

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["hip"] == "better"
    assert MorningCheck.objects.count() == 1


def test_the_api_refuses_a_bad_answer_with_a_clear_400(exercised_yesterday):
    response = signed_in(exercised_yesterday.user).post(
        "/api/v1/me/morning-check/",
        {"hip": "terrible", "stiffness": "same"},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert "better, about the same, or worse" in response.json()["message"]
    assert not MorningCheck.objects.exists()


def test_staff_have_no_morning_question(therapist_a):
    response = signed_in(therapist_a).post(
        "/api/v1/me/morning-check/",
        {"hip": "same", "stiffness": "same"},
        content_type="application/json",
    )

    assert response.status_code == 403


@pytest.mark.parametrize(("hold_back", "alert"), [(5, 7), (4, 6)])
def test_a_worse_answer_says_to_stop_any_exercise_hurting_above_the_hold_back_level(
    exercised_yesterday, hold_back, alert
):
    """CLINICAL.md (pain-monitoring model): a worse hip next morning means a lighter load
    today, and during exercise pain above the hold-back level (5 by default) is too much."""
    clinic = exercised_yesterday.clinic
    clinic.pain_progression_limit, clinic.pain_alert_level = hold_back, alert
    clinic.save(update_fields=["pain_progression_limit", "pain_alert_level"])
    client = signed_in(exercised_yesterday.user)

    client.post("/today/morning/", {"hip": "worse", "stiffness": "same"})

    html = client.get("/today/").content.decode()
    assert f"stop any exercise that hurts more than {hold_back} out of 10" in html
    assert "will not move you up a level until they have looked at it" in html
