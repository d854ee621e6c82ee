"""Pictures for the today page scenario: the clinic's own photo and video of every exercise
its patients do, uploaded once through the app's service, and the page weight a phone
downloads for Today with them (the page, its styles and scripts, and every picture it names,
which the service worker fetches for offline use; never the videos, played on demand)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from apps.clinics.models import Clinic, Role, User
from apps.exercises.models import Exercise, LadderLevel
from apps.media.models import ExerciseMedia
from apps.media.services import media_upload
from apps.programs.models import ProgramItem
from bench import load

# Every URL the page names that a browser or the service worker fetches with it.
VIDEO_EXTENSIONS = (".mp4", ".webm")
NAMED = re.compile(r'(?:src|srcset|poster|href)="(/(?:static|illustrations|today/media)/[^"]+)"')


def _photo() -> bytes:
    """A 12-megapixel phone photo with real detail (a fractal), as a camera would send it."""
    image = Image.effect_mandelbrot((3024, 4032), (-2.0, -1.5, 1.0, 1.5), 80).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def _video() -> bytes | None:
    """Ten seconds of 720p H.264, or None without ffmpeg."""
    if shutil.which("ffmpeg") is None:
        return None
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "clip.mp4"
        command = ["ffmpeg", "-v", "error", "-f", "lavfi", "-i",
                   "testsrc2=duration=10:size=1280x720:rate=30", "-c:v", "libx264",
                   "-pix_fmt", "yuv420p", "-movflags", "+faststart", str(path)]  # fmt: skip
        subprocess.run(command, check=True, timeout=300)
        return path.read_bytes()


def ensure_pictures(clinic: Clinic) -> int:
    """Give each exercise of the clinic's programs (and of their ladders) a photo and a video
    of the clinic's, unless it has them; returns how many exercises have pictures."""
    items = ProgramItem.objects.filter(program__clinic=clinic)
    ids = set(items.exclude(exercise=None).values_list("exercise_id", flat=True))
    ladders = set(items.exclude(ladder=None).values_list("ladder_id", flat=True))
    ids |= set(LadderLevel.objects.filter(ladder_id__in=ladders).values_list("exercise", flat=True))
    done = set(
        ExerciseMedia.objects.filter(clinic=clinic, exercise_id__in=ids).values_list(
            "exercise_id", flat=True
        )
    )
    todo = Exercise.objects.filter(pk__in=ids - done)
    if todo:
        actor = User.objects.filter(clinic=clinic, role=Role.THERAPIST).first()
        assert actor is not None, "the bench clinic has no therapist"
        photo, video = _photo(), _video()
        for exercise in todo:
            media_upload(actor=actor, exercise=exercise, upload=SimpleUploadedFile(
                "photo.jpg", photo, content_type="image/jpeg"))  # fmt: skip
            if video is not None:
                media_upload(actor=actor, exercise=exercise, upload=SimpleUploadedFile(
                    "clip.mp4", video, content_type="video/mp4"))  # fmt: skip
    return len(ids)


def page_weight(port: int, cookie: str) -> tuple[int, int, int]:
    """(HTML bytes, picture bytes, style and script bytes) of one today page."""
    headers = {"Cookie": f"sessionid={cookie}"}
    page = load.run(port=port, requests=[load.Request("GET", "/today/", headers)], threads=1,
                    keep_body=True).samples[0]  # fmt: skip
    named = set(NAMED.findall(page.body.decode())) if page.status == 200 else set()
    urls = sorted(url for url in named if not url.endswith(VIDEO_EXTENSIONS))
    requests = [load.Request("GET", url.replace("&amp;", "&"), headers) for url in urls]
    fetched = load.run(port=port, requests=requests, threads=1, keep_body=True).samples
    missing = [url for url, s in zip(urls, fetched, strict=True) if s.status != 200]
    if missing:  # a file the page names but cannot be fetched would make the page look light
        raise RuntimeError(f"the today page names files that answer an error: {missing}")
    sizes = dict(zip(urls, (len(s.body) for s in fetched), strict=True))
    pictures = sum(size for url, size in sizes.items() if not url.startswith("/static/"))
    static = sum(size for url, size in sizes.items() if url.startswith("/static/"))
    return len(page.body), pictures, static
