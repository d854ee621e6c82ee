"""Uploading through the service: what is stored, what is refused, and that a refusal
stores nothing."""

from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from apps.audit.models import AuditEntry
from apps.media import services
from apps.media.models import ExerciseMedia
from apps.media.processing import MediaRefused
from tests.media import samples
from tests.media.conftest import stored_files, upload

pytestmark = pytest.mark.django_db


def _image(name: str) -> Image.Image:
    with default_storage.open(name) as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
    return image


def test_a_photo_is_stored_upright_in_three_sizes_without_its_metadata(therapist_a, exercise):
    media = services.media_upload(
        actor=therapist_a, exercise=exercise, upload=upload(samples.jpeg_with_gps())
    )

    assert media.kind == "photo"
    assert media.is_first
    phone = _image(media.phone)
    # EXIF orientation 6 on a 400x200 picture: shown (and now stored) 200 wide, 400 tall.
    assert phone.size == (200, 400)
    assert phone.format == "JPEG"
    assert not phone.getexif()
    assert "exif" not in phone.info
    assert "icc_profile" not in phone.info
    assert _image(media.thumb).size == (160, 320)
    # Its phone and print sizes are the same picture (400 tall), stored once: counted once.
    assert media.phone == media.print
    assert media.stored_bytes == sum(default_storage.size(n) for n in set(media.files().values()))


def test_stored_names_are_content_hashes_not_the_clients_name(therapist_a, exercise):
    media = services.media_upload(
        actor=therapist_a, exercise=exercise, upload=upload(samples.png(), "../../etc/passwd.png")
    )

    for name in media.files().values():
        assert name.startswith(f"exercise-media/{therapist_a.clinic.public_id}/")
        assert "passwd" not in name
        assert len(name.rsplit("/", 1)[-1]) == len("0" * 32 + ".jpg")


def test_png_with_transparency_and_webp_are_accepted(therapist_a, exercise):
    for content in (samples.png(), samples.webp()):
        media = services.media_upload(actor=therapist_a, exercise=exercise, upload=upload(content))
        assert _image(media.print).mode == "RGB"


def test_the_upload_is_audited_in_its_transaction(therapist_a, exercise):
    media = services.media_upload(
        actor=therapist_a, exercise=exercise, upload=upload(samples.png())
    )

    entry = AuditEntry.objects.get(target_ref=str(media.public_id))
    assert entry.action == "create"
    assert entry.actor == therapist_a
    assert "Clam with band" in entry.detail


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (samples.HTML, "photo.jpg", "not an allowed type"),
        (samples.SVG, "drawing.svg", "not an allowed type"),
        (samples.SVG, "drawing.jpg", "not an allowed type"),
        (b"", "empty.jpg", "empty"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 100, "broken.jpg", "not a photo we can read"),
    ],
)
def test_bad_files_are_refused_with_a_message_and_nothing_is_stored(
    therapist_a, exercise, media_root, content, name, message
):
    with pytest.raises(MediaRefused) as refused:
        services.media_upload(actor=therapist_a, exercise=exercise, upload=upload(content, name))

    assert refused.value.status == 400
    assert message in refused.value.message
    assert "JPEG, PNG or WebP" in refused.value.message or message == "empty"
    assert stored_files(media_root) == []
    assert not ExerciseMedia.objects.exists()


def test_a_decompression_bomb_is_refused_before_decoding(therapist_a, exercise, media_root):
    with pytest.raises(MediaRefused) as refused:
        services.media_upload(actor=therapist_a, exercise=exercise, upload=upload(samples.bomb()))

    assert refused.value.status == 413
    assert "megapixels" in refused.value.message
    assert stored_files(media_root) == []


