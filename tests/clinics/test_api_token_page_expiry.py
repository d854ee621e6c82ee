"""The API tokens page: the admin chooses how long a new token lives (no "never"), and the list
shows each token's expiry, marking expired tokens and those that expire within 14 days."""

from __future__ import annotations

import re
import uuid

import pytest
import time_machine

from apps.clinics.models import ApiToken
from apps.clinics.tokens import api_token_create
from tests.conftest import signed_in
from tests.once import form_key

pytestmark = pytest.mark.django_db
PAGE = "/clinic/api-tokens/"


def _row(page: str, name: str) -> str:
    found = re.search(rf"<tr>\s*<td>{name}</td>.*?</tr>", page, re.S)
    assert found, f"no row for {name}"
    return found.group(0)


def test_the_form_offers_30_90_or_365_days_with_90_chosen(admin_a):
    page = signed_in(admin_a).get(PAGE).content.decode()

    offered = re.findall(r'name="expires_in_days" value="(\w+)"', page)
    assert offered == ["30", "90", "365"]
    assert re.search(r'name="expires_in_days" value="90"[^>]*checked', page)


def test_the_form_makes_a_token_for_the_days_chosen(admin_a):
    with time_machine.travel("2026-03-02 09:00:00Z", tick=False):
        signed_in(admin_a).post(
            PAGE, {"name": "Sync", "acts_as": str(admin_a.public_id), "expires_in_days": "30"}
        )

    assert ApiToken.objects.get().expires_at.isoformat() == "2026-04-01T09:00:00+00:00"


def test_the_form_refuses_a_lifetime_not_offered_in_words(admin_a):
    response = signed_in(admin_a).post(
        PAGE, {"name": "Sync", "acts_as": str(admin_a.public_id), "expires_in_days": "0"}
    )

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_the_list_shows_expiry_and_marks_expired_and_soon_expiring_tokens(admin_a):
    with time_machine.travel("2026-03-02 09:00:00Z", tick=False):
        for name, days in (("Old", 30), ("Soon", 90), ("Later", 365)):
            api_token_create(admin=admin_a, user=admin_a, name=name, expires_in_days=days)

    # 14 days before "Soon" expires (31 May), 30 after "Old" did (1 April).
    with time_machine.travel("2026-05-17 09:00:00Z", tick=False):
        page = signed_in(admin_a).get(PAGE).content.decode()

    old, soon, later = (_row(page, name) for name in ("Old", "Soon", "Later"))
    assert "expired 1 Apr 2026" in old
    assert "Revoke" not in old
    assert "31 May 2026" in soon
    assert "expires soon" in soon
    assert "Revoke" in soon
    assert "2 Mar 2027" in later
    assert "expires soon" not in later
    assert "expired" not in later


def test_a_token_15_days_from_expiry_is_not_marked(admin_a):
    with time_machine.travel("2026-03-02 09:00:00Z", tick=False):
        api_token_create(admin=admin_a, user=admin_a, name="Sync", expires_in_days=30)

    with time_machine.travel("2026-03-17 08:59:00Z", tick=False):
        page = signed_in(admin_a).get(PAGE).content.decode()

    assert "expires soon" not in _row(page, "Sync")


def test_the_form_sent_again_with_another_lifetime_is_refused_on_the_form(admin_a):
    client = signed_in(admin_a)
    data = {
        "name": "Sync",
        "acts_as": str(admin_a.public_id),
        "expires_in_days": "30",
        "client_id": form_key(client.get(PAGE).content.decode()),
    }
    client.post(PAGE, data)

    again = client.post(PAGE, data | {"expires_in_days": "365"})

    assert again.status_code == 400
    assert "expires_in_days differ" in again.content.decode()
    assert ApiToken.objects.count() == 1


def test_a_double_click_with_the_same_lifetime_makes_one_token(admin_a):
    client = signed_in(admin_a)
    key = str(uuid.uuid4())
    data = {"name": "Sync", "acts_as": str(admin_a.public_id), "expires_in_days": "365"}

    statuses = [client.post(PAGE, data | {"client_id": key}).status_code for _ in range(2)]

    assert statuses == [302, 302]
    assert ApiToken.objects.count() == 1
