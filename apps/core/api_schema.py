"""The OpenAPI schema class: drf-spectacular's, plus the shared error responses on every
operation, so clients (and the schemathesis run in the test suite) can rely on them."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema

from apps.core.api_defaults import ErrorSerializer

ERROR_STATUSES = {
    "400": "The input is not valid; `errors` names each field and what is wrong.",
    "401": "No valid credentials: sign in, or send `Authorization: Bearer <token>`.",
    "403": "Signed in, but this role may not do that.",
    "404": "Not found, or not in your clinic.",
    "429": "Too many requests; wait for the number of seconds in `Retry-After`.",
}


class AutoSchema(SpectacularAutoSchema):
    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        for code, description in ERROR_STATUSES.items():
            if code not in responses:
                response = self._get_response_for_code(ErrorSerializer, code, direction=direction)
                response["description"] = description
                responses[code] = response
        return responses
