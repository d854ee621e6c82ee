"""What every endpoint shares: one error body, session auth with CSRF, throttles, paging."""

import pytest
from django.test import Client
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from tests.conftest import signed_in

pytestmark = pytest.mark.django_db


def assert_error_body(response, status):
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"message", "errors"}
    assert body["message"]


def test_an_unknown_api_url_answers_404_in_the_error_format(admin_a):
    assert_error_body(signed_in(admin_a).get("/api/v1/no-such-thing/"), 404)


def test_an_unknown_object_answers_404_in_the_error_format(admin_a):
    response = signed_in(admin_a).delete("/api/v1/tokens/00000000-0000-0000-0000-000000000000/")

    assert_error_body(response, 404)


def test_a_method_the_endpoint_lacks_answers_405_in_the_error_format(admin_a):
    response = signed_in(admin_a).put("/api/v1/whoami/")

    assert_error_body(response, 405)
    assert "GET" in response["Allow"]


def test_anonymous_api_calls_get_401_in_the_error_format():
    response = Client().get("/api/v1/whoami/")

    assert_error_body(response, 401)


def test_session_writes_need_the_csrf_token(admin_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_a)

    refused = client.post("/api/v1/tokens/", {"name": "x"}, content_type="application/json")
    client.get("/clinic/api-tokens/")  # sets the CSRF cookie, as the browser page does
    token = client.cookies["csrftoken"].value
    accepted = client.post(
        "/api/v1/tokens/", {"name": "x"}, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )

    assert_error_body(refused, 403)
    assert "CSRF" in refused.json()["message"]
    assert accepted.status_code == 201


def test_anonymous_callers_are_throttled_in_the_error_format(monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "2/min"})
    client = Client()

    statuses = [client.get("/api/schema/").status_code for _ in range(2)]
    response = client.get("/api/schema/")

    assert statuses == [200, 200]
    assert_error_body(response, 429)
    assert int(response["Retry-After"]) > 0


def test_guessing_tokens_is_throttled_per_address(monkeypatch):
    monkeypatch.setattr("apps.clinics.tokens.FAILED_TOKENS_PER_WINDOW", 3)
    guesser = Client(HTTP_AUTHORIZATION="Bearer cls_guess")

    statuses = [guesser.get("/api/v1/whoami/").status_code for _ in range(4)]

    assert statuses == [401, 401, 401, 429]
    assert_error_body(guesser.get("/api/v1/whoami/"), 429)


def test_signed_in_users_are_throttled_per_user(monkeypatch, admin_a, therapist_a):
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "2/min"})
    admin = signed_in(admin_a)

    statuses = [admin.get("/api/v1/whoami/").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
    assert signed_in(therapist_a).get("/api/v1/whoami/").status_code == 200


def test_pages_are_bounded(rf):
    from rest_framework.exceptions import ValidationError
    from rest_framework.request import Request

    from apps.core.api_defaults import LimitOffsetPagination

    paginator = LimitOffsetPagination()

    assert paginator.get_limit(Request(rf.get("/api/v1/x/", {"limit": "200"}))) == 200
    assert paginator.get_limit(Request(rf.get("/api/v1/x/"))) == 50
    with pytest.raises(ValidationError):  # tests/api/test_pagination_params.py
        paginator.get_limit(Request(rf.get("/api/v1/x/", {"limit": "100000"})))


def test_the_schema_documents_token_auth_and_the_error_body(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    assert schema["components"]["securitySchemes"]["apiToken"]["scheme"] == "bearer"
    assert "Error" in schema["components"]["schemas"]
    whoami = schema["paths"]["/api/v1/whoami/"]["get"]
    assert set(whoami["responses"]) >= {"200", "401", "403", "404", "429"}


def test_times_of_day_are_documented_as_local_times_that_the_answers_match(client, patient_a):
    """A reminder time is a local wall-clock time: OpenAPI's ``format: time`` (RFC 3339)
    would demand an offset that the API never writes."""
    import re

    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    documented = schema["components"]["schemas"]["RemindersOut"]["properties"]["reminder_time"]
    assert "format" not in documented
    assert documented["nullable"] is True
    me = signed_in(patient_a.user)
    me.patch("/api/v1/me/reminders/", {"reminder_time": "18:05"}, content_type="application/json")

    answered = me.get("/api/v1/me/reminders/").json()["reminder_time"]

    assert answered == "18:05:00"
    assert re.fullmatch(documented["pattern"], answered)
    assert not re.fullmatch(documented["pattern"], "18:05:00+01:00")
