"""Every page and every API operation, for every role, against both clinics' objects.

The inventory comes from the URL resolvers and the OpenAPI schema, so a new endpoint cannot
be missed: without an entry in ``tests/security/expectations.py`` the matrix fails and says
what to add. Expected statuses are derived from each entry's rule; on top of the status,
no response may contain anything of the other clinic (its patient's name or any public id
of its objects).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from tests.security.expectations import OPERATIONS, PAGES, PUBLIC, REDIRECT, STAFF, Rule
from tests.security.matrix import (
    API_ROLES,
    PAGE_ROLES,
    Role,
    api_operations,
    api_routes,
    api_schema,
    body_of,
    call,
    client_for,
    expected,
    openapi_path,
    operation_url,
    page_routes,
    page_url,
    side_of,
)
from tests.security.world import World

pytestmark = pytest.mark.django_db

HOW_TO_ADD = (
    "Add an entry to tests/security/expectations.py saying who may use it (audience) and "
    "which object its URL names (obj); the isolation matrix derives the rest."
)


@pytest.fixture(autouse=True)
def _no_throttling(monkeypatch):
    # Hundreds of requests from the same few users: rate limits are tested elsewhere.
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "100000/min"})
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "100000/min"})


def test_every_page_has_an_expectation():
    unnamed = [r.route for r in page_routes() if not r.name]
    missing = sorted({f"{r.name} (/{r.route})" for r in page_routes() if r.name not in PAGES})

    assert not unnamed, f"Give these URL patterns a name: {unnamed}"
    assert not missing, f"No isolation expectation for these pages: {missing}. {HOW_TO_ADD}"


def test_every_api_route_is_in_the_schema_and_has_an_expectation():
    schema = api_schema()
    undocumented = [
        f"/{r.route}" for r in api_routes() if openapi_path(r.route) not in schema["paths"]
    ]
    missing = sorted(
        f"{op.operation_id} ({op.method} {op.path})"
        for op in api_operations(schema)
        if op.operation_id not in OPERATIONS
    )

    assert not undocumented, f"API routes missing from the OpenAPI schema: {undocumented}"
    assert not missing, (
        f"No isolation expectation for these API operations: {missing}. {HOW_TO_ADD}"
    )


def test_every_route_that_names_an_object_is_checked_against_both_clinics():
    """A URL with an id in it must say which object it names (``obj``) or how to build its
    arguments (``kwargs``), so the matrix asks for clinic B's object as clinic A's users."""
    page_gaps = [
        f"{r.name} (/{r.route})"
        for r in page_routes()
        if r.params and r.name in PAGES and PAGES[r.name].obj is None
        and PAGES[r.name].kwargs is None
    ]  # fmt: skip
    api_gaps = [
        f"{op.operation_id} ({op.method} {op.path})"
        for op in api_operations(api_schema())
        if "{" in op.path and op.operation_id in OPERATIONS
        and OPERATIONS[op.operation_id].obj is None and OPERATIONS[op.operation_id].kwargs is None
    ]  # fmt: skip

    assert not page_gaps, f"Pages whose URL names an object but whose rule has no obj: {page_gaps}"
    assert not api_gaps, f"API operations naming an object without an obj rule: {api_gaps}"


def test_a_route_with_an_object_id_but_no_object_in_its_rule_is_reported(monkeypatch):
    monkeypatch.setitem(PAGES, "patients:detail", Rule(STAFF))

    with pytest.raises(AssertionError, match="patients:detail"):
        test_every_route_that_names_an_object_is_checked_against_both_clinics()


class Report:
    def __init__(self, world: World) -> None:
        self.world = world
        self.problems: list[str] = []
        self.checked = 0

    def forbidden_strings(self, role: Role, rule: Rule) -> list[str]:
        if not rule.leak_check:
            return []
        if role.side is None:
            return [*self.world.a.strings(), *self.world.b.strings()]
        return side_of(self.world, "b" if role.side == "a" else "a").strings()

    def check(self, what: str, role: Role, rule: Rule, allowed: frozenset[int], response: Any):
        self.checked += 1
        body = body_of(response)
        if response.status_code not in allowed:
            self.problems.append(
                f"{what} as {role.name}: got {response.status_code}, expected {sorted(allowed)}"
            )
        to_sign_in = response.get("Location", "").startswith("/sign-in/")
        if allowed == frozenset({302}) and role.side is None and not to_sign_in:
            self.problems.append(f"{what} as anonymous: redirects to {response.get('Location')}")
        leaked = [s for s in self.forbidden_strings(role, rule) if s in body]
        if leaked:
            self.problems.append(f"{what} as {role.name}: LEAKS {leaked}")

    def missing_object(self, rule: Rule) -> str | None:
        for side in (self.world.a, self.world.b):
            if rule.obj is not None and rule.obj not in side.objects:
                reason = side.unbuilt.get(rule.obj, "no builder in tests/security/world.py")
                return f"cannot build a {rule.obj!r} for the matrix: {reason}"
        return None

    def assert_clean(self) -> None:
        assert self.checked > 0
        assert not self.problems, "\n".join(
            [f"{len(self.problems)} isolation problems:", *self.problems]
        )


def _targets(rule: Rule) -> list[str]:
    return ["a", "b"] if rule.obj is not None or rule.kwargs is not None else ["a"]


def _runs(rule: Rule, roles: list[Role], api: bool):
    """(role, target side, allowed statuses), leaving out writes that would succeed."""
    for role in roles:
        for target in _targets(rule):
            allowed = expected(rule, role, target, api=api)
            if rule.writes and allowed == rule.ok and rule.audience != PUBLIC:
                continue
            yield role, target, allowed


def _page_runs(rule: Rule):
    """(role, target side, allowed statuses, method): a page's GET or a write's POST (where it
    must be refused), and the GET of a write's address that answers one (``rule.get``)."""
    for role, target, allowed in _runs(rule, PAGE_ROLES, api=False):
        yield role, target, allowed, "POST" if rule.writes else "GET"
    if rule.writes and rule.get is not None:
        as_page = replace(rule, writes=False, ok=rule.get)
        for role, target, allowed in _runs(as_page, PAGE_ROLES, api=False):
            yield role, target, allowed, "GET"


