"""The machinery of the isolation matrix: roles, the URL and operation inventory, requests,
and the expected answer derived from a ``Rule``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from drf_spectacular.generators import SchemaGenerator

from tests.security.expectations import ADMIN, PATIENT, PUBLIC, SIGNED_IN, STAFF, Rule
from tests.security.world import Side, World

SKIPPED_PREFIXES = ("ops/admin/",)  # the operators' Django admin: tested on its own
API_PREFIX = "api/v1/"


@dataclass(frozen=True)
class Role:
    name: str
    kind: str  # anonymous, patient, therapist, admin, token
    side: str | None

    def in_audience(self, audience: str) -> bool:
        if audience == PUBLIC:
            return True
        if self.kind == "anonymous":
            return False
        return {
            SIGNED_IN: True,
            PATIENT: self.kind == "patient",
            STAFF: self.kind in {"therapist", "admin", "token"},
            ADMIN: self.kind == "admin",
        }[audience]


PAGE_ROLES = [
    Role("anonymous", "anonymous", None),
    Role("patient A", "patient", "a"),
    Role("patient B", "patient", "b"),
    Role("therapist A", "therapist", "a"),
    Role("admin A", "admin", "a"),
    Role("therapist B", "therapist", "b"),
    Role("admin B", "admin", "b"),
]
# Therapist A's API token, acting as therapist A.
API_ROLES = [*PAGE_ROLES, Role("token A", "token", "a")]


def client_for(role: Role, world: World) -> Client:
    if role.kind == "anonymous":
        return Client()
    side = world.a if role.side == "a" else world.b
    if role.kind == "token":
        return Client(HTTP_AUTHORIZATION=f"Bearer {side.secrets['therapist_token']}")
    user = {"patient": side.patient.user, "therapist": side.therapist, "admin": side.admin}
    client = Client()
    client.force_login(user[role.kind])
    return client


def expected(rule: Rule, role: Role, target: str, *, api: bool) -> frozenset[int]:
    """The statuses a role may get for a URL naming ``target`` side's object."""
    if role.kind == "anonymous" and rule.audience != PUBLIC:
        return frozenset({401}) if api else frozenset({302})
    if not role.in_audience(rule.audience):
        return frozenset({403})  # the role may not use it, whoever's the object
    if role.kind == "token" and not rule.token_allowed:
        return frozenset({403})
    if rule.obj is not None and target != role.side:
        return frozenset({404})
    return rule.ok


# --- Inventory -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Route:
    name: str
    route: str
    params: tuple[str, ...]


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> list[Route]:
    routes: list[Route] = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            routes += _walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            params = tuple(pattern.pattern.converters)
            routes.append(Route(name or "", prefix + str(pattern.pattern), params))
    return routes


def all_routes() -> list[Route]:
    routes = _walk(get_resolver().url_patterns)
    return [r for r in routes if not r.route.startswith(SKIPPED_PREFIXES)]


def page_routes() -> list[Route]:
    return [r for r in all_routes() if not r.route.startswith(API_PREFIX)]


def api_routes() -> list[Route]:
    return [r for r in all_routes() if r.route.startswith(API_PREFIX)]


def openapi_path(route: str) -> str:
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    path: str


def api_schema() -> dict[str, Any]:
    return SchemaGenerator().get_schema(request=None, public=True)


def api_operations(schema: dict[str, Any]) -> list[Operation]:
    return [
        Operation(op["operationId"], method.upper(), path)
        for path, methods in schema["paths"].items()
        for method, op in methods.items()
    ]


# --- Requests ------------------------------------------------------------------------------
def side_of(world: World, name: str) -> Side:
    return world.a if name == "a" else world.b


def url_kwargs(rule: Rule, route: Route, side: Side) -> dict[str, Any]:
    if rule.kwargs is not None:
        return rule.kwargs(side)
    if rule.obj is None:
        return {}
    obj = side.objects[rule.obj]
    return {param: getattr(obj, param) for param in route.params}


def page_url(rule: Rule, route: Route, side: Side) -> str:
    return reverse(route.name, kwargs=url_kwargs(rule, route, side))


def operation_url(rule: Rule, operation: Operation, side: Side) -> str:
    if rule.kwargs is not None:
        values = rule.kwargs(side)
    elif rule.obj is not None:
        obj = side.objects[rule.obj]
        values = {name: getattr(obj, name) for name in re.findall(r"\{(\w+)\}", operation.path)}
    else:
        return operation.path
    return re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), operation.path)


def call(client: Client, method: str, url: str) -> Any:
    """``method`` on ``url`` with an empty JSON body where the method takes one."""
    if method in {"POST", "PUT", "PATCH"}:
        return getattr(client, method.lower())(url, {}, content_type="application/json")
    return getattr(client, method.lower())(url)


def body_of(response: Any) -> str:
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    return content.decode(errors="replace")
