"""While its clinic is suspended, nobody of it signs in: staff with the right password, a
patient with the right year of birth or an emailed link, a colleague with an invitation's
set-password link are told why, in the words every refused page uses, and get no session.
Only someone who proved who they are is told: a wrong password, year or link is answered
as for anyone, and asking for a one-time link answers the same whoever asks (the worker
emails the words to the address instead of a link)."""

from __future__ import annotations

import html
import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client

from apps.clinics.models import Clinic, User
from apps.clinics.services import clinic_resume, clinic_suspend
from apps.patients import auth
from apps.patients.models import OneTimeSignInLink, Patient
from tests.conftest import signed_in
from tests.factories import STAFF_PASSWORD
from tests.portal.test_one_time_link import ask  # noqa: F401  # a fixture

pytestmark = pytest.mark.django_db

SUSPENDED = "Your clinic's Clamshell account is suspended; contact "
NO_MATCH = "That email and password do not match an account."


@pytest.fixture
def operator() -> User:
    return User.objects.create_superuser("ops@example.org", "a long operator password")


@pytest.fixture
def suspended(clinic_a: Clinic, operator: User) -> Clinic:
    clinic_suspend(clinic=clinic_a, actor=operator, reason="Unpaid")
    return clinic_a


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _signed_in(client: Client) -> bool:
    return SESSION_KEY in client.session


# --- Staff ---------------------------------------------------------------------------------


def test_the_right_password_is_told_the_clinic_is_suspended(suspended, therapist_a):
    client = Client()

    response = client.post("/sign-in/", {"username": therapist_a.email, "password": STAFF_PASSWORD})

    assert response.status_code == 403
    assert SUSPENDED in _text(response)
    assert not _signed_in(client)


def test_a_wrong_password_or_unknown_address_is_answered_as_ever(suspended, therapist_a):
    wrong = Client().post("/sign-in/", {"username": therapist_a.email, "password": "not it"})
    unknown = Client().post("/sign-in/", {"username": "who@x.example", "password": "not it"})

    for response in (wrong, unknown):
        assert response.status_code == 400
        assert NO_MATCH in _text(response)
        assert SUSPENDED not in _text(response)


def test_signing_in_works_again_once_resumed(suspended, operator, therapist_a):
    clinic_resume(clinic=suspended, actor=operator)
    client = Client()

    response = client.post("/sign-in/", {"username": therapist_a.email, "password": STAFF_PASSWORD})

    assert response.status_code == 302
    assert _signed_in(client)


def test_an_invitation_link_is_refused_while_suspended_and_works_after(admin_a, operator):
    signed_in(admin_a).post(
        "/clinic/staff/",
        {"full_name": "Robin Hart", "email": "robin@a.example", "role": "therapist"},
    )
    link = re.search(r"http\S+(/account/set-password/\S+/)", mail.outbox[0].body).group(1)
    clinic_suspend(clinic=admin_a.clinic, actor=operator, reason="Unpaid")
    client = Client()

    opened = client.get(link, follow=True)
    posted = client.post(
        opened.redirect_chain[-1][0] if opened.redirect_chain else link,
        {"new_password1": "a long new password 2026", "new_password2": "a long new password 2026"},
    )

    assert opened.status_code == posted.status_code == 403
    assert SUSPENDED in _text(opened)
    assert not User.objects.get(email="robin@a.example").has_usable_password()
    clinic_resume(clinic=admin_a.clinic, actor=operator)
    form = Client().get(link, follow=True)
    assert form.status_code == 200
    assert "new_password1" in _text(form)


def test_a_forged_invitation_link_says_only_that_it_does_not_work(suspended, therapist_a):
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    uid = urlsafe_base64_encode(force_bytes(therapist_a.pk))

    response = Client().get(f"/account/set-password/{uid}/made-up-token/", follow=True)

    assert SUSPENDED not in _text(response)
    assert "This link does not work" in _text(response)


# --- Patients ------------------------------------------------------------------------------


