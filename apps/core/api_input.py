"""The base of the API's input serializers: a key the request does not know is a 400.

DRF ignores keys a serializer does not declare, so a misspelt field (``"emial"`` in a PATCH)
was answered 200 with nothing changed, and the caller believed it saved. Every input names
such keys instead, beside any other problem, so one answer says everything that is wrong.

Not for what a patient's phone keeps offline and sends later (sets, questionnaire answers,
the morning check): a body kept by an older page may carry a field that has since gone, and
the phone drops what is refused; ignoring the field keeps the set (``tests/architecture``
lists them).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from rest_framework import serializers

UNKNOWN_FIELD = "Not a field of this request: check its spelling, or leave it out."

_T = TypeVar("_T")


class StrictInput(serializers.Serializer[_T]):
    def to_internal_value(self, data: Any) -> Any:
        unknown: dict[str, list[str]] = {}
        if isinstance(data, Mapping):
            unknown = {str(key): [UNKNOWN_FIELD] for key in data if key not in self.fields}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if unknown and isinstance(exc.detail, dict):
                raise serializers.ValidationError({**exc.detail, **unknown}) from exc
            raise
        if unknown:
            raise serializers.ValidationError(unknown)
        return value
