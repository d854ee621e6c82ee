"""The API tokens page: a new token is read only unless the admin chooses "read and write",
and the list says which each token is."""

from __future__ import annotations

import re

import pytest

from apps.clinics.models import ApiToken, TokenScope
from apps.clinics.tokens import api_token_create
from tests.conftest import signed_in
from tests.once import form_key

pytestmark = pytest.mark.django_db
PAGE = "/clinic/api-tokens/"


def test_the_form_offers_read_only_chosen_or_read_and_write(admin_a):
    page = signed_in(admin_a).get(PAGE).content.decode()

    assert re.findall(r'name="scope" value="(\w+)"', page) == ["read", "read_write"]
    assert re.search(r'name="scope" value="read"[^>]*checked', page)


@pytest.mark.parametrize(
    ("sent", "made"), [({}, TokenScope.READ), ({"scope": "read_write"}, TokenScope.READ_WRITE)]
)
def test_the_form_makes_the_token_it_was_asked_for(admin_a, sent, made):
    client = signed_in(admin_a)

    response = client.post(PAGE, {"name": "Sync", "acts_as": str(admin_a.public_id)} | sent)

    token = ApiToken.objects.get()
    assert token.scope == made
    created = client.get(response.url).content.decode()
    assert ("read only" in created) == (made == TokenScope.READ)


def test_the_form_refuses_an_unknown_scope_in_words(admin_a):
    response = signed_in(admin_a).post(
        PAGE, {"name": "Sync", "acts_as": str(admin_a.public_id), "scope": "admin"}
    )

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_the_list_says_what_each_token_may_do(admin_a):
    api_token_create(admin=admin_a, user=admin_a, name="Reports")
    api_token_create(admin=admin_a, user=admin_a, name="EHR sync", scope=TokenScope.READ_WRITE)

    page = signed_in(admin_a).get(PAGE).content.decode()

    rows = dict(re.findall(r"<tr>\s*<td>([^<]+)</td>(.*?)</tr>", page, re.S))
    assert "Read only" in rows["Reports"]
    assert "Read and write" in rows["EHR sync"]


def test_the_form_sent_again_with_another_scope_is_refused_on_the_form(admin_a):
    client = signed_in(admin_a)
    data = {
        "name": "Sync",
        "acts_as": str(admin_a.public_id),
        "client_id": form_key(client.get(PAGE).content.decode()),
    }
    client.post(PAGE, data)

    again = client.post(PAGE, data | {"scope": "read_write"})

    assert again.status_code == 400
    assert "scope differ" in again.content.decode()
    assert ApiToken.objects.get().scope == TokenScope.READ
