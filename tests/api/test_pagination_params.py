"""``?limit=&offset=`` on every paginated endpoint: a value outside its range is a 400 naming
the parameter and the range (DRF ignored it and answered the default page).

The endpoints come from the OpenAPI schema (every GET that documents ``limit``), each called
as a role its rule in ``tests/security/expectations.py`` lets in, on clinic A's objects."""

from __future__ import annotations

import pytest
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.throttling import UserRateThrottle

from apps.core.api_defaults import LimitOffsetPagination
from tests.security.expectations import ADMIN, OPERATIONS, PATIENT
from tests.security.matrix import Role, api_schema, client_for, operation_url
from tests.security.world import build_world

pytestmark = pytest.mark.django_db

BAD = [
    ("limit", "-5", "limit must be a whole number from 1 to 200."),
    ("limit", "0", "limit must be a whole number from 1 to 200."),
    ("limit", "ten", "limit must be a whole number from 1 to 200."),
    ("limit", "201", "limit must be a whole number from 1 to 200."),
    ("limit", "2.5", "limit must be a whole number from 1 to 200."),
    ("offset", "-1", "offset must be a whole number from 0 to 1000000000."),
    ("offset", "x", "offset must be a whole number from 0 to 1000000000."),
    ("offset", "1" + "0" * 30, "offset must be a whole number from 0 to 1000000000."),
]


def paginated_operations() -> list[tuple[str, str]]:
    """(operation id, path) of every GET that takes ``limit``."""
    return [
        (op["operationId"], path)
        for path, methods in api_schema()["paths"].items()
        for method, op in methods.items()
        if method == "get" and any(p["name"] == "limit" for p in op.get("parameters", []))
    ]


def role_for(audience: str) -> Role:
    kind = {PATIENT: "patient", ADMIN: "admin"}.get(audience, "therapist")
    return Role(kind, kind, "a")


@pytest.mark.parametrize(("name", "value", "message"), BAD)
def test_a_bad_limit_or_offset_is_a_400_naming_it(rf, name, value, message):
    paginator = LimitOffsetPagination()
    request = Request(rf.get("/api/v1/x/", {name: value}))

    with pytest.raises(ValidationError) as excinfo:
        paginator.paginate_queryset([1, 2, 3], request)

    assert excinfo.value.detail == {name: [message]}


def test_good_and_blank_values_page_as_asked(rf):
    paginator = LimitOffsetPagination()

    def page(**params):
        return paginator.paginate_queryset(list(range(300)), Request(rf.get("/x/", params)))

    assert page(limit="2", offset="5") == [5, 6]
    assert len(page()) == 50
    assert len(page(limit="", offset="")) == 50
    assert len(page(limit="200")) == 200
    assert page(offset="1000000000") == []


def test_every_paginated_endpoint_answers_a_bad_limit_or_offset_with_a_400(monkeypatch):
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "100000/min"})
    world = build_world()
    operations = paginated_operations()
    assert len(operations) >= 10, operations  # the schema still documents the paging

    wrong = []
    for operation_id, path in operations:
        rule = OPERATIONS[operation_id]
        client = client_for(role_for(rule.audience), world)
        url = operation_url(rule, _Op(path), world.a)
        if client.get(url, {"limit": "1", "offset": "0"}).status_code != 200:
            wrong.append(f"{operation_id}: a good page is not a 200")
        for name, value, message in BAD:
            response = client.get(url, {name: value})
            body = response.json()
            if response.status_code != 400 or body.get("errors", {}).get(name) != [message]:
                wrong.append(f"{operation_id} {name}={value[:12]}: {response.status_code} {body}")

    assert not wrong, "\n".join(wrong)


class _Op:
    """What ``operation_url`` reads of an operation."""

    def __init__(self, path: str) -> None:
        self.path = path
