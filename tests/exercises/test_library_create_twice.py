"""Adding to the clinic's library twice with the same one-time key (a double click on Add an
exercise, Build the ladder or Add source) adds once: the second request goes where the first
went, and the library holds no "Banded side step" beside a "Banded side step" (key ``-2``)."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from apps.exercises import ladder_services, services
from apps.exercises.models import Exercise, Ladder, Study
from tests.conftest import signed_in
from tests.exercises.factories import ClinicExerciseFactory
from tests.exercises.test_clinic_library import NEW_EXERCISE
from tests.once import form_key
from tests.programs.races import race

pytestmark = pytest.mark.django_db


def _twice(client, url: str, data: dict) -> list[str]:
    key = form_key(client.get(url).content.decode())
    answers = [client.post(url, data | {"client_id": key}) for _ in range(2)]
    assert [a.status_code for a in answers] == [302, 302]
    return [a["Location"] for a in answers]


def _ladder_form(therapist) -> dict[str, str]:
    low, high = (ClinicExerciseFactory(clinic=therapist.clinic) for _ in range(2))
    return {
        "name": "Our clam ladder",
        "advance_at_reps": "15",
        "level_1": str(low.public_id),
        "level_2": str(high.public_id),
    }


def test_add_an_exercise_sent_twice_adds_it_once(therapist_a):
    locations = _twice(signed_in(therapist_a), reverse("exercises:create"), NEW_EXERCISE)

    exercise = Exercise.objects.get(name="Banded side step")
    assert set(locations) == {reverse("exercises:detail", args=[exercise.public_id])}


def test_the_edit_forms_carry_no_key(therapist_a):
    exercise = ClinicExerciseFactory(clinic=therapist_a.clinic)
    ladder = ladder_services.ladder_create(
        user=therapist_a, name="Ours", exercises=[exercise], advance_at_reps=20
    )
    client = signed_in(therapist_a)

    for url in (
        reverse("exercises:edit", args=[exercise.public_id]),
        reverse("exercises:ladder-edit", args=[ladder.public_id]),
    ):
        assert 'name="client_id"' not in client.get(url).content.decode()


def test_build_a_ladder_sent_twice_builds_it_once(therapist_a):
    data = _ladder_form(therapist_a)

    locations = _twice(signed_in(therapist_a), reverse("exercises:ladder-create"), data)

    ladder = Ladder.objects.get()
    assert set(locations) == {reverse("exercises:ladder", args=[ladder.public_id])}
    assert ladder.levels.count() == 2


def test_add_a_source_sent_twice_adds_it_once(therapist_a):
    data = {"short_name": "Selkowitz 2013", "citation": "Selkowitz DM et al. 2013."}

    _twice(signed_in(therapist_a), reverse("exercises:study-create"), data)

    assert Study.objects.filter(short_name="Selkowitz 2013").count() == 1


def test_each_drawing_of_the_add_forms_gets_a_new_key(therapist_a):
    client = signed_in(therapist_a)

    for name in ("exercises:create", "exercises:ladder-create", "exercises:study-create"):
        keys = {form_key(client.get(reverse(name)).content.decode()) for _ in range(2)}
        assert len(keys) == 2, name


def test_add_a_source_sent_back_with_other_details_adds_nothing_more(therapist_a):
    client = signed_in(therapist_a)
    url = reverse("exercises:study-create")
    key = form_key(client.get(url).content.decode())
    client.post(url, {"short_name": "Ours 2024", "citation": "A.", "client_id": key})

    page = client.post(url, {"short_name": "Ours 2025", "citation": "A.", "client_id": key})

    assert page.status_code == 400
    assert "already used for a different study" in page.content.decode()
    assert list(Study.objects.values_list("short_name", flat=True)) == ["Ours 2024"]


def test_a_key_of_another_clinics_row_is_refused(therapist_a, therapist_b):
    key = uuid.uuid4()
    services.study_create(user=therapist_b, short_name="Theirs", citation="B.", client_id=key)

    page = signed_in(therapist_a).post(
        reverse("exercises:study-create"),
        {"short_name": "Ours", "citation": "A.", "client_id": str(key)},
    )

    assert page.status_code == 400
    assert "reload the page" in page.content.decode()
    assert not Study.objects.filter(clinic=therapist_a.clinic).exists()


@pytest.mark.django_db(transaction=True)
def test_two_exercises_with_one_key_at_the_same_moment_add_one(require_postgres, therapist_a):
    """Writer A adds the exercise and holds its transaction open; writer B, the double click,
    waits on the unique key; A commits. B answers with A's exercise."""
    content = services.ExerciseContent(
        name="Wall sit", position="standing", movement="Hold a squat", default_reps=10
    )
    key = uuid.uuid4()
    made: list[Exercise] = []

    def add() -> None:
        made.append(services.exercise_create(user=therapist_a, content=content, client_id=key))

    race(add, add)

    assert Exercise.objects.filter(name="Wall sit").count() == 1
    assert made[0].pk == made[1].pk
