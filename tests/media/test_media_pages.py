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
    url = reverse("media:manage", args=[shared_exercise.public_id])

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
    url = reverse("media:manage", args=[shared_exercise.public_id])

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
    url = reverse("media:manage", args=[shared_exercise.public_id])

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

    response = _post_file(client_a, reverse("media:manage", args=[shared_exercise.public_id]), big)

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

    response = _post_file(client_a, reverse("media:manage", args=[shared_exercise.public_id]), big)

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
    url = reverse("media:manage", args=[shared_exercise.public_id])

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
        client_a,
        reverse("media:manage", args=[exercise.public_id]),
        samples.jpeg_with_gps(),
        replace=str(one.public_id),
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

    page_url = reverse("media:manage", args=[exercise.public_id])
    assert client.get(page_url).status_code == 404
    assert client.post(page_url, {"file": upload(samples.png())}).status_code == 404
    for name in ("media:first", "media:delete"):
        assert client.post(reverse(name, args=[media.public_id])).status_code == 404, name
    file_url = reverse("media:file", args=[media.public_id, media.thumb.rsplit("/", 1)[1]])
    assert client.get(file_url).status_code == 404
    assert ExerciseMedia.objects.filter(pk=media.pk).exists()


def test_replace_names_a_photo_or_video_of_this_exercise_and_clinic(
    client_a, therapist_a, therapist_b, exercise, shared_exercise, media_root
):
    """Anything else named in ``replace`` is a 404, and nothing is stored or replaced."""
    theirs = services.media_upload(
        actor=therapist_b, exercise=shared_exercise, upload=upload(samples.png())
    )
    other_exercise = services.media_upload(
        actor=therapist_a, exercise=shared_exercise, upload=upload(samples.png())
    )
    before = stored_files(media_root)
    page_url = reverse("media:manage", args=[exercise.public_id])

    for named in (str(theirs.public_id), str(other_exercise.public_id), "not-an-id"):
        response = _post_file(client_a, page_url, samples.webp(), replace=named)

        assert response.status_code == 404, named
    assert stored_files(media_root) == before
    assert ExerciseMedia.objects.count() == 2


def test_a_patient_cannot_post_to_the_page(patient_a, therapist_a, exercise, media_root):
    media = services.media_upload(
        actor=therapist_a, exercise=exercise, upload=upload(samples.png())
    )
    page_url = reverse("media:manage", args=[exercise.public_id])
    client = signed_in(patient_a.user)

    assert client.post(page_url, {"file": upload(samples.webp())}).status_code == 403
    replacing = {"file": upload(samples.webp()), "replace": str(media.public_id)}
    assert client.post(page_url, replacing).status_code == 403
    assert ExerciseMedia.objects.count() == 1


def test_a_clinic_sees_only_its_own_photos_of_a_shared_exercise(
    therapist_a, therapist_b, shared_exercise
):
    services.media_upload(actor=therapist_a, exercise=shared_exercise, upload=upload(samples.png()))

    page = signed_in(therapist_b).get(reverse("media:manage", args=[shared_exercise.public_id]))

    assert page.status_code == 200
    assert "No photos or videos yet" in page.text


def _actions(page: str) -> list[str]:
    """The action of each multipart form (upload, and replace in every row) on the page."""
    return re.findall(r'<form method="post" enctype="multipart/form-data" action="([^"]+)"', page)


def test_a_refused_upload_or_replacement_stays_at_the_pages_own_address(
    client_a, therapist_a, exercise, media_root
):
    # Reloading, bookmarking or pressing Enter in the address bar after a refusal shows the
    # page, never a 405 from an address that only takes a POST.
    services.media_upload(actor=therapist_a, exercise=exercise, upload=upload(samples.png()))
    page_url = reverse("media:manage", args=[exercise.public_id])
    actions = _actions(client_a.get(page_url).text)
    assert len(actions) == 2  # upload, and replace in the one row

    for action in actions:
        refused = _post_file(client_a, action, samples.HTML)

        assert refused.status_code == 400
        assert "not an allowed type" in refused.text
        assert action.split("?")[0] == page_url
        assert client_a.get(action).status_code == 200
    assert ExerciseMedia.objects.count() == 1


def test_each_row_and_its_controls_name_the_photo_or_video(
    client_a, therapist_a, exercise, video_dir
):
    """Screen readers tell the rows apart: "Photo 2", "Video 1" in every control's name."""
    for content in (samples.png(), samples.webp()):
        services.media_upload(actor=therapist_a, exercise=exercise, upload=upload(content))
    services.media_upload(
        actor=therapist_a, exercise=exercise, upload=upload(samples.mp4(video_dir), "v.mp4")
    )

    page = client_a.get(reverse("media:manage", args=[exercise.public_id])).text
    rows = page.split('<li class="card media-row"')[1:]

    assert len(rows) == 3
    # The first photo and the first video come first; each kind is counted on its own.
    names = ["Photo 1", "Video 1", "Photo 2"]
    for row, name in zip(rows, names, strict=True):
        which = name.lower()
        assert f"<p>{name} · " in row
        assert f">New file for {which}</label>" in row
        assert f'Replace<span class="visually-hidden"> {which}</span></button>' in row
        assert f'Delete<span class="visually-hidden"> {which}</span>' in row
        assert "Replace with" not in row
    assert f'alt="Photo 1 of {exercise.name}"' in rows[0]
    assert f'aria-label="Video 1 of {exercise.name}"' in rows[1]
    # Show first, offered on the second photo, names it as the second photo (not the row).
    assert 'Show first<span class="visually-hidden">: photo 2</span>' in rows[2]


def test_two_files_posted_to_the_page_are_refused_and_neither_is_kept(
    client_a, shared_exercise, media_root
):
    url = reverse("media:manage", args=[shared_exercise.public_id])
    token = client_a.cookies["csrftoken"].value

    response = client_a.post(
        url, {"csrfmiddlewaretoken": token, "file": [upload(samples.png()), upload(samples.webp())]}
    )

    assert response.status_code == 400
    assert "Send one file per upload." in response.text
    assert stored_files(media_root) == []


def test_a_photo_posted_twice_from_the_page_is_kept_once_and_says_so(client_a, exercise):
    url = reverse("media:manage", args=[exercise.public_id])
    _post_file(client_a, url, samples.png())

    again = _post_file(client_a, url, samples.png())

    assert again.status_code == 302
    assert ExerciseMedia.objects.count() == 1
    page = client_a.get(url)
    assert "This exercise already has this photo: it is kept once." in page.text
