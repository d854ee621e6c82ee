"""API tokens: made and revoked by clinic admins, stored only as a hash, scoped to a clinic."""

import hashlib

import pytest
import time_machine
from django.test import Client

from apps.clinics.models import ApiToken
from apps.clinics.tokens import api_token_create, api_token_revoke
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db


def bearer(secret: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_a_token_is_stored_only_as_a_hash(admin_a):
    token, secret = api_token_create(admin=admin_a, user=admin_a, name="EHR sync")

    row = ApiToken.objects.get(pk=token.pk)
    assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in repr(list(ApiToken.objects.values()))
    assert secret.startswith(row.prefix)


def test_a_token_acts_as_the_chosen_therapist(admin_a, therapist_a):
    _, secret = api_token_create(admin=admin_a, user=therapist_a, name="Sync")

    body = bearer(secret).get("/api/v1/whoami/").json()

    assert body["public_id"] == str(therapist_a.public_id)
    assert body["clinic"] == str(therapist_a.clinic.public_id)
    assert body["auth"] == "token"


def test_a_revoked_token_is_refused(admin_a):
    token, secret = api_token_create(admin=admin_a, user=admin_a, name="Old")
    api_token_revoke(admin=admin_a, token=token)

    response = bearer(secret).get("/api/v1/whoami/")

    assert response.status_code == 401
    assert response.json() == {"message": "That API token is not valid.", "errors": {}}
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_an_unknown_token_is_refused_with_the_same_message(admin_a):
    response = bearer("cls_not-a-real-token").get("/api/v1/whoami/")

    assert response.status_code == 401
    assert response.json()["message"] == "That API token is not valid."


def test_a_token_stops_working_when_its_user_is_deactivated(admin_a, therapist_a):
    _, secret = api_token_create(admin=admin_a, user=therapist_a, name="Sync")
    therapist_a.is_active = False
    therapist_a.save(update_fields=["is_active"])

    assert bearer(secret).get("/api/v1/whoami/").status_code == 401


def test_last_use_is_recorded_at_most_once_a_minute(admin_a):
    token, secret = api_token_create(admin=admin_a, user=admin_a, name="Sync")
    client = bearer(secret)

    with time_machine.travel("2026-03-02 09:00:00Z", tick=False):
        client.get("/api/v1/whoami/")
    with time_machine.travel("2026-03-02 09:00:30Z", tick=False):
        client.get("/api/v1/whoami/")
    token.refresh_from_db()
    assert token.last_used_at.isoformat() == "2026-03-02T09:00:00+00:00"

    with time_machine.travel("2026-03-02 09:02:00Z", tick=False):
        client.get("/api/v1/whoami/")
    token.refresh_from_db()
    assert token.last_used_at.isoformat() == "2026-03-02T09:02:00+00:00"


def test_an_admin_cannot_give_a_token_to_another_clinics_staff(admin_a, therapist_b):
    response = signed_in(admin_a).post(
        "/api/v1/tokens/",
        {"name": "Sneaky", "acts_as": str(therapist_b.public_id)},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert "acts_as" in response.json()["errors"]
    assert not ApiToken.objects.exists()


def test_the_api_shows_the_secret_once_and_lists_only_the_clinics_tokens(admin_a, admin_b):
    api_token_create(admin=admin_b, user=admin_b, name="Clinic B token")
    client = signed_in(admin_a)

    created = client.post("/api/v1/tokens/", {"name": "Sync"}, content_type="application/json")
    listed = client.get("/api/v1/tokens/").json()

    assert created.status_code == 201
    assert created.json()["token"].startswith("cls_")
    assert [t["name"] for t in listed] == ["Sync"]
    assert "token" not in listed[0]


def test_an_admin_cannot_revoke_another_clinics_token(admin_a, admin_b):
    token_b, secret_b = api_token_create(admin=admin_b, user=admin_b, name="B")

    response = signed_in(admin_a).delete(f"/api/v1/tokens/{token_b.public_id}/")

    assert response.status_code == 404
    assert bearer(secret_b).get("/api/v1/whoami/").status_code == 200


def test_a_token_cannot_manage_tokens(admin_a):
    _, secret = api_token_create(admin=admin_a, user=admin_a, name="Sync")

    response = bearer(secret).post(
        "/api/v1/tokens/", {"name": "More"}, content_type="application/json"
    )

    assert response.status_code == 403
    assert ApiToken.objects.count() == 1


def test_therapists_and_patients_cannot_manage_tokens(therapist_a, patient_a):
    assert signed_in(therapist_a).get("/api/v1/tokens/").status_code == 403
    assert signed_in(patient_a.user).get("/api/v1/tokens/").status_code == 403


def test_the_token_page_shows_the_secret_once_and_revokes(admin_a, therapist_a):
    client = signed_in(admin_a)

    created = client.post(
        "/clinic/api-tokens/", {"name": "Sheets", "acts_as": str(therapist_a.public_id)}
    )
    page = client.get(created.url)
    token = ApiToken.objects.get()
    secret = page.context["secret"]
    listing = client.get("/clinic/api-tokens/")
    revoked = client.post(f"/clinic/api-tokens/{token.public_id}/revoke/")

    assert page.status_code == 200
    assert secret.encode() in page.content
    assert secret.encode() not in listing.content
    assert revoked.status_code == 302
    assert bearer(secret).get("/api/v1/whoami/").status_code == 401


def test_the_token_page_is_for_admins_only(therapist_a, patient_a):
    assert signed_in(therapist_a).get("/clinic/api-tokens/").status_code == 403
    assert signed_in(patient_a.user).get("/clinic/api-tokens/").status_code == 403


def test_the_token_page_rejects_an_empty_name(admin_a):
    response = signed_in(admin_a).post(
        "/clinic/api-tokens/", {"name": " ", "acts_as": str(admin_a.public_id)}
    )

    assert response.status_code == 400
    assert not ApiToken.objects.exists()
