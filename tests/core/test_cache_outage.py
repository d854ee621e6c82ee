"""With Redis unreachable, the cache degrades to misses and API requests still succeed."""

import uuid

import pytest
from django.core.cache import caches
from django.test import override_settings

from apps.core.cache import ResilientRedisCache
from apps.programs.models import SetLog
from tests.factories import ExerciseItemFactory

DEAD_REDIS = {
    "default": {
        "BACKEND": "apps.core.cache.ResilientRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}


@override_settings(CACHES=DEAD_REDIS)
def test_an_unreachable_redis_reads_as_a_miss():
    cache = caches["default"]
    assert isinstance(cache, ResilientRedisCache)

    cache.set("k", 1)
    assert cache.get("k", "missing") == "missing"
    assert cache.add("k", 1) is False
    assert cache.incr("k") == 1


@pytest.mark.django_db
@override_settings(CACHES=DEAD_REDIS)
def test_a_patient_logs_a_set_while_redis_is_down(client):
    item = ExerciseItemFactory(per_side=False)
    patient = item.program.patient
    client.force_login(patient.user)

    response = client.post(
        "/api/v1/me/logs/",
        {"client_id": str(uuid.uuid4()), "item": str(item.public_id), "reps": 10, "pain": 2},
        content_type="application/json",
    )

    assert response.status_code == 201, response.content
    assert SetLog.objects.filter(patient=patient).count() == 1


def test_the_redis_cache_reuses_one_client(require_redis):
    cache = caches["default"]
    assert isinstance(cache, ResilientRedisCache)
    client = cache._cache.get_client()
    assert cache._cache.get_client(write=True) is client
    key = f"reuse-{uuid.uuid4()}"
    cache.set(key, "kept", 30)
    assert cache.get(key) == "kept"
    assert cache._cache.get_client() is client
