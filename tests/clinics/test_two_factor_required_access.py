"""While a clinic requires two-factor sign-in, its therapists and admins open no staff page
before their session has given an authenticator app's code: without an app they are sent to
pair one, with one to the code page; the API answers 403. Patients, operators, API tokens and
other clinics' staff are not affected."""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.clinics.models import Clinic, User
from apps.clinics.tokens import api_token_create
from tests.clinics.two_factor_helpers import paired, verified
from tests.conftest import signed_in
from tests.factories import STAFF_PASSWORD, AdminFactory

pytestmark = pytest.mark.django_db

SET_UP = "/account/two-factor/"
VERIFY = "/sign-in/verify/"


@pytest.fixture(autouse=True)
def clinic_a_requires(clinic_a: Clinic) -> Clinic:
    Clinic.objects.filter(pk=clinic_a.pk).update(require_two_factor=True)
    clinic_a.refresh_from_db()
    return clinic_a


def code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


# --- Without an authenticator app ----------------------------------------------------------


def test_a_therapist_without_an_app_is_sent_to_set_one_up(therapist_a):
    response = signed_in(therapist_a).get("/patients/?q=hill")

    assert response.status_code == 302
    assert response["Location"] == f"{SET_UP}?next=%2Fpatients%2F%3Fq%3Dhill"


def test_the_set_up_page_says_why_and_offers_no_other_page(therapist_a):
    page = signed_in(therapist_a).get(f"{SET_UP}?next=/patients/")

    assert page.status_code == 200
    body = page.content.decode()
    assert "Your clinic requires two-factor sign-in for all staff." in body
    assert 'href="/patients/"' not in body  # the navigation is left out until it is on
    assert "Sign out" in body


def test_an_admin_without_an_app_is_sent_too_and_a_post_saves_nothing(admin_a, clinic_a):
    client = signed_in(admin_a)

    assert client.get("/clinic/settings/")["Location"].startswith(SET_UP)
    response = client.post("/clinic/settings/", {"require_two_factor": ""})

    assert response.status_code == 302
    assert response["Location"] == SET_UP  # no "next" for a form sent
    assert Clinic.objects.get(pk=clinic_a.pk).require_two_factor is True


def test_pairing_the_app_opens_the_page_that_was_asked_for(therapist_a):
    client = signed_in(therapist_a)
    client.get(f"{SET_UP}?next=/patients/")
    device = TOTPDevice.objects.get(user=therapist_a, confirmed=False)

    response = client.post(f"{SET_UP}?next=/patients/", {"token": code(device)})

    assert response.status_code == 302
    assert response["Location"] == "/patients/"
    assert client.get("/patients/").status_code == 200


def test_an_unsafe_next_after_pairing_goes_to_the_two_factor_page(therapist_a):
    client = signed_in(therapist_a)
    client.get(SET_UP)
    device = TOTPDevice.objects.get(user=therapist_a, confirmed=False)

    response = client.post(f"{SET_UP}?next=https://evil.example/", {"token": code(device)})

    assert response["Location"] == SET_UP


def test_signing_in_without_an_app_leads_to_the_set_up(therapist_a):
    client = Client()
    signed = client.post("/sign-in/", {"username": therapist_a.email, "password": STAFF_PASSWORD})

    assert client.get(signed["Location"])["Location"].startswith(SET_UP)


def test_the_api_answers_a_session_without_an_app_403_saying_what_to_do(therapist_a):
    response = signed_in(therapist_a).get("/api/v1/whoami/")

    assert response.status_code == 403
    assert response.json() == {
        "message": "Your clinic requires two-factor sign-in for all staff: turn it on at "
        "/account/two-factor/ (in your browser), then try again.",
        "errors": {},
    }


@pytest.mark.parametrize("path", ["/healthz", "/static/css/app.css", "/sw.js", SET_UP])
def test_what_is_no_staff_page_is_not_held_back(therapist_a, path):
    # Static files are WhiteNoise's, before any of this (here, with none collected, a 404);
    # the health check answers 200 or 503 as the database and broker are.
    response = signed_in(therapist_a).get(path)

    assert response.status_code in (200, 404, 503)
    assert response.status_code == 200 or path in ("/healthz", "/static/css/app.css")


def test_signing_out_still_works(therapist_a):
    client = signed_in(therapist_a)

    response = client.post("/sign-out/")

    assert response["Location"] == "/sign-in/"
    assert client.get("/patients/")["Location"].startswith("/sign-in/")


# --- With an app, the session has not given its code ------------------------------------


def test_a_session_that_gave_no_code_is_sent_to_the_code_page(therapist_a):
    paired(therapist_a)  # paired in another browser after this session signed in

    response = signed_in(therapist_a).get("/patients/")

    assert response["Location"] == f"{VERIFY}?next=%2Fpatients%2F"


def test_the_code_page_lets_a_signed_in_session_give_its_code(therapist_a):
    device = paired(therapist_a)
    client = signed_in(therapist_a)
    page = client.get(f"{VERIFY}?next=/patients/")
    assert page.status_code == 200
    assert "Your clinic requires two-factor sign-in" in page.content.decode()

    wrong = client.post(f"{VERIFY}?next=/patients/", {"token": "000000"})
    assert wrong.status_code == 400
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
    response = client.post(f"{VERIFY}?next=/patients/", {"token": code(device)})

    assert response["Location"] == "/patients/"
    assert client.get("/patients/").status_code == 200


