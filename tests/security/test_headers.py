"""Security headers on pages, the API and the API docs."""

import pytest

pytestmark = pytest.mark.django_db


def test_api_answers_carry_the_security_headers(client):
    response = client.get("/api/v1/whoami/")

    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert "geolocation=()" in response["Permissions-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_api_docs_get_a_policy_limited_to_swagger_ui(client):
    csp = client.get("/api/docs/")["Content-Security-Policy"]

    assert "https://cdn.jsdelivr.net" in csp
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp


def test_the_schema_is_served_without_credentials(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    assert "/api/v1/tokens/" in response.json()["paths"]
