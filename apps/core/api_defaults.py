"""Defaults every REST endpoint gets from ``REST_FRAMEWORK``: bounded pagination and the
shared error body (documented on every operation by ``apps.core.api_schema``)."""

from __future__ import annotations

from typing import Any

from rest_framework import pagination, serializers


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    """``?limit=&offset=``; 50 by default, never more than 200 per page."""

    default_limit = 50
    max_limit = 200


class ErrorSerializer(serializers.Serializer[Any]):
    """The body of every 4xx response."""

    message = serializers.CharField()
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField())
    )

    class Meta:
        ref_name = "Error"
