"""Turning an accepted upload into the files that are stored.

Photos are decoded by Pillow (JPEG, PNG and WebP decoders only), turned upright from their
EXIF orientation and encoded again as JPEG in three sizes: the new files carry no EXIF, GPS
or other metadata of the original. A video is kept as uploaded; ffprobe (when present) checks
that it holds a video stream a phone plays, and ffmpeg draws its poster frame.
"""

from __future__ import annotations

import hashlib
import io
import math
import shutil
import subprocess  # nosec B404 (ffmpeg and ffprobe: fixed arguments, no shell)
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.conf import settings
from PIL import Image, ImageOps, UnidentifiedImageError

from apps.media.sniff import ALLOWED_TEXT

# Longest edge in pixels of each stored size; a photo is never enlarged.
SIZES = {"thumb": 320, "phone": 1080, "print": 2000}
JPEG_QUALITY = 82
PLAYABLE_CODECS = {"video/mp4": {"h264"}, "video/webm": {"vp8", "vp9", "av1"}}
TOOL_TIMEOUT_SECONDS = 60


class MediaRefused(Exception):
    """An upload that is not stored, with the message and HTTP status to answer."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Rendition:
    variant: str
    content: bytes
    extension: str

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.content).hexdigest()[:32]


@dataclass(frozen=True)
class Picture:
    renditions: list[Rendition]
    width: int
    height: int


def _open(source: IO[bytes]) -> Image.Image:
    # A decompression bomb is refused from its header, before any pixel is decoded.
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(source, formats=["JPEG", "PNG", "WEBP"])
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise _too_many_pixels() from exc
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
            raise MediaRefused(
                f"This file is not a photo we can read. Upload {ALLOWED_TEXT}."
            ) from exc
    if image.width * image.height > settings.MEDIA_PHOTO_MAX_PIXELS:
        raise _too_many_pixels()
    return image


def _too_many_pixels() -> MediaRefused:
    pixels = int(settings.MEDIA_PHOTO_MAX_PIXELS)
    megapixels = pixels // 1_000_000
    # A 4:3 size within the limit, in round hundreds: 8000 by 6000 for 50 megapixels.
    width = max(400, math.isqrt(pixels * 4 // 3) // 400 * 400)
    return MediaRefused(
        f"This photo has more than {megapixels} megapixels. Resize it to at most {megapixels} "
        f"megapixels (for example {width} by {width * 3 // 4} pixels) and upload it again.",
        status=413,
    )


def _upright_rgb(image: Image.Image) -> Image.Image:
    try:
        image.load()
        upright = ImageOps.exif_transpose(image)
    except (OSError, SyntaxError, ValueError) as exc:
        raise MediaRefused("This photo is damaged or incomplete.") from exc
    if upright.mode in {"RGBA", "LA", "P"}:
        # Transparency becomes white, as on the page and on paper.
        rgba = upright.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return upright.convert("RGB")


def _jpeg(image: Image.Image, edge: int) -> bytes:
    copy = image.copy()
    copy.thumbnail((edge, edge), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    # No exif= or icc_profile=: the stored file keeps only the pixels.
    copy.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return buffer.getvalue()


def photo_renditions(source: IO[bytes], variants: tuple[str, ...] = tuple(SIZES)) -> Picture:
    """The photo re-encoded in each of ``variants``; MediaRefused when it cannot be."""
    image = _upright_rgb(_open(source))
    renditions = [Rendition(v, _jpeg(image, SIZES[v]), "jpg") for v in variants]
    return Picture(renditions, image.width, image.height)


def _tool(name: str) -> str | None:
    """The path of ffmpeg or ffprobe (found beside the configured ffmpeg), or None."""
    ffmpeg = settings.MEDIA_FFMPEG
    if not ffmpeg:
        return None
    if name == "ffmpeg":
        return shutil.which(ffmpeg)
    return shutil.which(str(Path(ffmpeg).with_name(name))) or shutil.which(name)


def check_video(path: str, content_type: str) -> None:
    """Refuse a video whose first video stream a phone cannot play (ffprobe; skipped when
    ffprobe is not installed, the container's signature was already checked)."""
    ffprobe = _tool("ffprobe")
    if ffprobe is None:
        return
    command = [ffprobe, "-v", "error", "-select_streams", "v:0", "-show_entries",
               "stream=codec_name", "-of", "csv=p=0", path]  # fmt: skip
    try:
        result = subprocess.run(  # noqa: S603  # nosec B603
            command, capture_output=True, timeout=TOOL_TIMEOUT_SECONDS, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise MediaRefused("This video could not be read in time.") from exc
    codec = result.stdout.decode(errors="replace").strip().split("\n")[0].strip(",")
    if not codec:
        # The container's signature was right, but ffprobe found no video in it: a copy cut
        # short (no index), or something else in an MP4 or WebM wrapper.
        raise MediaRefused(
            "This file could not be read as a video: it is damaged, incomplete or not a "
            "video. Export or copy it again and upload it."
        )
    if codec not in PLAYABLE_CODECS[content_type]:
        raise MediaRefused(
            f"This video cannot be played on phones (video stream: {codec}). "
            "Upload an MP4 with H.264 video, or a WebM video."
        )


def poster_renditions(path: str) -> Picture | None:
    """The video's first frame as thumb and phone JPEGs; None without ffmpeg or a frame."""
    ffmpeg = _tool("ffmpeg")
    if ffmpeg is None:
        return None
    command = [ffmpeg, "-v", "error", "-i", path, "-frames:v", "1", "-f", "image2pipe",
               "-vcodec", "png", "-"]  # fmt: skip
    try:
        result = subprocess.run(  # noqa: S603  # nosec B603
            command, capture_output=True, timeout=TOOL_TIMEOUT_SECONDS, check=False
        )
    except subprocess.TimeoutExpired:
        return None
    if result.returncode != 0 or not result.stdout:
        return None
    try:
        return photo_renditions(io.BytesIO(result.stdout), ("thumb", "phone"))
    except MediaRefused:
        return None
