"""The photos-and-videos page of an exercise: upload, replace, show first, delete in the
browser's way (multipart forms with the CSRF token), and what each bad file answers."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from apps.media import services
from apps.media.models import ExerciseMedia
from tests.conftest import signed_in
from tests.media import samples
from tests.media.conftest import stored_files, upload

pytestmark = pytest.mark.django_db


def _csrf_client(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def _post_file(client, url, content, name="photo.jpg", **extra):
    page = client.get(reverse("exercises:library"))
    token = page.cookies["csrftoken"].value if "csrftoken" in page.cookies else ""
    token = token or client.cookies["csrftoken"].value
    return client.post(url, {"csrfmiddlewaretoken": token, "file": upload(content, name), **extra})


@pytest.fixture
def client_a(therapist_a):
    client = _csrf_client(therapist_a)
    client.get(reverse("exercises:library"))  # sets the CSRF cookie
    return client


def test_the_exercise_page_shows_the_clinics_thumbnails_and_links_to_their_page(
    therapist_a, therapist_b, shared_exercise
):
    ours = services.media_upload(
        actor=therapist_a, exercise=shared_exercise, upload=upload(samples.png())
    )
    theirs = services.media_upload(
        actor=therapist_b, exercise=shared_exercise, upload=upload(samples.webp())
    )

    page = signed_in(therapist_a).get(reverse("exercises:detail", args=[shared_exercise.public_id]))

    assert reverse("media:manage", args=[shared_exercise.public_id]) in page.text
    thumb = reverse("media:file", args=[ours.public_id, ours.thumb.rsplit("/", 1)[1]])
    assert f'src="{thumb}"' in page.text
    assert "Your clinic's photo of Side-lying abduction, shown first" in page.text
    assert str(theirs.public_id) not in page.text


def test_upload_a_photo_of_a_shared_exercise_and_see_it_listed(
    client_a, shared_exercise, django_assert_max_num_queries
):
    url = reverse("media:upload", args=[shared_exercise.public_id])

    response = _post_file(client_a, url, samples.jpeg_with_gps())

    assert response.status_code == 302
    media = ExerciseMedia.objects.get()
    assert media.exercise == shared_exercise
    assert media.is_first
    with django_assert_max_num_queries(12):
        page = client_a.get(reverse("media:manage", args=[shared_exercise.public_id]))
    assert reverse("media:file", args=[media.public_id, media.thumb.rsplit("/", 1)[1]]) in page.text
    assert "shown first" in page.text


def test_a_page_post_without_the_csrf_token_is_refused_and_stores_nothing(
    client_a, shared_exercise, media_root
):
    url = reverse("media:upload", args=[shared_exercise.public_id])

    response = client_a.post(url, {"file": upload(samples.png())})

    assert response.status_code == 403
    assert stored_files(media_root) == []


@pytest.mark.parametrize(
    ("content", "name", "status", "words"),
    [
        (samples.HTML, "photo.jpg", 400, "not an allowed type"),
        (samples.SVG, "logo.svg", 400, "not an allowed type"),
        (b"", "empty.jpg", 400, "The file is empty"),
        (samples.bomb(), "big.png", 413, "megapixels"),
    ],
)
def test_a_bad_file_answers_with_the_page_and_what_is_allowed(
    client_a, shared_exercise, media_root, content, name, status, words
):
    url = reverse("media:upload", args=[shared_exercise.public_id])

    response = _post_file(client_a, url, content, name)

    assert response.status_code == status
    assert words in response.text
    assert stored_files(media_root) == []
    assert not ExerciseMedia.objects.exists()


def test_an_upload_over_the_photo_limit_is_refused_while_streaming(
    settings, client_a, shared_exercise, media_root, monkeypatch
):
    from django.core.files.uploadhandler import TemporaryFileUploadHandler

    settings.MEDIA_PHOTO_MAX_BYTES = 100 * 1024
    written = []
    original = TemporaryFileUploadHandler.receive_data_chunk

    def counting(self, raw_data, start):
        written.append(len(raw_data))
        return original(self, raw_data, start)

    monkeypatch.setattr(TemporaryFileUploadHandler, "receive_data_chunk", counting)
    big = samples.png() + b"\x00" * (2 * 1024 * 1024)

    response = _post_file(client_a, reverse("media:upload", args=[shared_exercise.public_id]), big)

    assert response.status_code == 413
    assert "Photos may be at most 0 MB" not in response.text
    assert "Photos may be at most" in response.text
    # Stopped at the first chunk past the limit: the rest never reached a file.
    assert sum(written) <= settings.MEDIA_PHOTO_MAX_BYTES
    assert stored_files(media_root) == []


def test_a_file_stopped_while_streaming_past_what_is_left_says_both_sizes(
    settings, client_a, shared_exercise, media_root
):
    settings.MEDIA_CLINIC_QUOTA_BYTES = 300 * 1024
    big = samples.png() + b"\x00" * (500 * 1024)

    response = _post_file(client_a, reverse("media:upload", args=[shared_exercise.public_id]), big)

    assert response.status_code == 413
    assert "is full" not in response.text
    # The body's declared length: the file and a few hundred bytes of form around it.
    assert re.search(
        r"This file needs 50[01] KB of storage, more than your clinic has left", response.text
    )
    assert "(300 KB of 300 KB)" in response.text
    assert stored_files(media_root) == []


def test_a_body_declared_larger_than_any_video_is_refused_unread(
    settings, client_a, shared_exercise
):
    settings.MEDIA_VIDEO_MAX_BYTES = 1024
    url = reverse("media:upload", args=[shared_exercise.public_id])

    response = _post_file(client_a, url, samples.png() + b"\x00" * 200_000)

    assert response.status_code == 413
    assert "videos" in response.text


def test_replace_show_first_and_delete_from_the_page(client_a, therapist_a, exercise, media_root):
    one = services.media_upload(actor=therapist_a, exercise=exercise, upload=upload(samples.png()))
    two = services.media_upload(actor=therapist_a, exercise=exercise, upload=upload(samples.webp()))
    token = client_a.cookies["csrftoken"].value

    assert client_a.post(reverse("media:first", args=[two.public_id]),
                         {"csrfmiddlewaretoken": token}).status_code == 302  # fmt: skip
    two.refresh_from_db()
    assert two.is_first

    response = _post_file(
        client_a, reverse("media:replace", args=[one.public_id]), samples.jpeg_with_gps()
    )
    assert response.status_code == 302
    one.refresh_from_db()
    assert one.width == 200  # the upright JPEG

    response = client_a.post(
        reverse("media:delete", args=[one.public_id]), {"csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert list(ExerciseMedia.objects.all()) == [two]


def test_another_clinics_staff_get_404_for_every_media_page(therapist_a, therapist_b, exercise):
    media = services.media_upload(
        actor=therapist_a, exercise=exercise, upload=upload(samples.png())
    )
    client = signed_in(therapist_b)

    assert client.get(reverse("media:manage", args=[exercise.public_id])).status_code == 404
    for name in ("media:first", "media:delete", "media:replace"):
        assert client.post(reverse(name, args=[media.public_id])).status_code == 404, name
    file_url = reverse("media:file", args=[media.public_id, media.thumb.rsplit("/", 1)[1]])
    assert client.get(file_url).status_code == 404
    assert ExerciseMedia.objects.filter(pk=media.pk).exists()


def test_a_clinic_sees_only_its_own_photos_of_a_shared_exercise(
    therapist_a, therapist_b, shared_exercise
):
    services.media_upload(actor=therapist_a, exercise=shared_exercise, upload=upload(samples.png()))

    page = signed_in(therapist_b).get(reverse("media:manage", args=[shared_exercise.public_id]))

    assert page.status_code == 200
    assert "No photos or videos yet" in page.text
