"""A patient with two programs on the same day, both with the same exercise: each card on
Today and each entry on History names its program, so the two are not identical. With one
program the name is left out (it would say nothing).

Time is frozen at Tuesday 3 March 2026, 12:00 UTC."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from apps.programs.edit_services import program_update
from apps.programs.logs import set_log_record
from tests.conftest import signed_in
from tests.factories import ExerciseFactory, ExerciseItemFactory, ProgramFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 3, 12, 0, tzinfo=ZoneInfo("UTC"))
TODAY = date(2026, 3, 3)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _two_programs(patient):
    exercise = ExerciseFactory(name="Side-lying leg raise")
    programs = []
    for name in ("Morning plan", "Evening plan"):
        program = ProgramFactory(patient=patient, name=name, start_date=date(2026, 2, 1))
        ExerciseItemFactory(program=program, exercise=exercise, sets=1, reps=10)
        programs.append(program)
    return programs


def test_today_names_the_program_of_each_card_when_there_are_two(patient_a):
    _two_programs(patient_a)

    html = signed_in(patient_a.user).get("/today/").content.decode()

    assert html.count("Side-lying leg raise</h2>") == 2
    assert "From Morning plan" in html
    assert "From Evening plan" in html


def test_today_leaves_the_program_out_when_there_is_one(patient_a):
    program = ProgramFactory(patient=patient_a, name="Morning plan", start_date=date(2026, 2, 1))
    ExerciseItemFactory(program=program, sets=1)

    html = signed_in(patient_a.user).get("/today/").content.decode()

    assert "From Morning plan" not in html


def test_a_renamed_program_shows_on_a_cached_today(settings, patient_a, therapist_a):
    settings.TODAY_CACHE_VERIFY = True  # a rename that did not bump would fail here
    morning, _ = _two_programs(patient_a)
    client = signed_in(patient_a.user)
    client.get("/today/")

    program_update(actor=therapist_a, program=morning, name="Before breakfast", notes="")

    assert "From Before breakfast" in client.get("/today/").content.decode()


def test_history_names_the_program_of_each_entry_when_there_are_two(patient_a):
    morning, _ = _two_programs(patient_a)
    set_log_record(
        patient=patient_a, item=morning.items.get(), client_id=uuid.uuid4(),
        performed_on=TODAY, side="left", reps=10, pain=2,
    )  # fmt: skip

    html = signed_in(patient_a.user).get("/history/").content.decode()

    assert "From Morning plan" in html
    assert "From Evening plan" in html
