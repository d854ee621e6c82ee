"""Bodies the API refuses at its edge: too large (413), too deep or arrays too long (400),
always in the API's error format and never a 500."""

import io
import json

import pytest
from django.conf import settings
from django.test import Client

from apps.clinics.models import TokenScope
from apps.clinics.tokens import api_token_create
from apps.core.api_limits import BodyTooLarge, LimitedJSONParser

pytestmark = pytest.mark.django_db

WRITE_URL = "/api/v1/patients/create/"


@pytest.fixture
def api(admin_a) -> Client:
    # Read and write: the bodies it sends are weighed by the writes they are sent to.
    _, secret = api_token_create(
        admin=admin_a, user=admin_a, name="Probe", scope=TokenScope.READ_WRITE
    )
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def post_raw(api: Client, body: str):
    return api.post(WRITE_URL, body, content_type="application/json")


def nested(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


def assert_error_format(response, status: int) -> dict:
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"message", "errors"}
    assert body["message"]
    return body


def test_a_body_nested_a_thousand_levels_is_a_400_not_a_500(api):
    response = post_raw(api, "[" * 1000 + "]" * 1000)

    body = assert_error_format(response, 400)
    assert "nested" in body["message"]


def test_a_body_nested_deeper_than_the_python_limit_is_a_400_too(api):
    assert_error_format(post_raw(api, nested(5000)), 400)


def test_nesting_just_past_the_limit_is_refused_and_at_the_limit_is_weighed(api):
    limit = settings.API_MAX_JSON_DEPTH

    refused = post_raw(api, nested(limit))
    weighed = post_raw(api, nested(limit - 1))

    assert "nested" in assert_error_format(refused, 400)["message"]
    # At the limit the body reaches the serializer, which names the missing fields.
    assert "full_name" in assert_error_format(weighed, 400)["errors"]


def test_an_array_longer_than_the_limit_is_a_400(api):
    items = list(range(settings.API_MAX_JSON_ARRAY_LENGTH + 1))

    response = post_raw(api, json.dumps({"full_name": "A", "tags": items}))

    assert "more than" in assert_error_format(response, 400)["message"]


def test_a_body_over_the_size_limit_is_a_413(api):
    padding = "x" * (settings.API_MAX_BODY_BYTES + 1)

    response = post_raw(api, json.dumps({"full_name": padding}))

    assert "larger than" in assert_error_format(response, 413)["message"]


def test_the_parser_stops_reading_past_the_limit_when_no_length_was_declared():
    # A chunked body declares no length, so the middleware cannot refuse it up front.
    stream = io.BytesIO(b'{"a": "' + b"x" * (settings.API_MAX_BODY_BYTES + 10) + b'"}')

    with pytest.raises(BodyTooLarge):
        LimitedJSONParser().parse(stream, "application/json", {})
    assert stream.tell() == settings.API_MAX_BODY_BYTES + 1


def test_nan_is_not_json(api):
    response = post_raw(api, '{"full_name": NaN}')

    assert_error_format(response, 400)
