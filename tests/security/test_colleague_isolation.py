"""Inside one clinic: a colleague's patient and another patient of the same clinic.

The matrix (``test_isolation_matrix.py``) asks for the other clinic's objects; here the same
pages and operations are asked for what belongs to a colleague's patient in the clinic. The
clinic's staff may read them, but only the patient's own therapist or a clinic admin may
change them (or open the pages that change them: ``EDITORS_ONLY_READS``): a therapist, or
their API token, gets 404 there. A patient gets 404 for another patient's objects.
"""

from __future__ import annotations

import pytest
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from tests.security.expectations import (
    EDITORS_ONLY_READS,
    OPERATIONS,
    PAGES,
    PATIENT,
    STAFF,
    Rule,
)
from tests.security.matrix import (
    API_ROLES,
    Role,
    api_operations,
    api_schema,
    body_of,
    client_for,
    operation_url,
    page_routes,
    page_url,
)
from tests.security.world import PERSONAL_KINDS, build_colleague

pytestmark = pytest.mark.django_db

ROLES = {role.name: role for role in API_ROLES}
ASKING = [ROLES["patient A"], ROLES["therapist A"], ROLES["token A"]]


@pytest.fixture(autouse=True)
def _no_throttling(monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "100000/min"})
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "100000/min"})


def _allowed(name: str, rule: Rule, role: Role, writes: bool) -> frozenset[int] | None:
    """What ``role`` may get for the colleague's object; None when the check does not apply
    (a role outside the audience: the matrix covers it)."""
    if rule.obj not in PERSONAL_KINDS:
        return None
    if role.kind == "patient":
        return frozenset({404}) if rule.audience == PATIENT else None
    if rule.audience != STAFF:
        return None
    if writes or name in EDITORS_ONLY_READS:
        return frozenset({404})
    return rule.ok


def _leaks(role: Role, body: str, colleague) -> list[str]:
    # Staff may see the clinic's patients; a patient nothing of another's.
    return [s for s in colleague.strings() if s in body] if role.kind == "patient" else []


def test_a_colleagues_patient_is_read_only_and_another_patient_not_found(world):
    colleague = build_colleague(world.a)
    problems: list[str] = []
    checked = 0
    for role in ASKING:
        client = client_for(role, world)
        calls = []
        if role.kind != "token":
            for route in page_routes():
                rule = PAGES.get(route.name)
                if rule is not None and (allowed := _allowed(route.name, rule, role, rule.writes)):
                    url = page_url(rule, route, colleague)
                    calls.append((route.name, "FORM" if rule.writes else "GET", url, allowed))
        for op in api_operations(api_schema()):
            rule = OPERATIONS.get(op.operation_id)
            writes = op.method not in {"GET", "HEAD", "OPTIONS"}
            if rule is not None and (allowed := _allowed(op.operation_id, rule, role, writes)):
                calls.append(
                    (op.operation_id, op.method, operation_url(rule, op, colleague), allowed)
                )
        for name, method, url, allowed in calls:
            checked += 1
            if method == "FORM":  # a page's form, sent empty as the matrix sends it
                response = client.post(url)
            elif method in {"POST", "PUT", "PATCH"}:
                response = getattr(client, method.lower())(url, {}, content_type="application/json")
            else:
                response = getattr(client, method.lower())(url)
            if response.status_code not in allowed:
                problems.append(
                    f"{method} {url} ({name}) as {role.name}: got {response.status_code}, "
                    f"expected {sorted(allowed)}"
                )
            if leaked := _leaks(role, body_of(response), colleague):
                problems.append(f"{method} {url} ({name}) as {role.name}: LEAKS {leaked}")
    assert checked > 50
    assert not problems, "\n".join([f"{len(problems)} problems:", *problems])