def test_the_api_answers_a_session_that_gave_no_code_403(therapist_a):
    paired(therapist_a)

    response = signed_in(therapist_a).get("/api/v1/whoami/")

    assert response.status_code == 403
    assert (
        "enter the code from your authenticator app at /sign-in/verify/"
        in (response.json()["message"])
    )


def test_signing_in_with_the_code_opens_every_page(therapist_a):
    device = paired(therapist_a)
    client = Client()
    client.post("/sign-in/", {"username": therapist_a.email, "password": STAFF_PASSWORD})

    client.post(VERIFY, {"token": code(device)})

    assert client.get("/patients/").status_code == 200
    assert client.get("/api/v1/whoami/").status_code == 200


# --- Passed, or not concerned --------------------------------------------------------------


def test_a_verified_therapist_and_admin_open_their_pages_and_the_api(therapist_a, admin_a):
    assert verified(therapist_a).get("/patients/").status_code == 200
    assert verified(admin_a).get("/clinic/settings/").status_code == 200
    assert verified(admin_a).get("/api/v1/whoami/").status_code == 200


def test_patients_are_never_asked(patient_a):
    client = signed_in(patient_a.user)

    assert client.get("/today/").status_code == 200
    assert client.get("/api/v1/me/today/").status_code == 200


def test_another_clinics_staff_are_not_affected(therapist_b, admin_b):
    assert signed_in(therapist_b).get("/patients/").status_code == 200
    assert signed_in(admin_b).get("/clinic/settings/").status_code == 200
    assert signed_in(therapist_b).get("/api/v1/whoami/").status_code == 200


def test_turning_it_off_lets_staff_without_an_app_in_again(therapist_a, clinic_a):
    client = signed_in(therapist_a)
    assert client.get("/patients/").status_code == 302

    Clinic.objects.filter(pk=clinic_a.pk).update(require_two_factor=False)

    assert client.get("/patients/").status_code == 200


# --- API tokens ------------------------------------------------------------------------------


def test_an_api_token_keeps_working_for_staff_without_an_app(admin_a, therapist_a):
    _, secret = api_token_create(admin=admin_a, user=therapist_a, name="EHR")

    response = Client().get("/api/v1/whoami/", HTTP_AUTHORIZATION=f"Bearer {secret}")

    assert response.status_code == 200
    assert response.json()["auth"] == "token"


def test_a_token_sent_with_a_session_is_judged_as_the_token(admin_a, therapist_a):
    _, secret = api_token_create(admin=admin_a, user=admin_a, name="EHR")
    client = signed_in(therapist_a)

    good = client.get("/api/v1/whoami/", HTTP_AUTHORIZATION=f"Bearer {secret}")
    bad = client.get("/api/v1/whoami/", HTTP_AUTHORIZATION="Bearer cls_not-a-token")

    assert (good.status_code, good.json()["auth"]) == (200, "token")
    assert bad.status_code == 401  # never the session behind a made-up token


@pytest.mark.parametrize("header", ["Bearer cls_made-up", "Token anything"])
def test_an_authorization_header_opens_no_page_of_a_session_without_a_code(therapist_a, header):
    """Pages are judged by the session whatever else is sent: only the API reads a token."""
    client = signed_in(therapist_a)

    page = client.get("/patients/", HTTP_AUTHORIZATION=header)
    form = client.post("/patients/new/", {"full_name": "X"}, HTTP_AUTHORIZATION=header)

    assert page.status_code == 302
    assert page["Location"].startswith(SET_UP)
    assert form.status_code == 302
    assert form["Location"] == SET_UP


# --- Operators -------------------------------------------------------------------------------


def test_an_operator_without_an_app_still_reaches_django_admin(clinic_a):
    operator = User.objects.create_superuser("ops@example.org", "a long operator password")
    client = Client()
    client.post(
        "/sign-in/",
        {"username": "ops@example.org", "password": "a long operator password"},
    )

    assert client.get("/ops/admin/").status_code == 200
    assert operator.clinic is None


def test_an_operator_who_is_also_the_clinics_staff_is_its_staff(clinic_a):
    both = AdminFactory(clinic=clinic_a, is_staff=True, is_superuser=True)

    response = signed_in(both).get("/ops/admin/")

    assert response["Location"] == f"{SET_UP}?next=%2Fops%2Fadmin%2F"


def test_the_api_docs_page_sends_a_session_owing_its_code_to_pair_an_app(therapist_a):
    """/api/docs/ is a page: a session that owes two-factor is sent on, as for any page,
    not answered the API's JSON 403 (which the API itself still gives)."""
    client = signed_in(therapist_a)

    docs = client.get("/api/docs/")
    api = client.get("/api/v1/patients/")

    assert docs.status_code == 302
    assert docs["Location"] == f"{SET_UP}?next=%2Fapi%2Fdocs%2F"
    assert api.status_code == 403