@pytest.mark.parametrize(
    ("megapixels", "example"), [(50, "8000 by 6000"), (12, "4000 by 3000"), (1, "800 by 600")]
)
def test_too_many_megapixels_says_how_to_make_it_fit(
    settings, therapist_a, exercise, megapixels, example
):
    settings.MEDIA_PHOTO_MAX_PIXELS = megapixels * 1_000_000
    content = samples.bomb() if megapixels == 50 else samples.png(4100, 3100, mode="L")

    with pytest.raises(MediaRefused) as refused:
        services.media_upload(actor=therapist_a, exercise=exercise, upload=upload(content))

    assert refused.value.message == (
        f"This photo has more than {megapixels} megapixels. Resize it to at most {megapixels} "
        f"megapixels (for example {example} pixels) and upload it again."
    )


def test_a_photo_over_the_size_limit_is_refused(settings, therapist_a, exercise, media_root):
    settings.MEDIA_PHOTO_MAX_BYTES = 1024

    with pytest.raises(MediaRefused) as refused:
        services.media_upload(actor=therapist_a, exercise=exercise, upload=upload(samples.png()))

    assert refused.value.status == 413
    assert "Photos may be at most" in refused.value.message
    assert stored_files(media_root) == []


def test_a_clinic_over_its_quota_stores_nothing_more(settings, therapist_a, exercise, media_root):
    services.media_upload(actor=therapist_a, exercise=exercise, upload=upload(samples.png()))
    before = stored_files(media_root)
    settings.MEDIA_CLINIC_QUOTA_BYTES = ExerciseMedia.objects.get().stored_bytes + 100

    with pytest.raises(MediaRefused) as refused:
        services.media_upload(actor=therapist_a, exercise=exercise, upload=upload(samples.webp()))

    assert refused.value.status == 413
    assert "storage for photos and videos is full" in refused.value.message
    assert stored_files(media_root) == before
    assert ExerciseMedia.objects.count() == 1


def test_a_file_that_does_not_fit_in_what_is_left_says_both_sizes(
    settings, therapist_a, exercise, media_root
):
    from apps.media.upload import megabytes

    services.media_upload(actor=therapist_a, exercise=exercise, upload=upload(samples.png()))
    used = ExerciseMedia.objects.get().stored_bytes
    needs = services.media_prepare(upload(samples.jpeg_with_gps())).size
    settings.MEDIA_CLINIC_QUOTA_BYTES = used + needs // 2

    with pytest.raises(MediaRefused) as refused:
        services.media_upload(
            actor=therapist_a, exercise=exercise, upload=upload(samples.jpeg_with_gps())
        )

    assert refused.value.status == 413
    assert "is full" not in refused.value.message
    left, quota = megabytes(needs // 2), megabytes(used + needs // 2)
    assert refused.value.message == (
        f"This file needs {megabytes(needs)} of storage, more than your clinic has left "
        f"({left} of {quota}). Delete some photos or videos, or upload a smaller file."
    )
    assert ExerciseMedia.objects.count() == 1


def _on_disk(root) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())


def test_a_file_shared_by_two_exercises_counts_once_against_the_quota(
    settings, therapist_a, exercise, shared_exercise, media_root
):
    from apps.media.selectors import clinic_usage

    clinic_id = therapist_a.clinic_id
    services.media_upload(actor=therapist_a, exercise=exercise, upload=upload(samples.png()))
    # The same bytes on another exercise are stored once on disk, so counted once. (This
    # small photo's three sizes are the same picture: one file, counted once too.)
    services.media_upload(actor=therapist_a, exercise=shared_exercise, upload=upload(samples.png()))

    assert clinic_usage(clinic_id=clinic_id) == _on_disk(media_root)
    # No room left, yet a third copy adds nothing to storage, so it is accepted.
    settings.MEDIA_CLINIC_QUOTA_BYTES = _on_disk(media_root)
    services.media_upload(actor=therapist_a, exercise=exercise, upload=upload(samples.png()))
    assert clinic_usage(clinic_id=clinic_id) == _on_disk(media_root)


