"""The clinic's own-exercise form chooses nothing for the therapist where a guess would be
wrong data: the position and whether it is done on each side start empty, and a form sent
with either left empty is refused, naming it, with nothing saved."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from apps.exercises.models import Exercise
from tests.conftest import signed_in
from tests.exercises.factories import ClinicExerciseFactory
from tests.exercises.test_clinic_library import NEW_EXERCISE

pytestmark = pytest.mark.django_db


def _selected(page: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}".*?</select>', page, re.S)
    assert select, name
    return re.findall(r'<option value="([^"]*)"[^>]*selected', select.group(0))


def _checked(page: str, name: str) -> list[str]:
    inputs = re.findall(rf'<input type="radio" name="{name}"[^>]*>', page)
    assert inputs, name
    return [re.findall(r'value="([^"]*)"', i)[0] for i in inputs if "checked" in i]


def test_the_new_exercise_form_starts_with_no_position_and_no_side_chosen(therapist_a):
    page = signed_in(therapist_a).get(reverse("exercises:create")).content.decode()

    assert _selected(page, "position") == [""]
    assert "Choose…" in page
    assert _checked(page, "per_side") == []


def test_a_new_exercise_without_position_or_sides_is_refused_naming_both(therapist_a):
    data = {k: v for k, v in NEW_EXERCISE.items() if k not in ("position", "per_side")}

    response = signed_in(therapist_a).post(reverse("exercises:create"), data)

    page = response.content.decode()
    assert response.status_code == 400
    assert "Choose the position the exercise is done in." in page
    assert "Choose whether it is done on each side or with both sides together." in page
    assert not Exercise.objects.exists()


@pytest.mark.parametrize(("sent", "stored"), [("each_side", True), ("together", False)])
def test_the_sides_chosen_are_saved(therapist_a, sent, stored):
    data = {**NEW_EXERCISE, "per_side": sent}

    response = signed_in(therapist_a).post(reverse("exercises:create"), data)

    assert response.status_code == 302
    assert Exercise.objects.get(name="Banded side step").per_side is stored


@pytest.mark.parametrize(("per_side", "shown"), [(True, "each_side"), (False, "together")])
def test_the_edit_form_shows_the_stored_position_and_sides(therapist_a, per_side, shown):
    exercise = ClinicExerciseFactory(clinic=therapist_a.clinic, position="prone", per_side=per_side)

    url = reverse("exercises:edit", args=[exercise.public_id])
    page = signed_in(therapist_a).get(url).content.decode()

    assert _selected(page, "position") == ["prone"]
    assert _checked(page, "per_side") == [shown]