def test_the_personal_link_asks_the_year_then_says_the_clinic_is_suspended(suspended, patient_a):
    client = Client()
    path = auth.personal_link_path(patient_a)

    form = client.get(path)
    right = client.post(path, {"year_of_birth": patient_a.year_of_birth})

    assert form.status_code == 200
    assert SUSPENDED not in _text(form)  # a link alone learns nothing more than before
    assert right.status_code == 403
    assert SUSPENDED in _text(right)
    assert not _signed_in(client)
    assert Patient.objects.get(pk=patient_a.pk).link_failed_attempts == 0


def test_another_clinics_patient_signs_in_on_a_phone_a_suspended_patient_left_signed_in(
    suspended, patient_a, patient_b
):
    """A family's shared phone: patients never sign out, and opening one's own link is how
    the phone changes hands (Today says so). Ann's clinic being suspended must not lock Ben,
    of another clinic, out of his exercises, nor tell him that his clinic is suspended."""
    phone = signed_in(patient_a.user)
    path = auth.personal_link_path(patient_b)

    form = phone.get(path)
    right = phone.post(path, {"year_of_birth": patient_b.year_of_birth})

    assert form.status_code == 200
    assert right.status_code == 302
    assert phone.get("/today/").status_code == 200
    assert int(phone.session[SESSION_KEY]) == patient_b.user.pk


def test_another_clinics_patient_signs_in_there_with_a_one_time_link_too(
    suspended, patient_a, patient_b
):
    phone = signed_in(patient_a.user)
    token = auth.one_time_link_create(patient=patient_b)

    assert phone.get("/sign-in/link/").status_code == 200
    assert phone.get(f"/sign-in/link/{token}/").status_code == 200
    assert phone.post(f"/sign-in/link/{token}/").status_code == 302
    assert phone.get("/today/").status_code == 200


def test_the_suspended_clinics_patient_opening_her_own_link_is_still_told(suspended, patient_a):
    phone = signed_in(patient_a.user)
    path = auth.personal_link_path(patient_a)

    right = phone.post(path, {"year_of_birth": patient_a.year_of_birth})

    assert right.status_code == 403
    assert SUSPENDED in _text(right)
    assert phone.get("/today/").status_code == 403


def test_a_wrong_year_is_answered_as_ever(suspended, patient_a):
    response = Client().post(auth.personal_link_path(patient_a), {"year_of_birth": 1950})

    assert response.status_code == 400
    assert "That year does not match our records." in _text(response)
    assert SUSPENDED not in _text(response)


def test_asking_for_a_one_time_link_answers_the_same_and_emails_the_words(
    suspended,
    patient_a,
    ask,  # noqa: F811
):
    known = ask(patient_a.email)
    unknown = ask("nobody@nowhere.example")

    assert known.content == unknown.content
    assert OneTimeSignInLink.objects.count() == 0
    [message] = mail.outbox
    assert message.to == [patient_a.email]
    assert SUSPENDED in message.body
    assert "/sign-in/link/" not in message.body


def test_a_one_time_link_emailed_before_the_suspension_does_not_sign_in(suspended, patient_a):
    token = auth.one_time_link_create(patient=patient_a)
    client = Client()

    opened = client.get(f"/sign-in/link/{token}/")
    sent = client.post(f"/sign-in/link/{token}/")

    assert opened.status_code == sent.status_code == 403
    assert SUSPENDED in _text(sent)
    assert not _signed_in(client)
    assert OneTimeSignInLink.objects.get().used_at is None


def test_a_code_given_after_the_clinic_was_suspended_signs_nobody_in(
    clinic_a, therapist_a, operator
):
    """Suspended between the password and the authenticator's code."""
    from django_otp.oath import totp

    from tests.clinics.two_factor_helpers import paired

    device = paired(therapist_a)
    client = Client()
    client.post("/sign-in/", {"username": therapist_a.email, "password": STAFF_PASSWORD})
    clinic_suspend(clinic=clinic_a, actor=operator, reason="Unpaid")
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)

    response = client.post("/sign-in/verify/", {"token": f"{code:06d}"})

    assert response.status_code == 403
    assert SUSPENDED in _text(response)
    assert not _signed_in(client)
