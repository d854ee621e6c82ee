"""URLs of a media row's files, for staff (``media:file``) or for a patient (``patients:media``)."""

from __future__ import annotations

from django.urls import reverse

from apps.media.models import ExerciseMedia


def file_urls(media: ExerciseMedia, *, route: str = "media:file") -> dict[str, str]:
    """Variant -> URL of each file the row has; the last part of each URL is its content
    hash, so the URLs change when the files do."""
    return {
        variant: reverse(route, args=[media.public_id, name.rsplit("/", 1)[-1]])
        for variant, name in media.files().items()
    }
