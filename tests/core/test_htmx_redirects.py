"""An htmx request that must go to another page (the two-factor set-up, the code page, the
sign-in page after the session ended or for someone signed out) is answered with
``HX-Redirect``, so the browser loads that page instead of htmx swapping it into a fragment;
``next`` names the page the person was on, not the fragment. A normal request keeps its 302."""

from __future__ import annotations

import time
import uuid
from urllib.parse import quote

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.clinics.middleware import LAST_SEEN_AT
from apps.clinics.models import Clinic
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db

# The library's search box asks for its results with htmx from the library page.
RESULTS = "/library/?q=clam"
PAGE = "http://testserver/library/?q=cl"
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": PAGE}


def _requires_two_factor(clinic: Clinic) -> None:
    Clinic.objects.filter(pk=clinic.pk).update(require_two_factor=True)


def _hx_redirect(response) -> str:
    assert response.status_code == 200
    assert "Location" not in response
    return str(response["HX-Redirect"])


def test_staff_owing_a_second_factor_are_sent_to_set_it_up_with_hx_redirect(therapist_a, clinic_a):
    _requires_two_factor(clinic_a)
    client = signed_in(therapist_a)

    answer = client.get(RESULTS, **HTMX)
    normal = client.get(RESULTS)

    assert _hx_redirect(answer) == f"/account/two-factor/?next={quote('/library/?q=cl', safe='')}"
    assert (normal.status_code, normal["Location"]) == (
        302,
        f"/account/two-factor/?next={quote(RESULTS, safe='')}",
    )


def test_staff_with_an_app_but_no_code_yet_are_sent_to_the_code_page(therapist_a, clinic_a):
    _requires_two_factor(clinic_a)
    TOTPDevice.objects.create(user=therapist_a, name="phone", confirmed=True)

    answer = signed_in(therapist_a).get(RESULTS, **HTMX)

    assert _hx_redirect(answer).startswith("/sign-in/verify/?next=")


def test_an_htmx_form_sent_while_a_second_factor_is_owed_goes_to_the_set_up(therapist_a, clinic_a):
    _requires_two_factor(clinic_a)

    answer = signed_in(therapist_a).post(f"/inbox/prompts/{uuid.uuid4()}/approve/", **HTMX)

    assert _hx_redirect(answer) == "/account/two-factor/"  # no "next" for a form sent


def test_an_ended_staff_session_sends_htmx_to_sign_in_with_the_message(therapist_a):
    client = signed_in(therapist_a)
    session = client.session
    session[LAST_SEEN_AT] = session["staff_signed_in_at"] = int(time.time()) - 3 * 3600
    session.save()

    answer = client.get(RESULTS, **HTMX)

    assert _hx_redirect(answer) == "/sign-in/"
    page = client.get("/sign-in/").content.decode()
    assert "For your patients&#x27; privacy you were signed out." in page


def test_someone_signed_out_is_sent_to_sign_in_and_back_to_the_page():
    answer = Client().get(RESULTS, **HTMX)
    normal = Client().get(RESULTS)

    assert _hx_redirect(answer) == f"/sign-in/?next={quote('/library/?q=cl', safe='')}"
    assert (normal.status_code, normal["Location"]) == (
        302,
        f"/sign-in/?next={quote(RESULTS, safe='/')}",  # Django's own encoding
    )


def test_a_page_of_another_site_is_never_the_next_page():
    answer = Client().get(
        RESULTS, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="https://evil.example/"
    )

    assert _hx_redirect(answer) == "/sign-in/"


def test_a_signed_out_patient_is_sent_to_ask_for_a_link():
    answer = Client().get("/today/", HTTP_HX_REQUEST="true")

    assert _hx_redirect(answer).startswith("/sign-in/link/")