def test_pages_answer_each_role_as_expected_and_leak_nothing(world):
    report = Report(world)
    clients = {role.name: client_for(role, world) for role in PAGE_ROLES}
    for route in page_routes():
        rule = PAGES.get(route.name)
        if rule is None:
            continue  # reported by test_every_page_has_an_expectation
        if problem := report.missing_object(rule):
            report.problems.append(f"{route.name}: {problem}")
            continue
        for role, target, allowed, method in _page_runs(rule):
            url = page_url(rule, route, side_of(world, target))
            client = clients[role.name]
            response = client.post(url) if method == "POST" else client.get(url)
            what = f"{method} {url} ({route.name}, clinic {target.upper()})"
            report.check(what, role, rule, allowed, response)
    report.assert_clean()


def test_a_write_whose_address_answers_a_get_is_asked_with_one_by_every_role():
    rule = PAGES["notifications:approve"]
    runs = list(_page_runs(rule))

    gets = [
        (role.name, target, allowed) for role, target, allowed, method in runs if method == "GET"
    ]
    assert len(gets) == len(PAGE_ROLES) * 2
    assert ("therapist A", "a", REDIRECT) in gets
    assert ("therapist A", "b", frozenset({404})) in gets
    assert ("patient A", "a", frozenset({403})) in gets


def test_api_operations_answer_each_role_as_expected_and_leak_nothing(world):
    report = Report(world)
    clients = {role.name: client_for(role, world) for role in API_ROLES}
    for operation in api_operations(api_schema()):
        rule = OPERATIONS.get(operation.operation_id)
        if rule is None:
            continue  # reported by test_every_api_route_is_in_the_schema_and_has_an_expectation
        if problem := report.missing_object(rule):
            report.problems.append(f"{operation.operation_id}: {problem}")
            continue
        writes = operation.method not in {"GET", "HEAD", "OPTIONS"}
        rule_for_run = (
            rule if rule.writes == writes else Rule(**{**rule.__dict__, "writes": writes})
        )
        for role, target, allowed in _runs(rule_for_run, API_ROLES, api=True):
            url = operation_url(rule, operation, side_of(world, target))
            response = call(clients[role.name], operation.method, url)
            what = f"{operation.method} {url} ({operation.operation_id}, clinic {target.upper()})"
            report.check(what, role, rule, allowed, response)
    report.assert_clean()


def test_the_operators_admin_site_is_closed_to_clinic_users(world):
    for role in PAGE_ROLES:
        response = client_for(role, world).get("/ops/admin/")
        assert response.status_code == 302, role.name
        assert response["Location"].startswith("/ops/admin/login/"), role.name
