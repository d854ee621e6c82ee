"""``GET /api/v1/whoami/`` tells an integration when its token expires and whether it may
write, so it can warn its own people before the token stops working."""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client

from apps.clinics.models import TokenScope
from apps.clinics.tokens import api_token_create
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db


def test_whoami_tells_a_token_its_expiry_and_scope(admin_a, therapist_a):
    with time_machine.travel("2026-03-02 09:00:00Z", tick=False):
        _, secret = api_token_create(
            admin=admin_a,
            user=therapist_a,
            name="Sync",
            expires_in_days=30,
            scope=TokenScope.READ_WRITE,
        )

    with time_machine.travel("2026-03-20 09:00:00Z", tick=False):
        body = Client(HTTP_AUTHORIZATION=f"Bearer {secret}").get("/api/v1/whoami/").json()

    assert (body["token_expires_at"], body["token_scope"]) == ("2026-04-01T09:00:00Z", "read_write")


def test_whoami_of_a_session_has_no_token_terms(admin_a):
    body = signed_in(admin_a).get("/api/v1/whoami/").json()

    assert (body["auth"], body["token_expires_at"], body["token_scope"]) == ("session", None, None)
