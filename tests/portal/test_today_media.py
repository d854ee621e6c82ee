"""The clinic's own photos and videos on the patient's Today page and in /api/v1/me/today/,
and the patient's route to those files: only exercises of their own active programs."""

from __future__ import annotations

import html
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from apps.exercises.models import LadderLevel
from apps.media import services
from tests.conftest import signed_in
from tests.factories import (
    ExerciseFactory,
    ExerciseItemFactory,
    LadderFactory,
    LadderItemFactory,
    ProgramFactory,
)
from tests.media import samples
from tests.media.conftest import upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_storage")]

NOW = datetime(2026, 3, 3, 12, 0, tzinfo=ZoneInfo("UTC"))


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def clam(patient_a):
    exercise = ExerciseFactory(clinic=None, key="clam-1", name="Clam")
    program = ProgramFactory(patient=patient_a, start_date=date(2026, 2, 1))
    ExerciseItemFactory(program=program, exercise=exercise)
    return exercise


def _file_url(media, variant):
    return reverse(
        "patients:media", args=[media.public_id, getattr(media, variant).rsplit("/")[-1]]
    )


def test_today_shows_the_clinics_first_photo_to_enlarge_and_its_video(
    patient_a, therapist_a, clam, video_dir, django_assert_max_num_queries
):
    services.media_upload(actor=therapist_a, exercise=clam, upload=upload(samples.png()))
    first = services.media_upload(
        actor=therapist_a, exercise=clam, upload=upload(samples.webp()), first=True
    )
    video = services.media_upload(
        actor=therapist_a, exercise=clam, upload=upload(samples.mp4(video_dir), "v.mp4")
    )
    client = signed_in(patient_a.user)

    with django_assert_max_num_queries(13):  # the Today page's own ceiling
        response = client.get("/today/")

    text = html.unescape(response.text)
    assert f'src="{_file_url(first, "phone")}"' in text
    assert text.count("clinic-photo") == 1
    assert "data-illustration-toggle" in text.split("clinic-photo")[1]
    assert f'<source src="{_file_url(video, "video")}" type="video/mp4">' in text
    assert f'poster="{_file_url(video, "phone")}"' in text
    assert 'preload="none"' in text
    assert client.get(_file_url(first, "phone")).status_code == 200


def test_another_clinics_photos_of_the_same_shared_exercise_are_not_shown(
    patient_a, therapist_b, clam
):
    theirs = services.media_upload(actor=therapist_b, exercise=clam, upload=upload(samples.png()))
    client = signed_in(patient_a.user)

    response = client.get("/today/")

    assert str(theirs.public_id) not in response.text
    assert client.get(_file_url(theirs, "phone")).status_code == 404


def test_the_api_carries_the_drawing_photo_and_video_urls(patient_a, therapist_a, clam, video_dir):
    photo = services.media_upload(actor=therapist_a, exercise=clam, upload=upload(samples.png()))
    video = services.media_upload(
        actor=therapist_a, exercise=clam, upload=upload(samples.webm(video_dir), "v.webm")
    )

    body = signed_in(patient_a.user).get("/api/v1/me/today/").json()

    pictures = body["items"][0]["exercise"]["pictures"]
    assert pictures["drawing"]["pair"].startswith("/illustrations/clam-1/pair.svg?v=")
    assert pictures["drawing"]["alt"]
    assert pictures["photo"] == {v: _file_url(photo, v) for v in ("thumb", "phone", "print")}
    assert pictures["video"] == {
        "video": _file_url(video, "video"),
        "type": "video/webm",
        "poster": _file_url(video, "phone"),
    }


def test_the_api_has_no_photo_or_video_when_the_clinic_has_none(patient_a, clam):
    body = signed_in(patient_a.user).get("/api/v1/me/today/").json()

    pictures = body["items"][0]["exercise"]["pictures"]
    assert pictures["photo"] is None
    assert pictures["video"] is None


def test_a_patient_gets_media_of_any_level_of_a_ladder_in_their_program(patient_a, therapist_a):
    ladder = LadderFactory(levels=3)
    program = ProgramFactory(patient=patient_a, start_date=date(2026, 2, 1))
    LadderItemFactory(program=program, ladder=ladder)
    level_three = LadderLevel.objects.get(ladder=ladder, level=3).exercise
    media = services.media_upload(
        actor=therapist_a, exercise=level_three, upload=upload(samples.png())
    )

    response = signed_in(patient_a.user).get(_file_url(media, "thumb"))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, max-age=31536000, immutable"


def test_a_patient_gets_404_for_an_exercise_outside_their_active_programs(
    patient_a, therapist_a, clam
):
    elsewhere = ExerciseFactory(clinic=None)
    outside = services.media_upload(
        actor=therapist_a, exercise=elsewhere, upload=upload(samples.png())
    )
    inside = services.media_upload(actor=therapist_a, exercise=clam, upload=upload(samples.png()))
    client = signed_in(patient_a.user)

    assert client.get(_file_url(outside, "thumb")).status_code == 404
    assert client.get(_file_url(inside, "thumb")).status_code == 200
    patient_a.programs.update(is_active=False)
    assert client.get(_file_url(inside, "thumb")).status_code == 404


def test_staff_get_403_on_the_patients_route(therapist_a, clam):
    media = services.media_upload(actor=therapist_a, exercise=clam, upload=upload(samples.png()))

    assert signed_in(therapist_a).get(_file_url(media, "thumb")).status_code == 403
