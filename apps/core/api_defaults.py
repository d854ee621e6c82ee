"""Defaults every REST endpoint gets from ``REST_FRAMEWORK``: bounded pagination and the
shared error body (documented on every operation by ``apps.core.api_schema``)."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions, pagination, serializers


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    """``?limit=&offset=``; 50 by default, never more than 200 per page.

    DRF ignores a bad ``limit`` or ``offset`` (``-5``, ``ten``, ``100000``) and answers the
    default page, so a client that asked for something else believed it got it. Here a value
    outside its range is a 400 naming the parameter and the range; a blank one is the default.
    """

    default_limit = 50
    max_limit = 200
    # Far past any list here, and inside PostgreSQL's OFFSET (a bigint): no 500 for 10**30.
    max_offset = 1_000_000_000
    limit_query_description = "Results a page: 1 to 200 (50 by default)."
    offset_query_description = "Results to skip: 0 to 1000000000 (0 by default)."

    def get_limit(self, request: Any) -> int:
        return self._bounded(request, self.limit_query_param, 1, self.max_limit, self.default_limit)

    def get_offset(self, request: Any) -> int:
        return self._bounded(request, self.offset_query_param, 0, self.max_offset, 0)

    @staticmethod
    def _bounded(request: Any, name: str, low: int, high: int, default: int) -> int:
        raw = request.query_params.get(name, "").strip()
        if not raw:
            return default
        # Digits only: int() would also take "+5", "1_000" and other scripts' digits.
        value = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= len(str(high)) else -1
        if not low <= value <= high:
            message = f"{name} must be a whole number from {low} to {high}."
            raise exceptions.ValidationError({name: [message]})
        return value

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super().get_schema_operation_parameters(view)
        bounds = {
            self.limit_query_param: (1, self.max_limit),
            self.offset_query_param: (0, self.max_offset),
        }
        for parameter in parameters:
            low, high = bounds[parameter["name"]]
            parameter["schema"] |= {"minimum": low, "maximum": high}
        return parameters


class ErrorSerializer(serializers.Serializer[Any]):
    """The body of every 4xx response."""

    message = serializers.CharField()
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField())
    )

    class Meta:
        ref_name = "Error"
