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
