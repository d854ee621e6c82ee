"""The clinic's photo and video in Chromium: a therapist uploads them on the exercise's page;
on Today on a phone the photo (with the drawn pair) still shows after going offline and
reloading, and the video seeks, its bytes coming as Range requests answered 206."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from apps.exercises.models import Exercise
from apps.media import services
from apps.patients.auth import personal_link_path
from tests.browser.conftest import (  # noqa: F401  (fixtures)
    assert_accessible,
    browser,
    desktop_page,
    phone_page,
    screenshot,
    set_offline,
    wait_until,
    watch_errors,
)
from tests.factories import STAFF_PASSWORD, ExerciseItemFactory, ProgramFactory
from tests.media import samples

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("media_storage"),
]

LOADED = "img => img.complete && img.naturalWidth > 0"


@pytest.fixture
def clam_with_media(transactional_db, patient_a, therapist_a, video_dir):
    call_command("load_library", stdout=io.StringIO())
    clam = Exercise.objects.get(key="clam-2", clinic=None)
    ExerciseItemFactory(program=ProgramFactory(patient=patient_a), exercise=clam)
    photo = SimpleUploadedFile("p.jpg", samples.jpeg_with_gps(), content_type="image/jpeg")
    services.media_upload(actor=therapist_a, exercise=clam, upload=photo)
    video = SimpleUploadedFile("v.webm", samples.webm(video_dir), content_type="video/webm")
    return services.media_upload(actor=therapist_a, exercise=clam, upload=video)


def _open_today(page, patient):
    page.goto(personal_link_path(patient))
    page.get_by_label("Your year of birth").fill(str(patient.year_of_birth))
    page.get_by_role("button", name="Open my exercises").click()
    page.wait_for_url("**/today/")


def test_the_photo_shows_offline_and_the_video_seeks(phone_page, patient_a, clam_with_media):  # noqa: F811
    page = phone_page
    errors = watch_errors(page)
    video_statuses: list[int] = []
    page.on(
        "response",
        lambda r: video_statuses.append(r.status) if r.url.endswith(".webm") else None,
    )
    _open_today(page, patient_a)
    assert_accessible(page)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    # The worker fetched the pictures the page names: the drawing, the photo, the poster.
    wait_until(
        page,
        """async () => {
          const urls = [document.querySelector('img.illustration-pair').src,
                        document.querySelector('.clinic-photo img').src,
                        document.querySelector('video.clinic-video').poster];
          const hits = await Promise.all(urls.map(u => caches.match(u)));
          return hits.every(Boolean);
        }""",
    )
    assert video_statuses == []  # never fetched for the page or the cache: on demand only

    set_offline(page, True)
    page.reload()
    photo = page.locator(".clinic-photo img")
    photo.scroll_into_view_if_needed()
    page.wait_for_function(f"() => ({LOADED})(document.querySelector('.clinic-photo img'))")
    page.wait_for_function(f"() => ({LOADED})(document.querySelector('img.illustration-pair'))")
    screenshot(page, "today-clinic-photo-offline", readme="today-clinic-photo")
    set_offline(page, False)

    page.reload()
    page.locator("video.clinic-video").scroll_into_view_if_needed()
    seeked = page.evaluate(
        """() => new Promise((resolve, reject) => {
          const video = document.querySelector('video.clinic-video');
          const timer = setTimeout(() => reject(new Error('no seek')), 15000);
          video.addEventListener('loadedmetadata', () => {
            video.addEventListener('seeked', () => { clearTimeout(timer);
              resolve(video.currentTime); }, { once: true });
            video.currentTime = 1.5;
          }, { once: true });
          video.preload = 'auto';
          video.load();
        })"""
    )
    assert seeked == pytest.approx(1.5, abs=0.2)
    assert 206 in video_statuses
    assert set(video_statuses) <= {206}
    assert errors == []


def test_a_therapist_uploads_a_photo_and_a_video_in_the_browser(
    desktop_page,  # noqa: F811
    therapist_a,
    video_dir,
    tmp_path,
):
    call_command("load_library", stdout=io.StringIO())
    clam = Exercise.objects.get(key="clam-2", clinic=None)
    photo, clip = tmp_path / "IMG_0042.jpg", tmp_path / "clam.webm"
    photo.write_bytes(samples.jpeg_with_gps(1600, 1200))
    clip.write_bytes(samples.webm(video_dir))
    bad = tmp_path / "photo.jpg"
    bad.write_bytes(samples.HTML)
    page = desktop_page
    errors = watch_errors(page)
    page.goto("/sign-in/")
    page.get_by_label("Email").fill(therapist_a.email)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()

    page.goto(f"/library/exercises/{clam.public_id}/")
    page.get_by_role("link", name="Add or change photos and videos").click()
    for upload_file in (photo, clip):
        page.get_by_label("Photo or video").set_input_files(str(upload_file))
        page.get_by_role("button", name="Upload").click()
        page.wait_for_load_state()
        assert "Uploaded." in page.text_content(".messages")
    page.wait_for_function(f"() => ({LOADED})(document.querySelector('.media-row img'))")
    assert page.locator(".media-row").count() == 2
    assert_accessible(page)
    screenshot(page, "exercise-media", readme="exercise-media")
    # Each row's controls name their photo or video, so a screen reader tells them apart.
    for which in ("photo 1", "video 1"):
        assert page.get_by_label(f"New file for {which}").count() == 1
        assert page.get_by_role("button", name=f"Replace {which}").count() == 1
        assert page.locator("summary", has_text=f"Delete {which}").count() == 1
    assert page.get_by_role("img", name=f"Photo 1 of {clam.name}").count() == 1
    assert page.get_by_label(f"Video 1 of {clam.name}").count() == 1

    # A page of HTML named .jpg: the form says what is allowed, nothing is added.
    page_url = page.url
    page.get_by_label("Photo or video").set_input_files(str(bad))
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="Upload").click()
    assert answer.value.status == 400
    assert "This file is not an allowed type" in page.text_content("[role=alert]")
    assert page.locator(".media-row").count() == 2
    assert errors == ["400 POST " + answer.value.url]
    # The refusal is at the page's own address: opening it again shows the page.
    assert page.url == page_url
    assert page.goto(page.url).status == 200
    assert page.locator(".media-row").count() == 2
