"""Django admin keeps the app's rule for a ladder in use (``ladder_services``: its levels'
exercises stay fixed once a program has it, so a patient's level never silently becomes
another exercise): the levels' exercise and number are read-only there, and no level is
added or deleted, while their advance rules stay editable. The stored daily totals of the
patients on it therefore stay right. A ladder no program uses can still be changed."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from apps.clinics.models import User
from apps.programs.daily_totals import daily_totals_rebuild
from tests.conftest import signed_in
from tests.factories import (
    ExerciseFactory,
    LadderFactory,
    LadderItemFactory,
    PatientFactory,
    ProgramFactory,
)
from tests.notifications.factories import SetLogFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=ZoneInfo("UTC"))
DAY = date(2026, 3, 8)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def operator():
    return signed_in(User.objects.create_superuser("ops@example.org", "a long operator password"))


@pytest.fixture
def ladder():
    return LadderFactory(name="Clamshell", levels=2)


@pytest.fixture
def patient(therapist_a, ladder):
    """On the ladder at level 1, a set logged on DAY, the stored totals as the services keep
    them."""
    patient = PatientFactory(therapist=therapist_a)
    program = ProgramFactory(patient=patient, start_date=date(2026, 3, 1))
    item = LadderItemFactory(program=program, ladder=ladder, current_level=1, per_side=False)
    SetLogFactory(item=item, performed_on=DAY, reps=10)
    daily_totals_rebuild(patient_ids=[patient.pk])
    return patient


def _url(ladder) -> str:
    return f"/ops/admin/exercises/ladder/{ladder.pk}/change/"


def _form(ladder, **level_changes) -> dict[str, str]:
    """The change form as the page sends it, with ``level_changes`` to the first level."""
    data = {
        "key": ladder.key,
        "name": ladder.name,
        "description": ladder.description,
        "advance_at_reps": str(ladder.advance_at_reps),
        "updated_at_0": "2026-03-10",
        "updated_at_1": "09:00:00",
        "levels-TOTAL_FORMS": str(ladder.levels.count()),
        "levels-INITIAL_FORMS": str(ladder.levels.count()),
        "levels-MIN_NUM_FORMS": "0",
        "levels-MAX_NUM_FORMS": "1000",
    }
    for n, level in enumerate(ladder.levels.order_by("level")):
        data |= {
            f"levels-{n}-id": str(level.pk),
            f"levels-{n}-ladder": str(ladder.pk),
            f"levels-{n}-level": str(level.level),
            f"levels-{n}-exercise": str(level.exercise_id),
            f"levels-{n}-advance_rule": level.advance_rule,
            f"levels-{n}-advance_target": "",
            f"levels-{n}-advance_days": str(level.advance_days),
        }
    return data | {f"levels-0-{name}": value for name, value in level_changes.items()}


def _totals(patient) -> list[tuple[date, int, int]]:
    return list(patient.daily_totals.values_list("day", "prescribed", "completed"))


def test_a_ladder_in_use_shows_its_levels_exercises_read_only(operator, ladder, patient):
    page = operator.get(_url(ladder)).text

    assert 'name="levels-0-exercise"' not in page
    assert 'name="levels-0-level"' not in page
    assert 'name="levels-0-DELETE"' not in page
    assert "Clamshell L1" in page
    assert 'name="levels-0-advance_days"' in page  # the advance rule stays editable


def test_a_changed_exercise_sent_anyway_leaves_the_level_and_the_totals_alone(
    operator, ladder, patient
):
    other = ExerciseFactory(name="Bridge")
    first = ladder.levels.get(level=1)
    stored = _totals(patient)

    response = operator.post(_url(ladder), _form(ladder, exercise=str(other.pk), advance_days="2"))

    assert response.status_code == 302
    first.refresh_from_db()
    assert first.exercise.name == "Clamshell L1"
    assert first.advance_days == 2
    assert _totals(patient) == stored
    daily_totals_rebuild(patient_ids=[patient.pk])
    assert _totals(patient) == stored


def test_no_level_is_added_to_a_ladder_in_use(operator, ladder, patient):
    data = _form(ladder) | {
        "levels-TOTAL_FORMS": "3",
        "levels-2-level": "3",
        "levels-2-exercise": str(ExerciseFactory().pk),
        "levels-2-advance_rule": "reps",
        "levels-2-advance_days": "1",
    }

    operator.post(_url(ladder), data)

    assert ladder.levels.count() == 2


def test_a_ladder_no_program_uses_can_still_be_changed(operator, ladder):
    other = ExerciseFactory(name="Bridge")

    assert 'name="levels-0-exercise"' in operator.get(_url(ladder)).text
    response = operator.post(_url(ladder), _form(ladder, exercise=str(other.pk)))

    assert response.status_code == 302
    assert ladder.levels.get(level=1).exercise == other
