"""What the OpenAPI schema says of the patient's API beyond what its serializers say."""

from __future__ import annotations

from typing import Any

# Required by the service (``apps.programs.logs``), which words the message that the page and
# the API share and checks them beside the other values (so one answer names every problem):
# the serializer leaves them optional, and the schema still tells clients to send them.
SERVICE_REQUIRED = {"SetLogCreateInRequest": ("pain",)}


def mark_service_required(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: add ``SERVICE_REQUIRED`` to the components'
    ``required`` lists."""
    schemas = result.get("components", {}).get("schemas", {})
    for name, fields in SERVICE_REQUIRED.items():
        if name in schemas:
            required = schemas[name].setdefault("required", [])
            required.extend(field for field in fields if field not in required)
    return result
