"""Deactivating a colleague ends their sessions and tokens for good; reactivating them
starts from nothing (a new password chosen through an emailed link, no old token)."""

import re

import pytest
from django.core import mail
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.clinics.models import ApiToken
from apps.clinics.services import confirmed_totp_device, totp_device_start
from apps.clinics.tokens import api_token_create
from tests.conftest import signed_in
from tests.factories import STAFF_PASSWORD, StaffFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a fresh start password 2026"


def set_active(admin, person, active: bool):
    change = "reactivate" if active else "deactivate"
    return signed_in(admin).post(
        "/clinic/staff/", {"colleague": person.public_id, "change": change}
    )


def password_session(person) -> Client:
    client = Client()
    response = client.post("/sign-in/", {"username": person.email, "password": STAFF_PASSWORD})
    assert response.status_code == 302
    assert client.get("/patients/").status_code == 200
    return client


def test_reactivation_does_not_revive_old_sessions_or_tokens(admin_a, clinic_a):
    colleague = StaffFactory(clinic=clinic_a)
    old_session = password_session(colleague)
    token, secret = api_token_create(admin=admin_a, user=colleague, name="Sync")
    bearer = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert bearer.get("/api/v1/whoami/").status_code == 200

    set_active(admin_a, colleague, False)
    set_active(admin_a, colleague, True)

    colleague.refresh_from_db()
    assert colleague.is_active
    assert old_session.get("/patients/").status_code == 302
    assert bearer.get("/api/v1/whoami/").status_code == 401
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    old_password = Client().post(
        "/sign-in/", {"username": colleague.email, "password": STAFF_PASSWORD}
    )
    assert old_password.status_code != 302


def test_deactivation_revokes_every_token_acting_as_the_person(admin_a, clinic_a, therapist_a):
    colleague = StaffFactory(clinic=clinic_a)
    theirs = [api_token_create(admin=admin_a, user=colleague, name=f"T{n}")[0] for n in range(3)]
    other, _ = api_token_create(admin=admin_a, user=therapist_a, name="Other")

    set_active(admin_a, colleague, False)

    assert all(ApiToken.objects.get(pk=t.pk).revoked_at is not None for t in theirs)
    assert ApiToken.objects.get(pk=other.pk).revoked_at is None


def test_deactivation_removes_the_authenticator_app_so_reactivation_pairs_anew(admin_a, clinic_a):
    colleague = StaffFactory(clinic=clinic_a)
    device = totp_device_start(user=colleague)
    device.confirmed = True
    device.save()
    keeps = totp_device_start(user=admin_a)

    set_active(admin_a, colleague, False)
    set_active(admin_a, colleague, True)

    assert confirmed_totp_device(colleague) is None
    assert not TOTPDevice.objects.filter(user=colleague).exists()
    assert TOTPDevice.objects.filter(pk=keeps.pk).exists()


def test_a_reactivated_colleague_chooses_a_new_password_and_signs_in(client, admin_a, clinic_a):
    colleague = StaffFactory(clinic=clinic_a)
    set_active(admin_a, colleague, False)
    mail.outbox.clear()

    set_active(admin_a, colleague, True)

    assert [m.to for m in mail.outbox] == [[colleague.email]]
    link = re.search(r"http\S+(/account/set-password/\S+/)", mail.outbox[0].body)
    assert link is not None
    form_page = client.get(link.group(1), follow=True)
    client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else link.group(1),
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    signed = Client().post("/sign-in/", {"username": colleague.email, "password": NEW_PASSWORD})
    assert signed.status_code == 302


def test_the_staff_page_says_deactivated_not_invited(admin_a, clinic_a):
    colleague = StaffFactory(clinic=clinic_a, full_name="Dana Hill")
    set_active(admin_a, colleague, False)

    page = signed_in(admin_a).get("/clinic/staff/").content.decode()

    row = page[page.index("Dana Hill") :]
    assert row.index("Deactivated") < row.index("</tr>")


def test_deactivating_asks_once_more_and_then_says_it_was_done(admin_a, clinic_a):
    colleague = StaffFactory(clinic=clinic_a, full_name="Dana Hill")
    client = signed_in(admin_a)
    page = client.get("/clinic/staff/").content.decode()
    row = page[page.index("Dana Hill") :]
    row = row[: row.index("</tr>")]
    # The first button only opens the question; the form is sent by the second.
    assert '<summary class="button danger">Deactivate' in row
    assert "Yes, deactivate</button>" in row

    done = client.post(
        "/clinic/staff/", {"colleague": colleague.public_id, "change": "deactivate"}, follow=True
    )

    assert "Dana Hill was deactivated: signed out everywhere, tokens revoked." in done.text
