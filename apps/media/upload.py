"""Limits applied while an upload streams in, before it reaches storage or fills a disk.

``MediaUploadHandler`` replaces Django's handlers for the media upload views. It looks at the
file's first bytes as they arrive: a file that is not an allowed type stops the upload at
once, and a photo or video stops as soon as it passes its size limit or what is left of the
clinic's quota. Stopping discards the rest of the body without writing it anywhere; the
temporary file is deleted. The view then answers from ``handler.refusal``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import StopUpload, TemporaryFileUploadHandler
from django.http import HttpRequest

from apps.media.models import Kind
from apps.media.processing import MediaRefused
from apps.media.selectors import clinic_usage
from apps.media.sniff import ALLOWED_TEXT, HEAD_BYTES, Sniffed, sniff

# Room for the form's other fields and the multipart boundaries around the file.
FORM_OVERHEAD_BYTES = 64 * 1024


def quota_left_for(request: HttpRequest) -> Callable[[], int]:
    """Bytes the requesting user's clinic may still store, counted when first asked: the user
    of an API request is known only once it has been authenticated (DRF then sets it on the
    request)."""

    counted: list[int] = []

    def left() -> int:
        # Asked at every chunk of the file: counted once (the service counts again, holding
        # the clinic's row, before anything is stored).
        if not counted:
            clinic_id = getattr(request.user, "clinic_id", None)
            used = 0 if clinic_id is None else clinic_usage(clinic_id=clinic_id)
            quota = int(settings.MEDIA_CLINIC_QUOTA_BYTES) if clinic_id is not None else 0
            counted.append(quota - used)
        return counted[0]

    return left


def megabytes(size: int) -> str:
    """A size in words: "100 KB", "10 MB", "1.5 MB", "2 GB"."""
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2)):
        if size >= scale:
            return f"{size / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{size // 1024} KB"


def limit_for(kind: Kind) -> int:
    return int(
        settings.MEDIA_PHOTO_MAX_BYTES if kind == Kind.PHOTO else settings.MEDIA_VIDEO_MAX_BYTES
    )


def too_large(kind: Kind) -> MediaRefused:
    noun = "Photos" if kind == Kind.PHOTO else "Videos"
    return MediaRefused(f"{noun} may be at most {megabytes(limit_for(kind))}.", status=413)


def over_quota(*, needs: int, left: int) -> MediaRefused:
    """A file needing ``needs`` bytes of storage does not fit in the ``left`` bytes of the
    clinic's quota: "full" only when (almost) nothing is left, else both sizes."""
    quota = megabytes(settings.MEDIA_CLINIC_QUOTA_BYTES)
    if left < 1024:
        return MediaRefused(
            f"Your clinic's storage for photos and videos is full ({quota}). "
            "Delete some photos or videos to make room.",
            status=413,
        )
    return MediaRefused(
        f"This file needs {megabytes(needs)} of storage, more than your clinic has left "
        f"({megabytes(left)} of {quota}). Delete some photos or videos, or upload a smaller "
        "file.",
        status=413,
    )


def not_allowed() -> MediaRefused:
    return MediaRefused(f"This file is not an allowed type. Upload {ALLOWED_TEXT}.")


def declared_too_large(request: HttpRequest) -> MediaRefused | None:
    """A body whose declared length exceeds the largest allowed video: refused unread."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return MediaRefused("The Content-Length header is not a number.")
    if length > settings.MEDIA_VIDEO_MAX_BYTES + FORM_OVERHEAD_BYTES:
        return MediaRefused(
            f"Photos may be at most {megabytes(settings.MEDIA_PHOTO_MAX_BYTES)} and videos "
            f"{megabytes(settings.MEDIA_VIDEO_MAX_BYTES)}.",
            status=413,
        )
    return None


class MediaUploadHandler(TemporaryFileUploadHandler):
    """Every file goes to a temporary file (never memory), counted and sniffed as it comes."""

    def __init__(
        self,
        request: HttpRequest,
        quota_left: Callable[[], int],
        refusal: MediaRefused | None = None,
    ) -> None:
        """``refusal``: the body is refused already (its declared length): the first byte of
        any file stops the upload without reading the rest."""
        super().__init__(request)
        self.quota_left = quota_left
        self.refused_unread = refusal is not None
        self.refusal: MediaRefused | None = refusal
        self.sniffed: Sniffed | None = None
        self.head = b""
        self.received = 0

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        self.head, self.received, self.sniffed = b"", 0, None
        super().new_file(*args, **kwargs)

    def _stop(self, refusal: MediaRefused) -> None:
        self.refusal = refusal
        raise StopUpload(connection_reset=False)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if self.refused_unread:
            raise StopUpload(connection_reset=True)
        self.received += len(raw_data)
        if self.sniffed is None:
            self.head = (self.head + raw_data)[:HEAD_BYTES]
            if len(self.head) >= HEAD_BYTES:
                self._sniff()
        if self.sniffed is not None:
            if self.received > limit_for(self.sniffed.kind):
                self._stop(too_large(self.sniffed.kind))
            left = self.quota_left()
            if self.received > left:
                self._stop(over_quota(needs=self._expected_size(), left=left))
        return super().receive_data_chunk(raw_data, start)

    def _expected_size(self) -> int:
        """The whole file's size as far as it is known while it is stopped part way: the
        body's declared length (the file and a few hundred bytes of form around it)."""
        meta = self.request.META if self.request is not None else {}
        try:
            declared = int(meta.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        return max(self.received, declared)

    def _sniff(self) -> None:
        self.sniffed = sniff(self.head)
        if self.sniffed is None:
            self._stop(not_allowed())

    def file_complete(self, file_size: int) -> Any:
        if self.sniffed is None and self.received:
            # Shorter than the signature window: sniff what there is.
            self.sniffed = sniff(self.head)
        return super().file_complete(file_size)
