"""Creating an API token twice with the same one-time key makes one token. The page (a double
click on Create token) redirects both to one page that shows the first secret once, and a
reload of it never changes the secret. The API (a retried call, whose last answer is the one
read) gives the token a new secret: no token whose secret nobody saw is left active."""

from __future__ import annotations

import re
import uuid

import pytest
from django.test import Client
from django.utils import timezone

from apps.audit.models import Action, AuditEntry
from apps.clinics.models import ApiToken
from apps.clinics.tokens import api_token_create, api_token_revoke
from tests.conftest import signed_in
from tests.once import assert_reused, form_key
from tests.programs.races import race

pytestmark = pytest.mark.django_db
PAGE = "/clinic/api-tokens/"


def _works(secret: str) -> bool:
    response = Client(HTTP_AUTHORIZATION=f"Bearer {secret}").get("/api/v1/whoami/")
    return response.status_code == 200


def _secret_shown(page: str) -> str:
    found = re.search(r'id="token-secret"[^>]*value="(cls_[^"]+)"', page)
    assert found, "the page shows no secret"
    return found.group(1)


def test_create_token_clicked_twice_makes_one_token_whose_shown_secret_works(admin_a, therapist_a):
    client = signed_in(admin_a)
    data = {
        "name": "EHR sync",
        "acts_as": str(therapist_a.public_id),
        "client_id": form_key(client.get(PAGE).content.decode()),
    }

    first, second = (client.post(PAGE, data) for _ in range(2))

    token = ApiToken.objects.get(clinic=admin_a.clinic)
    created = f"{PAGE}{token.public_id}/created/"
    assert [(a.status_code, a.url) for a in (first, second)] == [(302, created)] * 2
    shown = _secret_shown(client.get(created).content.decode())
    assert _works(shown)
    assert shown.startswith(token.prefix)
    assert AuditEntry.objects.filter(target_ref=str(token.public_id)).count() == 1


def test_reloading_the_created_page_shows_no_secret_and_keeps_the_token_working(
    admin_a, therapist_a
):
    client = signed_in(admin_a)
    data = {"name": "EHR sync", "acts_as": str(therapist_a.public_id)}
    created = client.post(PAGE, data)
    secret = _secret_shown(client.get(created.url).content.decode())

    reloaded = client.get(created.url)

    assert reloaded.status_code == 200
    html = reloaded.content.decode().replace("&#x27;", "'")
    assert "cls_" not in html
    assert "This secret was shown once: create a new token if you did not copy it." in html
    assert _works(secret)


def test_the_created_page_of_another_clinics_token_is_a_404(admin_a, admin_b):
    token, _ = api_token_create(admin=admin_b, user=admin_b, name="Sync")

    response = signed_in(admin_a).get(f"{PAGE}{token.public_id}/created/")

    assert response.status_code == 404


def test_the_api_answers_a_retry_with_200_and_a_working_secret(admin_a):
    client = signed_in(admin_a)
    body = {"name": "Sync", "client_id": str(uuid.uuid4())}

    made, again = (
        client.post("/api/v1/tokens/", body, content_type="application/json") for _ in range(2)
    )

    assert [made.status_code, again.status_code] == [201, 200]
    assert made.json()["public_id"] == again.json()["public_id"]
    assert ApiToken.objects.filter(clinic=admin_a.clinic).count() == 1
    assert _works(again.json()["token"])
    assert not _works(made.json()["token"])


def test_the_new_secret_is_audited_beside_the_creation(admin_a):
    key = uuid.uuid4()
    token, _ = api_token_create(admin=admin_a, user=admin_a, name="Sync", client_id=key)
    api_token_create(admin=admin_a, user=admin_a, name="Sync", client_id=key)

    entries = AuditEntry.objects.filter(target_ref=str(token.public_id)).order_by("sequence")
    assert [(e.action, e.detail.split(" acting as ")[1]) for e in entries] == [
        (Action.CREATE, f"{admin_a.email} created"),
        (Action.CHANGE, f"{admin_a.email} given a new secret (its form was sent twice)"),
    ]


@pytest.mark.parametrize("since", ["used", "revoked"])
def test_a_token_used_or_revoked_since_is_not_given_a_new_secret(admin_a, since):
    key = uuid.uuid4()
    token, secret = api_token_create(admin=admin_a, user=admin_a, name="Sync", client_id=key)
    hash_before = token.token_hash
    if since == "used":
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    else:
        api_token_revoke(admin=admin_a, token=token)

    response = signed_in(admin_a).post(
        "/api/v1/tokens/", {"name": "Sync", "client_id": str(key)}, content_type="application/json"
    )

    assert response.status_code == 400
    assert "reload the page" in response.json()["errors"]["client_id"][0]
    token.refresh_from_db()
    assert token.token_hash == hash_before
    assert ApiToken.objects.filter(clinic=admin_a.clinic).count() == 1
    if since == "used":
        assert _works(secret)


def test_a_key_sent_again_for_another_token_is_refused(admin_a, therapist_a):
    key = uuid.uuid4()
    api_token_create(admin=admin_a, user=admin_a, name="Sync", client_id=key)
    client = signed_in(admin_a)

    response = client.post(
        PAGE, {"name": "Billing", "acts_as": str(therapist_a.public_id), "client_id": str(key)}
    )

    assert response.status_code == 400
    assert "reload the page" in response.content.decode()
    assert list(ApiToken.objects.values_list("name", flat=True)) == ["Sync"]


def test_the_api_sent_a_key_again_for_another_token_answers_409_and_keeps_the_secret(
    admin_a, therapist_a
):
    client = signed_in(admin_a)
    body = {"name": "Sync", "client_id": str(uuid.uuid4())}
    made = client.post("/api/v1/tokens/", body, content_type="application/json")

    again = client.post(
        "/api/v1/tokens/",
        body | {"name": "Billing", "acts_as": str(therapist_a.public_id)},
        content_type="application/json",
    )

    assert_reused(again, "name", "acts_as")
    assert "different API token" in again.json()["errors"]["client_id"][0]
    token = ApiToken.objects.get(clinic=admin_a.clinic)
    assert (token.name, token.user) == ("Sync", admin_a)
    assert _works(made.json()["token"])  # not given a new secret


@pytest.mark.django_db(transaction=True)
def test_two_creations_with_one_key_at_the_same_moment_leave_one_token(require_postgres, admin_a):
    """Writer A creates the token and holds its transaction open; writer B, the double click,
    waits on the unique key; A commits. B gives the same token a new secret."""
    key = uuid.uuid4()
    secrets: list[str] = []

    def create() -> None:
        _, secret = api_token_create(admin=admin_a, user=admin_a, name="Sync", client_id=key)
        secrets.append(secret)

    race(create, create)

    assert ApiToken.objects.count() == 1
    assert [_works(secret) for secret in secrets] == [False, True]
