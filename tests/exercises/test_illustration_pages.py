"""The drawings on the staff pages: a thumbnail per exercise on the library list and the
ladder page, the start and end pair on the exercise page. No extra queries."""

from __future__ import annotations

import html
import re

import pytest

from apps.exercises.illustrations import illustration_version
from apps.exercises.models import Exercise, Ladder
from tests.conftest import signed_in
from tests.exercises.factories import ClinicExerciseFactory

pytestmark = pytest.mark.django_db

LIBRARY = "/library/"
THUMB = re.compile(
    r'<img class="illustration-thumb" src="/illustrations/([a-z0-9-]+)/thumb\.svg\?v=(\w+)"'
)


def test_the_library_list_shows_a_thumbnail_for_every_shared_exercise(library, therapist_a):
    ClinicExerciseFactory(clinic=therapist_a.clinic, key="clam-1", name="Our own clam")

    response = signed_in(therapist_a).get(LIBRARY)

    found = THUMB.findall(response.text)
    assert sorted(key for key, _ in found) == sorted(
        Exercise.objects.filter(clinic=None).values_list("key", flat=True)
    )
    assert len(found) == 22
    assert {version for _, version in found} == {illustration_version()}
    # A clinic's own exercise has no drawing, even when its key repeats a library key.
    assert response.text.count("Our own clam") == 1
    assert len(found) == response.text.count("illustration-thumb")


def test_the_library_list_with_thumbnails_keeps_its_query_count(
    library, therapist_a, django_assert_max_num_queries
):
    client = signed_in(therapist_a)
    client.get(LIBRARY)
    # One of them: the staff menu's count of what waits in the inbox.
    with django_assert_max_num_queries(7):
        response = client.get(LIBRARY)
    assert response.text.count("illustration-thumb") == 22


def test_the_exercise_page_shows_the_start_and_end_pair_with_alt_text_from_the_steps(
    library, therapist_a, django_assert_max_num_queries
):
    exercise = Exercise.objects.get(key="clam-2", clinic=None)
    client = signed_in(therapist_a)
    client.get(LIBRARY)  # warm the session

    # One of them: the staff menu's count of what waits in the inbox.
    with django_assert_max_num_queries(9):
        response = client.get(f"/library/exercises/{exercise.public_id}/")

    text = html.unescape(response.text)
    assert f'src="/illustrations/clam-2/pair.svg?v={illustration_version()}"' in text
    assert f"Start: {exercise.steps[0]} Movement: {exercise.steps[2]}" in text


def test_a_clinic_exercise_page_has_no_drawing(therapist_a):
    exercise = ClinicExerciseFactory(clinic=therapist_a.clinic, key="clam-1")

    response = signed_in(therapist_a).get(f"/library/exercises/{exercise.public_id}/")

    assert response.status_code == 200
    assert "/illustrations/" not in response.text


def test_the_ladder_page_shows_every_levels_thumbnail(library, therapist_a):
    ladder = Ladder.objects.get(key="reverse-clamshell")

    response = signed_in(therapist_a).get(f"/library/ladders/{ladder.public_id}/")

    keys = [key for key, _ in THUMB.findall(response.text)]
    assert keys == ["windshield-wiper-stretch", "clam-2", "reverse-clam-band", "clam-4"]
