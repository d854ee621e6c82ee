"""Operators sign in to Django admin through the app's sign-in: lockout and two-factor apply."""

from __future__ import annotations

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.clinics.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "a long operator password"


@pytest.fixture
def operator() -> User:
    return User.objects.create_superuser("ops@example.org", PASSWORD)


def test_it_sends_the_admin_login_to_the_app_sign_in(client, operator):
    response = client.get("/ops/admin/login/?next=/ops/admin/clinics/clinic/")

    assert response.status_code == 302
    assert response["Location"] == "/sign-in/?next=/ops/admin/clinics/clinic/"


def test_the_admin_login_form_does_not_skip_two_factor(client, operator):
    TOTPDevice.objects.create(user=operator, name="phone", confirmed=True)

    client.post("/ops/admin/login/", {"username": "ops@example.org", "password": PASSWORD})

    assert client.get("/ops/admin/").status_code == 302  # still signed out


def test_an_operator_with_two_factor_is_asked_for_a_code(client, operator):
    TOTPDevice.objects.create(user=operator, name="phone", confirmed=True)

    response = client.post(
        "/sign-in/?next=/ops/admin/",
        {"username": "ops@example.org", "password": PASSWORD, "next": "/ops/admin/"},
    )

    assert response["Location"] == "/sign-in/verify/"
    assert client.get("/ops/admin/").status_code == 302


def test_an_operator_without_two_factor_reaches_admin_through_the_sign_in(client, operator):
    response = client.post(
        "/sign-in/", {"username": "ops@example.org", "password": PASSWORD, "next": "/ops/admin/"}
    )

    assert response["Location"] == "/ops/admin/"
    assert client.get("/ops/admin/").status_code == 200
