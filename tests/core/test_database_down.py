"""A database that refuses connections: 503 with Retry-After, never Django's 500 page."""

from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client

from apps.core import health

pytestmark = pytest.mark.django_db

REFUSED = OperationalError("connection to server at 127.0.0.1 port 5432 failed: refused")


def database_down():
    """Every query fails as it does when PostgreSQL refuses connections."""
    return mock.patch(
        "django.db.backends.utils.CursorWrapper._execute_with_wrappers", side_effect=REFUSED
    )


@pytest.fixture
def patient_client(patient_a):
    client = Client(raise_request_exception=False)
    client.force_login(patient_a.user)
    return client


def test_the_api_answers_json_503_with_retry_after(patient_client):
    with database_down():
        response = patient_client.get("/api/v1/me/today/")

    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert "try again" in response.json()["message"]
    assert int(response["Retry-After"]) > 0


def test_a_write_to_the_api_answers_503_too(patient_client):
    with database_down():
        response = patient_client.post(
            "/api/v1/me/logs/", {"client_id": "x"}, content_type="application/json"
        )

    assert response.status_code == 503
    assert "message" in response.json()


def test_a_browser_gets_a_short_html_page(patient_client):
    with database_down():
        response = patient_client.get("/today/")

    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert b"Back in a moment" in response.content
    assert int(response["Retry-After"]) > 0


def test_other_errors_are_still_500():
    client = Client(raise_request_exception=False)
    with mock.patch("apps.core.views.health.database_ok", side_effect=ValueError("bug")):
        response = client.get("/healthz")

    assert response.status_code == 500


def test_healthz_names_the_failing_dependency(client, monkeypatch):
    monkeypatch.setattr(health, "database_ok", lambda: False)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["database"] == "down"
    assert response.json()["broker"] == "ok"
    assert response.json()["message"] == "Unavailable: database not answering."
    assert int(response["Retry-After"]) > 0


def test_healthz_sees_a_database_that_refuses_connections(client):
    with database_down():
        assert health.database_ok() is False
