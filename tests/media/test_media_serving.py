"""Serving a stored file: caching, byte ranges for video seeking, hand-off to the web
server, and who may fetch it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.media import services
from tests.conftest import signed_in
from tests.media import samples
from tests.media.conftest import upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def video(therapist_a, exercise, video_dir):
    return services.media_upload(
        actor=therapist_a, exercise=exercise, upload=upload(samples.mp4(video_dir), "v.mp4")
    )


def _url(media, variant="video"):
    return reverse("media:file", args=[media.public_id, getattr(media, variant).rsplit("/", 1)[1]])


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_a_file_is_served_whole_with_a_long_private_cache(therapist_a, video, video_dir):
    response = signed_in(therapist_a).get(_url(video))

    assert response.status_code == 200
    assert response["Content-Type"] == "video/mp4"
    assert response["Cache-Control"] == "private, max-age=31536000, immutable"
    assert response["Accept-Ranges"] == "bytes"
    assert _body(response) == samples.mp4(video_dir)


def test_ranges_answer_206_for_several_seeks(therapist_a, video, video_dir):
    content = samples.mp4(video_dir)
    client = signed_in(therapist_a)
    size = len(content)

    for header, first, last in (
        ("bytes=0-1", 0, 1),
        ("bytes=1000-1999", 1000, 1999),
        (f"bytes={size - 10}-", size - 10, size - 1),
        ("bytes=-100", size - 100, size - 1),
        (f"bytes=5-{size + 500}", 5, size - 1),
    ):
        response = client.get(_url(video), HTTP_RANGE=header)
        assert response.status_code == 206, header
        assert response["Content-Range"] == f"bytes {first}-{last}/{size}"
        assert response["Content-Length"] == str(last - first + 1)
        assert _body(response) == content[first : last + 1]


def test_a_range_past_the_end_is_416(therapist_a, video, video_dir):
    size = len(samples.mp4(video_dir))

    response = signed_in(therapist_a).get(_url(video), HTTP_RANGE=f"bytes={size}-")

    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{size}"


def test_a_known_etag_is_304(therapist_a, video):
    client = signed_in(therapist_a)
    etag = client.get(_url(video))["ETag"]

    assert client.get(_url(video), HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_x_accel_redirect_hands_the_file_to_nginx_without_a_body(settings, therapist_a, video):
    settings.MEDIA_SERVE_HEADER = "X-Accel-Redirect"
    settings.MEDIA_ACCEL_PREFIX = "/protected-media/"

    response = signed_in(therapist_a).get(_url(video), HTTP_RANGE="bytes=0-99")

    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/protected-media/{video.video}"
    assert response["Content-Type"] == "video/mp4"
    assert response["Cache-Control"] == "private, max-age=31536000, immutable"
    assert not response.streaming
    assert response.content == b""


def test_x_sendfile_names_the_file_on_disk(settings, therapist_a, video, media_root):
    settings.MEDIA_SERVE_HEADER = "X-Sendfile"

    response = signed_in(therapist_a).get(_url(video))

    assert response["X-Sendfile"] == str(media_root / video.video)
    assert response.content == b""


def test_only_the_files_of_the_row_are_served(therapist_a, video):
    bad = reverse("media:file", args=[video.public_id, "..%2f..%2fsettings.py"])

    assert signed_in(therapist_a).get(bad).status_code == 404


def test_other_clinics_get_404_and_patients_403_on_the_staff_route(patient_a, therapist_b, video):
    assert signed_in(therapist_b).get(_url(video)).status_code == 404
    assert signed_in(patient_a.user).get(_url(video)).status_code == 403


def test_several_ranges_in_one_request_get_the_whole_file(therapist_a, video, video_dir):
    response = signed_in(therapist_a).get(_url(video), HTTP_RANGE="bytes=0-1,5-6")

    assert response.status_code == 200
    assert _body(response) == samples.mp4(video_dir)
