"""Inviting an address that already has an account: a colleague of this clinic is named
("already on your staff"), while an account anywhere else (another clinic's staff, an
operator) gets one reply that does not say where, or whose, it is. The invitation form
must not tell a clinic admin which addresses use Clamshell at other clinics."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from apps.clinics.models import User
from tests.conftest import signed_in
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

UNAVAILABLE = (
    "This address cannot be invited. Ask the person for another email address, or contact support."
)


def invite(admin: User, email: str):
    data = {"full_name": "Robin Hart", "email": email, "role": "therapist"}
    return signed_in(admin).post("/clinic/staff/", data)


def error_of(response) -> str:
    found = re.search(r'<p class="field-error"[^>]*>(.*?)</p>', response.text, re.S)
    assert found is not None, response.text
    return found.group(1).strip()


@pytest.fixture
def operator(db) -> User:
    return User.objects.create_superuser("ops@clamshell.example", "an operator password 2026")


def test_another_clinics_address_gets_the_reply_any_unavailable_address_gets(
    admin_a, therapist_b, operator
):
    elsewhere = invite(admin_a, therapist_b.email.upper())
    ops = invite(admin_a, operator.email)

    assert (elsewhere.status_code, ops.status_code) == (400, 400)
    assert error_of(elsewhere) == error_of(ops) == UNAVAILABLE.replace("'", "&#x27;")
    for said in ("another clinic", "already signs in", therapist_b.full_name, "exists"):
        assert said not in elsewhere.text
    assert str(therapist_b.clinic) not in elsewhere.text
    assert User.objects.filter(email__iexact=therapist_b.email).count() == 1
    assert mail.outbox == []


def test_a_colleague_of_this_clinic_is_named_as_already_on_your_staff(admin_a, therapist_a):
    response = invite(admin_a, therapist_a.email.upper())

    assert response.status_code == 400
    assert error_of(response) == f"{therapist_a.full_name} is already on your staff."


def test_a_deactivated_colleague_is_pointed_to_reactivation(admin_a, clinic_a):
    gone = StaffFactory(clinic=clinic_a, full_name="Dana Hill", is_active=False)

    response = invite(admin_a, gone.email)

    assert error_of(response) == (
        "Dana Hill is already on your staff, deactivated: reactivate them in the list above."
    )


def test_an_invited_colleague_is_pointed_to_resending(admin_a):
    invite(admin_a, "robin@a.example")

    response = invite(admin_a, "Robin@A.example")

    assert error_of(response) == (
        "Robin Hart is already on your staff, invited: use Resend invitation in the list above."
    )
    assert len(mail.outbox) == 1
