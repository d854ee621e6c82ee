"""A read-only API token, across every API operation of the schema (the isolation matrix's
inventory, so a new endpoint is covered the day it is added): every write is a 403 saying the
token is read-only, on its own clinic's objects and on the other's, and changes nothing;
every read answers it as it answers a token that may also write."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from apps.audit.models import AuditEntry
from apps.clinics.tokens import READ_ONLY
from tests.security.expectations import OPERATIONS
from tests.security.matrix import (
    Role,
    api_operations,
    api_schema,
    call,
    expected,
    operation_url,
    side_of,
)
from tests.security.world import World

pytestmark = pytest.mark.django_db

READS = frozenset({"GET", "HEAD", "OPTIONS"})
# Acts as therapist A like the matrix's token, and is expected to read what it reads.
TOKEN_A = Role("token A", "token", "a")


@pytest.fixture(autouse=True)
def _no_throttling(monkeypatch):
    # A hundred requests from one token: rate limits are tested elsewhere.
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "100000/min"})
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "100000/min"})


def _read_only(world: World) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {world.a.secrets['read_only_token']}")


def _message(response) -> str | None:
    if not response.get("Content-Type", "").startswith("application/json"):
        return None  # an empty 204, a file: not a refusal
    return response.json().get("message")


def _targets(operation_id: str) -> list[str]:
    rule = OPERATIONS[operation_id]
    return ["a", "b"] if rule.obj is not None or rule.kwargs is not None else ["a"]


def _operations(*, writes: bool):
    """(operation, its rule, target side) for each operation with an expectation (one without
    is reported by the isolation matrix)."""
    for operation in api_operations(api_schema()):
        if (operation.method not in READS) != writes or operation.operation_id not in OPERATIONS:
            continue
        for target in _targets(operation.operation_id):
            yield operation, OPERATIONS[operation.operation_id], target


def test_a_read_only_token_is_refused_every_write_operation(world):
    client = _read_only(world)
    entries = AuditEntry.objects.count()
    problems, checked = [], 0
    for operation, rule, target in _operations(writes=True):
        url = operation_url(rule, operation, side_of(world, target))
        response = call(client, operation.method, url)
        checked += 1
        got = (response.status_code, _message(response))
        if got != (403, READ_ONLY):
            problems.append(f"{operation.method} {url} ({operation.operation_id}): got {got}")

    assert checked > 40  # every write of the API, for both clinics' objects where named
    assert not problems, "\n".join([f"{len(problems)} writes not refused:", *problems])
    assert AuditEntry.objects.count() == entries


def test_a_read_only_token_reads_what_a_token_that_writes_reads(world):
    client = _read_only(world)
    problems, checked = [], 0
    for operation, rule, target in _operations(writes=False):
        url = operation_url(rule, operation, side_of(world, target))
        allowed = expected(rule, TOKEN_A, target, api=True)
        response = call(client, operation.method, url)
        checked += 1
        if response.status_code not in allowed:
            problems.append(
                f"{operation.method} {url} ({operation.operation_id}): got "
                f"{response.status_code}, expected {sorted(allowed)}"
            )

    assert checked > 40
    assert not problems, "\n".join([f"{len(problems)} reads answered otherwise:", *problems])
