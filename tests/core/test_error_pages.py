"""A page someone may not open, or that does not exist, says so in words inside the app's own
layout (with its menu), instead of Django's bare "403 Forbidden" / "Not Found"."""

import pytest

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
