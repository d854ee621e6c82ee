"""Two uploads at once cannot both fit into the last of a clinic's quota: the service holds
the clinic's row while it counts (PostgreSQL; SQLite serialises writers anyway)."""

from __future__ import annotations

import contextlib
import threading

import pytest
from django.db import connection

from apps.media import services
from apps.media.models import ExerciseMedia
from apps.media.processing import MediaRefused
from tests.media import samples
from tests.media.conftest import upload

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_uploads_racing_for_the_last_room_store_one(
    require_postgres, settings, therapist_a, exercise, monkeypatch
):
    one_photo = services.media_prepare(upload(samples.png())).size
    settings.MEDIA_CLINIC_QUOTA_BYTES = one_photo + one_photo // 2
    # Both uploads meet here, after taking the clinic's lock, to count the storage used.
    # With the lock the second never arrives while the first waits, and the first goes on
    # when the wait times out; without it both would count the same empty storage.
    meeting = threading.Barrier(2, timeout=3)
    counted = services.clinic_usage

    def usage_after_meeting(**kwargs):
        with contextlib.suppress(threading.BrokenBarrierError):
            meeting.wait()
        return counted(**kwargs)

    monkeypatch.setattr(services, "clinic_usage", usage_after_meeting)
    outcomes: list[str] = []

    def attempt(content: bytes) -> None:
        try:
            services.media_upload(actor=therapist_a, exercise=exercise, upload=upload(content))
            outcomes.append("stored")
        except MediaRefused as exc:
            outcomes.append(str(exc.status))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(c,)) for c in (samples.png(), samples.webp())]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["413", "stored"]
    assert ExerciseMedia.objects.count() == 1
