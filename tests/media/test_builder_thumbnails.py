"""Builder cards and the library list show the clinic's first photo of an exercise as a
thumbnail beside (or, for a clinic's own exercise, instead of) its drawing; another clinic's
photos never appear."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.media import services
from tests.conftest import signed_in
from tests.factories import ExerciseItemFactory, ProgramFactory
from tests.media import samples
from tests.media.conftest import upload

pytestmark = pytest.mark.django_db


def test_a_builder_card_shows_the_clinics_photo_thumbnail(
    therapist_a, therapist_b, patient_a, exercise, django_assert_max_num_queries
):
    program = ProgramFactory(patient=patient_a)
    ExerciseItemFactory(program=program, exercise=exercise)
    ours = services.media_upload(actor=therapist_a, exercise=exercise, upload=upload(samples.png()))
    client = signed_in(therapist_a)

    with django_assert_max_num_queries(20):
        response = client.get(reverse("programs:builder", args=[program.public_id]))

    thumb = reverse("media:file", args=[ours.public_id, ours.thumb.rsplit("/", 1)[1]])
    assert f'src="{thumb}"' in response.text
    assert client.get(thumb).status_code == 200


def test_the_library_list_shows_the_clinics_photo_thumbnail(
    therapist_a, therapist_b, exercise, shared_exercise
):
    ours = services.media_upload(actor=therapist_a, exercise=exercise, upload=upload(samples.png()))
    theirs = services.media_upload(
        actor=therapist_b, exercise=shared_exercise, upload=upload(samples.webp())
    )

    response = signed_in(therapist_a).get(reverse("exercises:library"))

    thumb = reverse("media:file", args=[ours.public_id, ours.thumb.rsplit("/", 1)[1]])
    assert f'src="{thumb}"' in response.text
    assert str(theirs.public_id) not in response.text
