"""Security headers on pages, the API and the API docs."""

import pytest

pytestmark = pytest.mark.django_db


def test_api_answers_carry_the_security_headers(client):
    response = client.get("/api/v1/whoami/")

    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert "geolocation=()" in response["Permissions-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_api_docs_get_the_same_policy_as_every_page(client):
    docs = client.get("/api/docs/")
    page = client.get("/sign-in/")

    assert docs["Content-Security-Policy"] == page["Content-Security-Policy"]
    assert "cdn.jsdelivr.net" not in docs.content.decode()
    assert "<script>" not in docs.content.decode()


def test_the_api_docs_files_come_from_the_app(client):
    html = client.get("/api/docs/").content.decode()

    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    script = client.get("/api/docs/?script")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


def test_the_schema_is_served_without_credentials(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    assert "/api/v1/tokens/" in response.json()["paths"]


# --- What a signed-in user is shown is not kept by browser caches or proxies ------------------


@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("therapist", "/patients/{patient}/"),
        ("therapist", "/patients/"),
        ("patient", "/today/"),
        ("patient", "/history/"),
        ("patient", "/api/v1/me/today/"),
    ],
)
def test_signed_in_pages_and_api_answers_are_never_stored(who, path, therapist_a, patient_a):
    from tests.conftest import signed_in

    user = therapist_a if who == "therapist" else patient_a.user
    response = signed_in(user).get(path.format(patient=patient_a.public_id))

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_an_integrations_token_answer_is_never_stored(admin_a, therapist_a):
    from rest_framework.test import APIClient

    from apps.clinics.tokens import api_token_create

    _, secret = api_token_create(admin=admin_a, user=therapist_a, name="Integration")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    response = client.get("/api/v1/patients/")

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_a_page_for_anyone_is_left_to_its_own_caching(client):
    # The static offline page is the same for everyone; nothing personal to keep out of caches.
    response = client.get("/offline/")

    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
