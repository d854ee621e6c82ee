"""Turning two-factor sign-in on, and choosing a password from an emailed link (the
invitation, or the link a reactivation sends), are in the audit log under the person
themselves, with no secret in the entry: no password, no link token, no authenticator key
or code."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.audit.models import Action, AuditEntry
from apps.clinics.models import User
from tests.conftest import signed_in
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a long new password 2026"


def _entries(user: User) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(target_ref=str(user.public_id)).order_by("sequence"))


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_turning_two_factor_on_is_audited_without_the_key_or_code(therapist_a):
    client = signed_in(therapist_a)
    client.get("/account/two-factor/")
    device = TOTPDevice.objects.get(user=therapist_a, confirmed=False)
    code = _code(device)

    client.post("/account/two-factor/", {"token": code})

    (entry,) = _entries(therapist_a)
    assert (entry.action, entry.actor_id, entry.clinic_id) == (
        Action.CHANGE,
        therapist_a.pk,
        therapist_a.clinic_id,
    )
    assert (
        entry.detail
        == f"{therapist_a.full_name} ({therapist_a.email}) turned two-factor sign-in on"
    )
    assert code not in entry.detail
    assert device.key not in entry.detail
    assert entry.ip_address is not None


def test_a_wrong_code_turns_nothing_on_and_records_nothing(therapist_a):
    client = signed_in(therapist_a)
    client.get("/account/two-factor/")

    client.post("/account/two-factor/", {"token": "000000"})

    assert not TOTPDevice.objects.filter(user=therapist_a, confirmed=True).exists()
    assert _entries(therapist_a) == []


def _link(message) -> str:
    found = re.search(r"http\S+(/account/set-password/\S+/)", message.body)
    assert found is not None
    return found.group(1)


def _choose(client: Client, link: str, password: str, again: str | None = None):
    form = client.get(link, follow=True)
    url = form.redirect_chain[-1][0] if form.redirect_chain else link
    return client.post(url, {"new_password1": password, "new_password2": again or password})


def test_choosing_a_password_from_the_invitation_is_audited_without_secrets(admin_a):
    signed_in(admin_a).post(
        "/clinic/staff/",
        {"full_name": "Robin Hart", "email": "robin@a.example", "role": "therapist"},
    )
    robin = User.objects.get(email="robin@a.example")
    link = _link(mail.outbox[0])

    response = _choose(Client(), link, NEW_PASSWORD)

    assert response.status_code == 302
    invited, chosen = _entries(robin)
    assert invited.actor_id == admin_a.pk
    assert (chosen.action, chosen.actor_id, chosen.clinic_id) == (
        Action.CHANGE,
        robin.pk,
        admin_a.clinic_id,
    )
    assert (
        chosen.detail == "Robin Hart (robin@a.example) accepted the invitation and chose a password"
    )
    token = link.rstrip("/").rsplit("/", 1)[-1]
    for secret in (NEW_PASSWORD, token):
        assert secret not in chosen.detail
    assert chosen.ip_address is not None


def test_choosing_a_new_password_after_a_reactivation_is_audited(admin_a, clinic_a):
    colleague = StaffFactory(clinic=clinic_a, full_name="Dana Hill", email="dana@a.example")
    signed_in(colleague)  # they had signed in before: not someone invited
    admin = signed_in(admin_a)
    admin.post("/clinic/staff/", {"colleague": colleague.public_id, "change": "deactivate"})
    admin.post("/clinic/staff/", {"colleague": colleague.public_id, "change": "reactivate"})

    _choose(Client(), _link(mail.outbox[-1]), NEW_PASSWORD)

    last = _entries(colleague)[-1]
    assert (last.actor_id, last.detail) == (
        colleague.pk,
        "Dana Hill (dana@a.example) chose a new password from the emailed link",
    )


def test_a_refused_password_records_nothing(admin_a):
    signed_in(admin_a).post(
        "/clinic/staff/",
        {"full_name": "Robin Hart", "email": "robin@a.example", "role": "therapist"},
    )
    robin = User.objects.get(email="robin@a.example")

    response = _choose(Client(), _link(mail.outbox[0]), NEW_PASSWORD, again="something else 2026")

    assert response.status_code == 200
    assert [e.actor_id for e in _entries(robin)] == [admin_a.pk]  # the invitation alone
