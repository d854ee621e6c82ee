"""A clinic's exercise recorded as taking the hip into none of the listed movements ("None of
these movements") is checked against the precautions like any other, and passes: no override
reason every time. Left with nothing recorded, it still needs one (when in doubt, hold back)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.urls import reverse

from apps.exercises.models import Exercise
from apps.patients.precautions import precaution_set
from apps.programs.held_back import programs_held_back
from apps.programs.item_services import ItemSpec, program_item_add
from apps.programs.precautions import conflicts
from tests.conftest import signed_in
from tests.exercises.test_clinic_library import NEW_EXERCISE
from tests.factories import ExerciseFactory, ExerciseItemFactory, ProgramFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=ZoneInfo("UTC"))
TODAY = date(2026, 3, 10)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def program(patient_a):
    return ProgramFactory(patient=patient_a, start_date=date(2026, 3, 1))


@pytest.fixture
def posterior(patient_a, therapist_a):
    return precaution_set(
        actor=therapist_a, patient=patient_a, kind="posterior",
        starts_on=date(2026, 3, 1), ends_on=date(2026, 4, 12),
    )  # fmt: skip


@pytest.fixture
def squeeze(therapist_a):
    return ExerciseFactory(
        name="Seated squeeze", clinic=therapist_a.clinic, hip_movements=[], hip_movements_none=True
    )


def test_an_exercise_recorded_as_moving_the_hip_in_none_of_them_does_not_conflict(
    squeeze, posterior
):
    assert conflicts(squeeze, [posterior]) == []


def test_the_builder_adds_it_without_a_reason_and_today_shows_it(
    therapist_a, patient_a, program, squeeze, posterior
):
    item = program_item_add(actor=therapist_a, program=program, spec=ItemSpec(exercise=squeeze))

    assert item.precaution_override == ""
    assert "Seated squeeze" in signed_in(patient_a.user).get("/today/").text


def test_rows_read_the_same_rule_so_nothing_is_held_back(patient_a, program, squeeze, posterior):
    ExerciseItemFactory(program=program, exercise=squeeze)

    held = programs_held_back(patients=[patient_a.pk], start=TODAY, end=TODAY + timedelta(6))

    assert held == set()


def test_not_recorded_still_needs_a_reason(therapist_a, patient_a, program, posterior):
    blank = ExerciseFactory(name="Blank", clinic=therapist_a.clinic, hip_movements=[])
    ExerciseItemFactory(program=program, exercise=blank)

    found = conflicts(blank, [posterior])
    held = programs_held_back(patients=[patient_a.pk], start=TODAY, end=TODAY)

    assert [c.unrecorded for c in found] == [True]
    assert held == {program.pk}


def test_the_form_records_none_of_these_movements(therapist_a):
    data = {**NEW_EXERCISE, "hip_movements": ["none"]}

    response = signed_in(therapist_a).post(reverse("exercises:create"), data)

    assert response.status_code == 302
    exercise = Exercise.objects.get(name="Banded side step")
    assert (exercise.hip_movements, exercise.hip_movements_none) == ([], True)
    page = signed_in(therapist_a).get(reverse("exercises:edit", args=[exercise.public_id])).text
    boxes = re.findall(r'<input type="checkbox" name="hip_movements"[^>]*>', page)
    checked = [box for box in boxes if "checked" in box]
    assert len(boxes) == 7
    assert len(checked) == 1
    assert 'value="none"' in checked[0]


def test_none_ticked_with_a_movement_is_refused_naming_both(therapist_a):
    data = {**NEW_EXERCISE, "hip_movements": ["none", "extension"]}

    response = signed_in(therapist_a).post(reverse("exercises:create"), data)

    assert response.status_code == 400
    assert "Tick “None of these movements” or the movements" in response.text
    assert not Exercise.objects.exists()


def test_the_pages_tell_none_recorded_from_not_recorded(therapist_a, squeeze):
    blank = ExerciseFactory(name="Blank", clinic=therapist_a.clinic, hip_movements=[])
    client = signed_in(therapist_a)

    shown = client.get(reverse("exercises:detail", args=[squeeze.public_id])).text
    unknown = client.get(reverse("exercises:detail", args=[blank.public_id])).text

    assert '<li class="tag">None of these movements</li>' in shown
    assert '<li class="tag">Not recorded</li>' in unknown
    assert "for a patient with hip precautions the builder asks for your override" in unknown


def test_the_api_says_which(therapist_a, squeeze):
    answer = signed_in(therapist_a).get(f"/api/v1/exercises/{squeeze.public_id}/").json()

    assert (answer["hip_movements"], answer["hip_movements_none"]) == ([], True)


def test_the_database_refuses_none_beside_a_movement(therapist_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        ExerciseFactory(
            clinic=therapist_a.clinic, hip_movements=["extension"], hip_movements_none=True
        )


def test_the_upgrade_marks_only_library_exercises_with_no_movements_as_none(therapist_a):
    import importlib

    from django.apps import apps as django_apps

    from apps.exercises.loading import library_load

    library_load()
    Exercise.objects.update(hip_movements_none=False)  # as before the upgrade
    blank = ExerciseFactory(clinic=therapist_a.clinic, hip_movements=[])
    migration = importlib.import_module(
        "apps.exercises.migrations.0008_exercise_hip_movements_none"
    )

    migration.mark_library(django_apps, None)

    marked = set(Exercise.objects.filter(hip_movements_none=True).values_list("key", flat=True))
    assert marked == {"gluteal-squeeze"}
    assert blank.key not in marked
