"""API tokens are read only unless the admin chooses "read and write" at creation: a
read-only token may GET, HEAD and OPTIONS, and any other method is a 403 saying why. Every
write operation is checked in tests/security/test_read_only_tokens.py."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from apps.clinics.models import ApiToken, TokenScope
from apps.clinics.tokens import READ_ONLY, api_token_create
from tests.conftest import signed_in
from tests.once import assert_reused

pytestmark = pytest.mark.django_db
CREATE = "/api/v1/patients/create/"
NEW = {"full_name": "Lee Park", "email": "lee@mail.example", "year_of_birth": 1980}


def bearer(secret: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_a_token_is_read_only_unless_told(admin_a):
    token, _ = api_token_create(admin=admin_a, user=admin_a, name="Reports")

    assert token.scope == TokenScope.READ


@pytest.mark.parametrize("method", ["get", "head", "options"])
def test_a_read_only_token_reads(admin_a, method):
    _, secret = api_token_create(admin=admin_a, user=admin_a, name="Reports")

    assert getattr(bearer(secret), method)("/api/v1/patients/").status_code == 200


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_a_read_only_token_may_not_write(admin_a, method):
    _, secret = api_token_create(admin=admin_a, user=admin_a, name="Reports")

    response = getattr(bearer(secret), method)(CREATE, NEW, content_type="application/json")

    assert response.status_code == 403
    assert response.json() == {"message": READ_ONLY, "errors": {}}
    assert "read-only" in READ_ONLY


def test_a_read_and_write_token_writes(admin_a, therapist_a):
    _, secret = api_token_create(
        admin=admin_a, user=therapist_a, name="EHR sync", scope=TokenScope.READ_WRITE
    )

    response = bearer(secret).post(CREATE, NEW, content_type="application/json")

    assert response.status_code == 201, response.content


def test_a_session_is_not_limited_by_any_scope(therapist_a):
    response = signed_in(therapist_a).post(CREATE, NEW, content_type="application/json")

    assert response.status_code == 201, response.content


def test_the_service_refuses_an_unknown_scope(admin_a):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        api_token_create(admin=admin_a, user=admin_a, name="Sync", scope="admin")

    assert "scope" in refused.value.message_dict
    assert not ApiToken.objects.exists()


def test_the_api_makes_a_read_only_token_unless_told(admin_a):
    response = signed_in(admin_a).post(
        "/api/v1/tokens/", {"name": "Reports"}, content_type="application/json"
    )

    assert response.json()["scope"] == "read"


def test_the_api_makes_a_read_and_write_token_when_asked(admin_a):
    client = signed_in(admin_a)

    created = client.post(
        "/api/v1/tokens/", {"name": "Sync", "scope": "read_write"}, content_type="application/json"
    )

    assert created.json()["scope"] == "read_write"
    assert [t["scope"] for t in client.get("/api/v1/tokens/").json()] == ["read_write"]


@pytest.mark.parametrize("scope", ["write", "admin", "", None, 1])
def test_the_api_refuses_an_unknown_scope_in_words(admin_a, scope):
    response = signed_in(admin_a).post(
        "/api/v1/tokens/", {"name": "Sync", "scope": scope}, content_type="application/json"
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["scope"]
    assert not ApiToken.objects.exists()


def test_the_api_sent_a_key_again_for_another_scope_answers_409(admin_a):
    client = signed_in(admin_a)
    body = {"name": "Sync", "client_id": str(uuid.uuid4())}
    client.post("/api/v1/tokens/", body, content_type="application/json")

    again = client.post(
        "/api/v1/tokens/",
        body | {"scope": "read_write", "expires_in_days": 30},
        content_type="application/json",
    )

    assert_reused(again, "expires_in_days", "scope")
    assert ApiToken.objects.get().scope == TokenScope.READ
