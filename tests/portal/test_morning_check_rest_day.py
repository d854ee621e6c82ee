"""The next-morning question is asked the day after an exercise day, and that day is often a
rest day. The advice after the answer then speaks of the next exercise day: "Reduce the load
today" above "A rest day: there are no exercises for you today" told the patient two things."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import signed_in
from tests.factories import ExerciseItemFactory, ProgramFactory
from tests.notifications.factories import SetLogFactory

pytestmark = pytest.mark.django_db


def _exercised_yesterday(patient, *, rest_today: bool):
    today = patient.local_today()
    yesterday = today - timedelta(days=1)
    days = {yesterday.weekday(), (today + timedelta(days=1)).weekday()}
    if not rest_today:
        days.add(today.weekday())
    program = ProgramFactory(
        patient=patient, start_date=today - timedelta(7), weekdays=sum(1 << d for d in days)
    )
    item = ExerciseItemFactory(program=program)
    SetLogFactory(item=item, side="left", performed_on=yesterday)
    return patient


def _answered(patient, hip: str) -> str:
    client = signed_in(patient.user)
    client.post("/today/morning/", {"hip": hip, "stiffness": "same"})
    return client.get("/today/").content.decode()


def test_a_worse_hip_on_a_rest_day_is_told_to_go_lighter_next_time(patient_a):
    html = _answered(_exercised_yesterday(patient_a, rest_today=True), "worse")

    assert "A rest day" in html
    assert "Reduce the load today" not in html
    assert "Go lighter today" not in html
    assert "Go lighter next time" in html
    tomorrow = patient_a.local_today() + timedelta(days=1)
    assert f"on your next exercise day ({tomorrow:%A} {tomorrow.day} {tomorrow:%B})" in html


def test_a_settled_hip_on_a_rest_day_keeps_the_load_next_time(patient_a):
    html = _answered(_exercised_yesterday(patient_a, rest_today=True), "same")

    assert "keep to the same amount today" not in html
    assert "on your next exercise day" in html


def test_the_question_asked_before_answering_holds_both_words_for_a_rest_day(patient_a):
    """The page shows the advice without the server once answered (offline too): the hidden
    copies beside the question are the rest day's."""
    patient = _exercised_yesterday(patient_a, rest_today=True)

    html = signed_in(patient.user).get("/today/").content.decode()

    assert "How is your hip today?" in html
    assert "Reduce the load today" not in html
    assert "Go lighter next time" in html


def test_on_an_exercise_day_the_advice_is_still_for_today(patient_a):
    html = _answered(_exercised_yesterday(patient_a, rest_today=False), "worse")

    assert "Go lighter today" in html
    assert "Reduce the load today" in html
