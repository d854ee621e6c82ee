"""The OpenAPI schema class: drf-spectacular's, plus the shared error responses on every
operation, so clients (and the schemathesis run in the test suite) can rely on them."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import append_meta, force_instance
from rest_framework import serializers

from apps.core.api_defaults import ErrorSerializer

ERROR_STATUSES = {
    "400": "The input is not valid; `errors` names each field and what is wrong.",
    "401": "No valid credentials: sign in, or send `Authorization: Bearer <token>`.",
    "403": "Signed in, but this role may not do that.",
    "404": "Not found, or not in your clinic.",
    "429": "Too many requests; wait for the number of seconds in `Retry-After`.",
}

# Every operation that takes a ``client_id`` (apps.core.once) may answer this.
CLIENT_ID_REUSED = (
    "The `client_id` was already used for a different request: `errors` names `client_id` "
    "and each field that differs from the first request, and nothing was saved."
)

# Every time of day in this API is a local wall-clock time (a reminder time, quiet hours),
# written without an offset; OpenAPI's ``format: time`` is RFC 3339's, which demands one.
LOCAL_TIME = {
    "type": "string",
    "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$",
    "example": "18:30:00",
}


class AutoSchema(SpectacularAutoSchema):
    def _map_serializer_field(
        self, field: Any, direction: Any, bypass_extensions: bool = False
    ) -> dict[str, Any]:
        if isinstance(field, serializers.TimeField):
            return append_meta(dict(LOCAL_TIME), self._get_serializer_field_meta(field, direction))
        mapped: dict[str, Any] = super()._map_serializer_field(field, direction, bypass_extensions)
        return mapped

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        for code, description in ERROR_STATUSES.items():
            if code not in responses:
                response = self._get_response_for_code(ErrorSerializer, code, direction=direction)
                response["description"] = description
                responses[code] = response
        if "409" not in responses and self._takes_client_id():
            response = self._get_response_for_code(ErrorSerializer, "409", direction=direction)
            response["description"] = CLIENT_ID_REUSED
            responses["409"] = response
        return responses

    def _takes_client_id(self) -> bool:
        if self.method not in ("POST", "PUT", "PATCH"):  # no body: nothing to guess
            return False
        fields = getattr(force_instance(self.get_request_serializer()), "fields", None)
        return fields is not None and "client_id" in fields
