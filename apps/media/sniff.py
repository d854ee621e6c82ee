"""What an upload is, decided from its first bytes only: never from its name, extension or
the Content-Type the browser sent. Anything else (HTML, SVG, a PDF, a HEIC or a QuickTime
file) is not an allowed type."""

from __future__ import annotations

from dataclasses import dataclass

from apps.media.models import Kind

# Enough of the file's start for every signature below.
HEAD_BYTES = 64

ALLOWED_TEXT = "JPEG, PNG or WebP photos, or MP4 (H.264) or WebM videos"

# ISO base media brands of still images and QuickTime: an "ftyp" box does not make a video.
_NOT_MP4_BRANDS = {b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1", b"avif"}
_NOT_MP4_BRANDS |= {b"avis", b"qt  ", b"crx "}


@dataclass(frozen=True)
class Sniffed:
    kind: Kind
    content_type: str


def sniff(head: bytes) -> Sniffed | None:
    """The allowed type whose signature ``head`` starts with, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return Sniffed(Kind.PHOTO, "image/jpeg")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Sniffed(Kind.PHOTO, "image/png")
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return Sniffed(Kind.PHOTO, "image/webp")
    if head[4:8] == b"ftyp" and head[8:12] not in _NOT_MP4_BRANDS and len(head) >= 12:
        return Sniffed(Kind.VIDEO, "video/mp4")
    if head.startswith(b"\x1a\x45\xdf\xa3") and b"webm" in head[:HEAD_BYTES]:
        return Sniffed(Kind.VIDEO, "video/webm")
    return None
