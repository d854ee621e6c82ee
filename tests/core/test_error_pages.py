"""A page someone may not open, or that does not exist, says so in words inside the app's own
layout (with its menu), instead of Django's bare "403 Forbidden" / "Not Found"."""

import json

import pytest
from django.test import Client, RequestFactory

from apps.core.error_pages import csrf_failure
from apps.patients.models import Patient
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db


def test_a_therapist_on_an_admin_page_is_told_whose_page_it_is(therapist_a):
    response = signed_in(therapist_a).get("/reports/adherence/")
    html = response.content.decode()

    assert response.status_code == 403
    assert "<title>Not allowed · Clamshell</title>" in html
    assert "This page is for clinic admins." in html
    assert 'href="/dashboard/"' in html  # the menu, to go on from here


def test_a_patient_on_a_staff_page_is_pointed_to_their_today(patient_a, client):
    client.force_login(patient_a.user)

    html = client.get("/patients/").content.decode()

    assert "This page is for clinic staff." in html
    assert 'href="/today/"' in html


def test_an_unknown_page_says_it_does_not_exist_with_the_way_on(admin_a):
    response = signed_in(admin_a).get("/reports/nowhere/")
    html = response.content.decode()

    assert response.status_code == 404
    assert "<title>Page not found · Clamshell</title>" in html
    assert "No page here" in html
    assert 'href="/dashboard/"' in html


def test_another_clinics_patient_is_a_plain_not_found(admin_a, patient_b):
    response = signed_in(admin_a).get(f"/patients/{patient_b.public_id}/")
    html = response.content.decode()

    assert response.status_code == 404
    assert "No page here" in html
    assert "Patient" not in html.split("<main", 1)[1]  # nothing about what was looked up


def test_the_api_keeps_its_json_answers(therapist_a):
    client = signed_in(therapist_a)

    assert client.get("/api/v1/nowhere/").json()["message"]
    assert client.get("/api/v1/reports/jobs/").status_code == 403
    assert client.get("/api/v1/reports/jobs/").json()["message"]


def test_without_collected_static_files_the_plain_page_is_sent_not_a_500(admin_a, settings):
    # Production settings before collectstatic: the layout cannot name its stylesheet.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    settings.STATIC_ROOT = "/nonexistent-static-root"
    client = signed_in(admin_a)
    client.raise_request_exception = False

    assert client.get("/reports/nowhere/").status_code == 404
    assert client.get(f"/patients/{admin_a.public_id}/").status_code == 404


def _csrf_client(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def test_a_form_sent_after_its_session_ended_says_so_in_the_layout_and_saves_nothing(
    therapist_a,
):
    """The page was drawn in one session (its token), the form sent in another: Django's bare
    "CSRF verification failed" page became the app's 403 page in plain words."""
    client = _csrf_client(therapist_a)
    client.get("/patients/new/")
    token = client.cookies["csrftoken"].value
    client.logout()
    client.force_login(therapist_a)  # signed in again: a new token, the page kept the old one
    form = {
        "csrfmiddlewaretoken": token, "full_name": "Ann Page", "email": "ann@mail.example",
        "year_of_birth": 1970, "time_zone": "Europe/Madrid", "reminder_channel": "email",
    }  # fmt: skip

    response = client.post("/patients/new/", form, HTTP_REFERER="http://testserver/patients/new/")
    html = response.content.decode()

    assert response.status_code == 403
    assert "<title>Form not sent · Clamshell</title>" in html
    assert "open too long" in html
    assert "reload the page and send the form again" in html
    assert "nothing was saved" in html.lower()
    assert "CSRF verification failed" not in html
    assert 'href="/dashboard/"' in html  # the menu, to go on from here
    assert not Patient.objects.filter(full_name="Ann Page").exists()


def test_a_form_sent_once_signed_out_points_to_signing_in(therapist_a):
    client = Client(enforce_csrf_checks=True)

    response = client.post("/patients/new/", {"full_name": "Ann Page"})

    assert response.status_code == 403
    assert "reload the page" in response.content.decode()
    assert 'href="/sign-in/"' in response.content.decode()


def test_an_api_write_without_the_token_is_a_json_403_in_words(therapist_a):
    client = _csrf_client(therapist_a)

    response = client.post("/api/v1/tokens/", {"name": "x"}, content_type="application/json")

    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert response.json()["errors"] == {}
    message = response.json()["message"]
    assert "X-CSRFToken" in message
    assert "nothing was saved" in message.lower()


def test_the_csrf_refusal_of_any_other_api_address_is_json_too(therapist_a):
    """Every view under /api/ is DRF's today (which checks the token itself); one that is
    not still answers as the API does, not with a page."""
    request = RequestFactory().post("/api/v1/anything/")
    request.user = therapist_a

    response = csrf_failure(request, reason="CSRF token missing.")

    assert response.status_code == 403
    assert json.loads(response.content)["message"].startswith("Not sent: the CSRF check failed")
