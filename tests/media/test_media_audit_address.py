"""Every change to a clinic's photos and videos is audited with the address it came from,
from the page and from the API, like every other audited change."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from apps.audit.models import AuditEntry
from apps.clinics.models import TokenScope
from apps.clinics.tokens import api_token_create
from apps.media.models import ExerciseMedia
from tests.media import samples
from tests.media.conftest import upload

pytestmark = pytest.mark.django_db

ADDRESS = "198.51.100.7"


def _media_entries() -> list[tuple[str, str | None]]:
    entries = AuditEntry.objects.filter(detail__contains=" of Clam with band: ").order_by("pk")
    return [(e.detail.rsplit(": ", 1)[1], e.ip_address) for e in entries]


def test_the_page_records_the_address_of_each_change(therapist_a, exercise):
    client = Client(REMOTE_ADDR=ADDRESS)
    client.force_login(therapist_a)
    page = reverse("media:manage", args=[exercise.public_id])

    client.post(page, {"file": upload(samples.png())})
    media = ExerciseMedia.objects.get()
    client.post(page, {"file": upload(samples.webp()), "replace": str(media.public_id)})
    client.post(page, {"file": upload(samples.png())})
    second = ExerciseMedia.objects.exclude(pk=media.pk).get()
    client.post(reverse("media:first", args=[second.public_id]))
    client.post(reverse("media:delete", args=[media.public_id]))

    assert _media_entries() == [
        ("uploaded", ADDRESS),
        ("replaced", ADDRESS),
        ("uploaded", ADDRESS),
        ("shown first", ADDRESS),
        ("deleted", ADDRESS),
    ]


def test_the_api_records_the_address_of_each_change(admin_a, therapist_a, exercise):
    _, secret = api_token_create(
        admin=admin_a, user=therapist_a, name="Media", scope=TokenScope.READ_WRITE
    )
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}", REMOTE_ADDR=ADDRESS)

    made = api.post(
        reverse("api-exercise-media", args=[exercise.public_id]), {"file": upload(samples.png())}
    ).json()["public_id"]
    api.post(reverse("api-media-replace", args=[made]), {"file": upload(samples.webp())})
    api.post(reverse("api-media-first", args=[made]))
    api.delete(reverse("api-media", args=[made]))

    assert _media_entries() == [("uploaded", ADDRESS), ("replaced", ADDRESS), ("deleted", ADDRESS)]
