"""API tokens expire: the admin chooses 30, 90 or 365 days at creation (90 unless told, never
"never"); an expired token is refused with a 401 that says when it expired."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client

from apps.clinics.models import ApiToken
from apps.clinics.tokens import api_token_create, api_token_revoke
from tests.conftest import signed_in
from tests.once import assert_reused

pytestmark = pytest.mark.django_db

MADE = "2026-03-02 09:00:00Z"
EXPIRED = "This API token expired on 1 April 2026; ask a clinic admin for a new one."


def bearer(secret: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def _made_for_30_days(admin):
    with time_machine.travel(MADE, tick=False):
        return api_token_create(admin=admin, user=admin, name="Sync", expires_in_days=30)


def test_a_token_lives_the_number_of_days_chosen(admin_a):
    token, _ = _made_for_30_days(admin_a)

    assert token.expires_at.isoformat() == "2026-04-01T09:00:00+00:00"


def test_a_token_works_until_it_expires(admin_a):
    _, secret = _made_for_30_days(admin_a)

    with time_machine.travel("2026-04-01 08:59:59Z", tick=False):
        assert bearer(secret).get("/api/v1/whoami/").status_code == 200


def test_an_expired_token_is_refused_saying_when_it_expired(admin_a):
    token, secret = _made_for_30_days(admin_a)

    with time_machine.travel("2026-04-01 09:00:00Z", tick=False):
        response = bearer(secret).get("/api/v1/whoami/")

    assert response.status_code == 401
    assert response.json() == {"message": EXPIRED, "errors": {}}
    assert response["WWW-Authenticate"].startswith("Bearer")
    token.refresh_from_db()
    assert token.last_used_at is None


def test_the_expiry_date_is_the_clinics_day(admin_a):
    admin_a.clinic.time_zone = "America/New_York"
    admin_a.clinic.save(update_fields=["time_zone"])
    with time_machine.travel("2026-03-02 02:00:00Z", tick=False):
        _, secret = api_token_create(admin=admin_a, user=admin_a, name="Sync", expires_in_days=30)

    with time_machine.travel("2026-05-01 12:00:00Z", tick=False):
        message = bearer(secret).get("/api/v1/whoami/").json()["message"]

    assert message.startswith("This API token expired on 31 March 2026;")


def test_an_expired_token_does_not_count_as_a_guess(monkeypatch, admin_a):
    monkeypatch.setattr("apps.clinics.tokens.FAILED_TOKENS_PER_WINDOW", 2)
    _, secret = _made_for_30_days(admin_a)

    with time_machine.travel("2026-05-01 12:00:00Z", tick=False):
        statuses = [bearer(secret).get("/api/v1/whoami/").status_code for _ in range(4)]

    assert statuses == [401] * 4


def test_a_revoked_token_that_also_expired_gets_the_message_of_any_invalid_token(admin_a):
    token, secret = _made_for_30_days(admin_a)
    api_token_revoke(admin=admin_a, token=token)

    with time_machine.travel("2026-05-01 12:00:00Z", tick=False):
        response = bearer(secret).get("/api/v1/whoami/")

    assert (response.status_code, response.json()["message"]) == (
        401,
        "That API token is not valid.",
    )


@pytest.mark.parametrize("days", [0, 7, 3650, None])
def test_the_service_refuses_a_lifetime_not_offered(admin_a, days):
    with pytest.raises(ValidationError) as refused:
        api_token_create(admin=admin_a, user=admin_a, name="Sync", expires_in_days=days)

    assert "30, 90 or 365 days" in refused.value.message_dict["expires_in_days"][0]
    assert not ApiToken.objects.exists()


def test_the_api_makes_a_token_for_90_days_unless_told(admin_a):
    with time_machine.travel(MADE, tick=False):
        response = signed_in(admin_a).post(
            "/api/v1/tokens/", {"name": "Sync"}, content_type="application/json"
        )

    assert response.status_code == 201
    assert response.json()["expires_at"] == "2026-05-31T09:00:00Z"


def test_the_api_makes_a_token_for_the_days_asked(admin_a):
    with time_machine.travel(MADE, tick=False):
        response = signed_in(admin_a).post(
            "/api/v1/tokens/",
            {"name": "Sync", "expires_in_days": 365},
            content_type="application/json",
        )

    assert response.json()["expires_at"] == "2027-03-02T09:00:00Z"


@pytest.mark.parametrize("days", [0, 45, 100000, None, "never", ""])
def test_the_api_refuses_a_lifetime_not_offered_in_words(admin_a, days):
    response = signed_in(admin_a).post(
        "/api/v1/tokens/",
        {"name": "Sync", "expires_in_days": days},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["expires_in_days"]
    assert not ApiToken.objects.exists()


def test_the_api_lists_an_expired_token_as_inactive_with_its_expiry(admin_a):
    _made_for_30_days(admin_a)

    with time_machine.travel("2026-05-01 12:00:00Z", tick=False):
        listed = signed_in(admin_a).get("/api/v1/tokens/").json()

    assert [(t["active"], t["expires_at"]) for t in listed] == [(False, "2026-04-01T09:00:00Z")]


def test_the_api_sent_a_key_again_for_another_lifetime_answers_409(admin_a):
    client = signed_in(admin_a)
    body = {"name": "Sync", "client_id": str(uuid.uuid4())}
    client.post("/api/v1/tokens/", body, content_type="application/json")

    again = client.post(
        "/api/v1/tokens/", body | {"expires_in_days": 365}, content_type="application/json"
    )

    assert_reused(again, "expires_in_days")
    assert ApiToken.objects.count() == 1


def test_the_api_retry_of_the_same_lifetime_answers_200(admin_a):
    client = signed_in(admin_a)
    body = {"name": "Sync", "expires_in_days": 30, "client_id": str(uuid.uuid4())}
    client.post("/api/v1/tokens/", body, content_type="application/json")

    again = client.post("/api/v1/tokens/", body, content_type="application/json")

    assert again.status_code == 200
    assert ApiToken.objects.get().expires_at - ApiToken.objects.get().created_at == timedelta(
        days=30
    )


def test_a_retried_creation_does_not_rekey_an_expired_token(admin_a):
    key = uuid.uuid4()
    with time_machine.travel(MADE, tick=False):
        token, _ = api_token_create(
            admin=admin_a, user=admin_a, name="Sync", expires_in_days=30, client_id=key
        )

    with time_machine.travel("2026-05-01 12:00:00Z", tick=False), pytest.raises(ValidationError):
        api_token_create(
            admin=admin_a, user=admin_a, name="Sync", expires_in_days=30, client_id=key
        )

    assert ApiToken.objects.get().token_hash == token.token_hash