def test_replacing_one_of_two_rows_sharing_a_file_frees_nothing(
    settings, therapist_a, exercise, shared_exercise, media_root
):
    from apps.media.selectors import clinic_usage

    one = services.media_upload(
        actor=therapist_a, exercise=exercise, upload=upload(samples.jpeg_with_gps())
    )
    services.media_upload(
        actor=therapist_a, exercise=shared_exercise, upload=upload(samples.jpeg_with_gps())
    )
    shared = _on_disk(media_root)
    new = services.media_prepare(upload(samples.png(1400, 1000, mode="RGB"))).size
    # The shared files stay for the other row: the new photo must fit beside them.
    settings.MEDIA_CLINIC_QUOTA_BYTES = shared + new - 1

    with pytest.raises(MediaRefused):
        services.media_replace(
            actor=therapist_a, media=one, upload=upload(samples.png(1400, 1000, mode="RGB"))
        )

    settings.MEDIA_CLINIC_QUOTA_BYTES = shared + new
    services.media_replace(
        actor=therapist_a, media=one, upload=upload(samples.png(1400, 1000, mode="RGB"))
    )
    assert clinic_usage(clinic_id=therapist_a.clinic_id) == _on_disk(media_root) == shared + new


def test_a_failure_after_the_files_were_written_removes_them(
    monkeypatch, therapist_a, exercise, media_root
):
    def fail(**kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(services, "audit_record", fail)

    with pytest.raises(RuntimeError):
        services.media_upload(actor=therapist_a, exercise=exercise, upload=upload(samples.png()))

    assert stored_files(media_root) == []
    assert not ExerciseMedia.objects.exists()


def test_choosing_first_keeps_one_first_per_kind(therapist_a, exercise):
    one = services.media_upload(actor=therapist_a, exercise=exercise, upload=upload(samples.png()))
    two = services.media_upload(actor=therapist_a, exercise=exercise, upload=upload(samples.webp()))
    assert one.is_first
    assert not two.is_first

    services.media_make_first(actor=therapist_a, media=two)

    one.refresh_from_db()
    two.refresh_from_db()
    assert two.is_first
    assert not one.is_first


def test_deleting_the_first_makes_the_next_first_and_removes_its_files(
    django_capture_on_commit_callbacks, therapist_a, exercise, media_root
):
    one = services.media_upload(actor=therapist_a, exercise=exercise, upload=upload(samples.png()))
    two = services.media_upload(actor=therapist_a, exercise=exercise, upload=upload(samples.webp()))

    with django_capture_on_commit_callbacks(execute=True):
        services.media_delete(actor=therapist_a, media=one)

    two.refresh_from_db()
    assert two.is_first
    assert stored_files(media_root) == sorted(set(two.files().values()))
    assert AuditEntry.objects.filter(target_ref=str(one.public_id), action="delete").exists()


def test_a_file_two_rows_share_stays_until_the_last_is_deleted(
    django_capture_on_commit_callbacks, therapist_a, exercise, shared_exercise, media_root
):
    one = services.media_upload(actor=therapist_a, exercise=exercise, upload=upload(samples.png()))
    two = services.media_upload(
        actor=therapist_a, exercise=shared_exercise, upload=upload(samples.png())
    )
    assert one.files() == two.files()

    with django_capture_on_commit_callbacks(execute=True):
        services.media_delete(actor=therapist_a, media=one)
    assert stored_files(media_root) == sorted(set(two.files().values()))

    with django_capture_on_commit_callbacks(execute=True):
        services.media_delete(actor=therapist_a, media=two)
    assert stored_files(media_root) == []


def test_replacing_keeps_the_place_and_removes_the_old_files(
    django_capture_on_commit_callbacks, therapist_a, exercise, media_root
):
    media = services.media_upload(
        actor=therapist_a, exercise=exercise, upload=upload(samples.png())
    )
    old = set(media.files().values())

    with django_capture_on_commit_callbacks(execute=True):
        services.media_replace(actor=therapist_a, media=media, upload=upload(samples.webp()))

    media.refresh_from_db()
    assert media.is_first
    assert old.isdisjoint(media.files().values())
    assert stored_files(media_root) == sorted(set(media.files().values()))


def test_a_photo_cannot_replace_a_video(therapist_a, exercise, video_dir):
    video = services.media_upload(
        actor=therapist_a, exercise=exercise, upload=upload(samples.mp4(video_dir), "v.mp4")
    )

    with pytest.raises(MediaRefused, match="A video can only be replaced by another video"):
        services.media_replace(actor=therapist_a, media=video, upload=upload(samples.png()))


def test_a_video_is_stored_as_uploaded_with_a_poster(therapist_a, exercise, video_dir):
    content = samples.mp4(video_dir)

    media = services.media_upload(
        actor=therapist_a, exercise=exercise, upload=upload(content, "clip.bin", "text/plain")
    )

    assert media.kind == "video"
    assert media.video_type == "video/mp4"
    assert media.video.endswith(".mp4")
    with default_storage.open(media.video) as handle:
        assert handle.read() == content
    assert _image(media.phone).size == (160, 120)


def test_webm_is_accepted(therapist_a, exercise, video_dir):
    media = services.media_upload(
        actor=therapist_a, exercise=exercise, upload=upload(samples.webm(video_dir), "v.webm")
    )

    assert media.video_type == "video/webm"
    assert media.video.endswith(".webm")


def test_an_mp4_phones_cannot_play_is_refused(therapist_a, exercise, video_dir, media_root):
    with pytest.raises(MediaRefused, match=r"H\.264"):
        services.media_upload(
            actor=therapist_a, exercise=exercise, upload=upload(samples.mpeg4_part2(video_dir))
        )
    assert stored_files(media_root) == []


@pytest.mark.parametrize("damage", ["truncated", "zeros"])
def test_a_damaged_mp4_is_called_damaged_not_unplayable(
    therapist_a, exercise, video_dir, media_root, damage
):
    clip = samples.mp4_index_at_end(video_dir)
    # The first 3,000 bytes of a good file, or its header and then nothing but zeros.
    content = clip[:3000] if damage == "truncated" else clip[:32] + b"\x00" * 20_000

    with pytest.raises(MediaRefused) as refused:
        services.media_upload(actor=therapist_a, exercise=exercise, upload=upload(content, "v.mp4"))

    assert refused.value.message == (
        "This file could not be read as a video: it is damaged, incomplete or not a video. "
        "Export or copy it again and upload it."
    )
    assert "stream" not in refused.value.message
    assert stored_files(media_root) == []


def test_without_ffmpeg_a_video_is_kept_without_a_poster(
    settings, therapist_a, exercise, video_dir
):
    settings.MEDIA_FFMPEG = ""

    media = services.media_upload(
        actor=therapist_a, exercise=exercise, upload=upload(samples.mp4(video_dir), "v.mp4")
    )

    assert media.video
    assert not media.phone
    assert not media.thumb


def test_the_same_photo_uploaded_again_to_an_exercise_is_kept_once(therapist_a, exercise):
    """A double click or a retried upload: the exercise shows the photo once, not twice."""
    first = services.media_upload(
        actor=therapist_a, exercise=exercise, upload=upload(samples.png())
    )

    again = services.media_upload(
        actor=therapist_a, exercise=exercise, upload=upload(samples.png())
    )

    assert again.pk == first.pk
    assert ExerciseMedia.objects.count() == 1
    assert AuditEntry.objects.filter(detail__endswith="uploaded").count() == 1


def test_the_same_photo_sent_again_as_first_is_shown_first(therapist_a, exercise):
    photo = services.media_upload(
        actor=therapist_a, exercise=exercise, upload=upload(samples.png())
    )
    other = services.media_upload(
        actor=therapist_a, exercise=exercise, upload=upload(samples.webp()), first=True
    )

    again = services.media_upload(
        actor=therapist_a, exercise=exercise, upload=upload(samples.png()), first=True
    )

    assert again.pk == photo.pk
    assert again.is_first
    other.refresh_from_db()
    assert not other.is_first
    assert ExerciseMedia.objects.count() == 2
