"""The media API: upload, list, show first, replace and delete with a token or the session,
and every bad input as a 400 or 413 with a message."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.throttling import UserRateThrottle

from apps.clinics.models import TokenScope
from apps.clinics.tokens import api_token_create
from apps.media.models import ExerciseMedia
from tests.media import samples
from tests.media.conftest import stored_files, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_throttling(monkeypatch):
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "100000/min"})


@pytest.fixture
def api(admin_a, therapist_a):
    _, secret = api_token_create(
        admin=admin_a, user=therapist_a, name="Media", scope=TokenScope.READ_WRITE
    )
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def _create(api, exercise, content, name="photo.jpg", **fields):
    url = reverse("api-exercise-media", args=[exercise.public_id])
    return api.post(url, {"file": upload(content, name), **fields})


def test_upload_list_first_replace_delete(api, shared_exercise, media_root, video_dir):
    photo = _create(api, shared_exercise, samples.png())
    assert photo.status_code == 201, photo.json()
    assert photo.json()["kind"] == "photo"
    assert photo.json()["is_first"] is True
    assert set(photo.json()["urls"]) == {"thumb", "phone", "print"}

    second = _create(api, shared_exercise, samples.webp(), first="true")
    assert second.json()["is_first"] is True

    video = _create(api, shared_exercise, samples.mp4(video_dir), "clip.mp4")
    assert video.status_code == 201
    assert set(video.json()["urls"]) == {"video", "thumb", "phone"}

    listed = api.get(reverse("api-exercise-media", args=[shared_exercise.public_id])).json()
    assert [m["public_id"] for m in listed["results"]][:2] == [
        second.json()["public_id"], video.json()["public_id"],
    ]  # fmt: skip

    first = api.post(reverse("api-media-first", args=[photo.json()["public_id"]]))
    assert first.status_code == 200
    assert first.json()["is_first"] is True

    replace_url = reverse("api-media-replace", args=[photo.json()["public_id"]])
    replaced = api.post(replace_url, {"file": upload(samples.jpeg_with_gps())})
    assert replaced.status_code == 200
    assert replaced.json()["urls"]["phone"] != photo.json()["urls"]["phone"]

    gone = api.delete(reverse("api-media", args=[video.json()["public_id"]]))
    assert gone.status_code == 204
    assert api.get(reverse("api-media", args=[video.json()["public_id"]])).status_code == 404


@pytest.mark.parametrize(
    ("content", "name", "status", "words"),
    [
        (samples.HTML, "photo.jpg", 400, "JPEG, PNG or WebP photos, or MP4 (H.264) or WebM videos"),
        (samples.SVG, "logo.svg", 400, "not an allowed type"),
        (b"", "empty.png", 400, "empty"),
        (samples.bomb(), "bomb.png", 413, "megapixels"),
    ],
)
def test_bad_files_are_refused_with_a_message(
    api, shared_exercise, media_root, content, name, status, words
):
    response = _create(api, shared_exercise, content, name)

    assert response.status_code == status
    assert words in response.json()["message"]
    assert stored_files(media_root) == []


def test_over_the_size_limit_is_413_and_a_large_body_passes_the_api_json_limit(
    settings, api, shared_exercise, media_root
):
    settings.MEDIA_PHOTO_MAX_BYTES = 1024 * 1024
    big = samples.png() + b"\x00" * (2 * 1024 * 1024)

    response = _create(api, shared_exercise, big)

    assert response.status_code == 413
    assert response.json()["message"] == "Photos may be at most 1 MB."
    assert stored_files(media_root) == []


def test_over_the_quota_is_413(settings, api, shared_exercise, media_root):
    settings.MEDIA_CLINIC_QUOTA_BYTES = 2000

    response = _create(api, shared_exercise, samples.jpeg_with_gps())

    assert response.status_code == 413
    assert "more than your clinic has left (1 KB of 1 KB)" in response.json()["message"]
    assert stored_files(media_root) == []


def test_a_request_without_a_file_names_the_field(api, shared_exercise):
    url = reverse("api-exercise-media", args=[shared_exercise.public_id])

    response = api.post(url, {"first": "true"})

    assert response.status_code == 400
    assert "file" in response.json()["errors"]


def test_a_session_upload_needs_the_csrf_token(therapist_a, shared_exercise, media_root):
    client = Client(enforce_csrf_checks=True)
    client.force_login(therapist_a)
    client.get(reverse("exercises:library"))
    url = reverse("api-exercise-media", args=[shared_exercise.public_id])

    refused = client.post(url, {"file": upload(samples.png())})
    accepted = client.post(
        url, {"file": upload(samples.png())}, HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value
    )

    assert refused.status_code == 403
    assert accepted.status_code == 201
    assert ExerciseMedia.objects.count() == 1


def test_another_clinics_media_is_404_and_untouched(api, therapist_b, exercise_b_media):
    for name, method in (
        ("api-media", "get"),
        ("api-media", "delete"),
        ("api-media-first", "post"),
    ):
        response = getattr(api, method)(reverse(name, args=[exercise_b_media.public_id]))
        assert response.status_code == 404, (name, method)
    assert ExerciseMedia.objects.filter(pk=exercise_b_media.pk).exists()


@pytest.fixture
def exercise_b_media(therapist_b):
    from apps.media import services
    from tests.factories import ExerciseFactory

    exercise = ExerciseFactory(clinic=therapist_b.clinic)
    return services.media_upload(actor=therapist_b, exercise=exercise, upload=upload(samples.png()))


def test_a_session_upload_declared_too_large_is_not_read_into_a_file(
    settings, therapist_a, shared_exercise, monkeypatch, media_root
):
    from django.core.files.uploadhandler import TemporaryFileUploadHandler

    settings.MEDIA_VIDEO_MAX_BYTES = 1024
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # Django's own handlers would use a temporary file
    written = []
    original = TemporaryFileUploadHandler.receive_data_chunk
    monkeypatch.setattr(
        TemporaryFileUploadHandler,
        "receive_data_chunk",
        lambda self, data, start: written.append(len(data)) or original(self, data, start),
    )
    client = Client(enforce_csrf_checks=True)
    client.force_login(therapist_a)
    client.get(reverse("exercises:library"))
    url = reverse("api-exercise-media", args=[shared_exercise.public_id])

    response = client.post(
        url,
        {"file": upload(samples.png() + b"\x00" * 500_000)},
        HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value,
    )

    assert response.status_code == 413
    assert "videos 1 KB" in response.json()["message"]
    assert written == []
    assert stored_files(media_root) == []


@pytest.mark.parametrize("value", ["maybe", "2", "yes please"])
def test_a_first_that_is_not_true_or_false_is_a_400_naming_it(
    api, shared_exercise, media_root, value
):
    response = _create(api, shared_exercise, samples.png(), first=value)

    assert response.status_code == 400
    assert response.json()["errors"]["first"] == ["Give first as true or false."]
    assert stored_files(media_root) == []
    assert not ExerciseMedia.objects.exists()


@pytest.mark.parametrize(("value", "first"), [("false", False), ("0", False), ("1", True)])
def test_first_takes_true_or_false_in_the_usual_spellings(
    api, shared_exercise, media_root, value, first
):
    _create(api, shared_exercise, samples.png())

    response = _create(api, shared_exercise, samples.webp(), first=value)

    assert response.status_code == 201
    assert response.json()["is_first"] is first


@pytest.mark.parametrize("name", ["api-exercise-media", "api-media-replace"])
def test_two_files_in_one_upload_are_a_400_and_neither_is_kept(
    api, therapist_a, shared_exercise, media_root, name
):
    from apps.media import services

    existing = services.media_upload(
        actor=therapist_a, exercise=shared_exercise, upload=upload(samples.png())
    )
    before = stored_files(media_root)
    target = shared_exercise if name == "api-exercise-media" else existing
    url = reverse(name, args=[target.public_id])

    response = api.post(url, {"file": [upload(samples.webp()), upload(samples.jpeg_with_gps())]})

    assert response.status_code == 400
    assert response.json()["errors"]["file"] == ["Send one file per upload."]
    assert stored_files(media_root) == before
    assert ExerciseMedia.objects.count() == 1


def test_an_upload_sent_again_answers_200_with_the_one_already_there(
    api, shared_exercise, video_dir
):
    photo = _create(api, shared_exercise, samples.png())
    video = _create(api, shared_exercise, samples.mp4(video_dir), "clip.mp4")

    photo_again = _create(api, shared_exercise, samples.png())
    video_again = _create(api, shared_exercise, samples.mp4(video_dir), "clip.mp4")

    assert (photo.status_code, photo_again.status_code) == (201, 200)
    assert (video.status_code, video_again.status_code) == (201, 200)
    assert photo_again.json()["public_id"] == photo.json()["public_id"]
    assert video_again.json()["public_id"] == video.json()["public_id"]
    assert ExerciseMedia.objects.count() == 2
