"""One error format for every 4xx of the API: {"message": ..., "errors": {field: [...]}}."""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from apps.core.once import ClientIdReused


def service_error(exc: DjangoValidationError) -> ValidationError:
    """A service's ValidationError (with or without fields) as the API's 400."""
    if hasattr(exc, "error_dict"):
        return ValidationError(exc.message_dict)
    return ValidationError({"non_field_errors": exc.messages})


class Conflict(APIException):
    """409: the request is well formed but clashes with what is stored (a ``client_id`` already
    used for a different request); the body is the usual ``{"message", "errors"}``."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def conflict(exc: DjangoValidationError) -> Conflict:
    """A service's refusal of a request that clashes with stored data, as the API's 409."""
    return Conflict(service_error(exc).detail)


def _flatten(detail: Any) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        found: dict[str, list[str]] = {}
        for field, value in detail.items():
            found |= _field_errors(str(field), value)
        return found
    if isinstance(detail, list):
        return _field_errors("non_field_errors", detail)
    return {}


def _field_errors(name: str, value: Any) -> dict[str, list[str]]:
    """A field's messages; those of a list's element or a nested object under a dotted name
    (``movements.0``, ``items.1.sets``), as the error format has one level."""
    if isinstance(value, dict):
        found: dict[str, list[str]] = {}
        for key, inner in value.items():
            nested = name if key == "non_field_errors" else f"{name}.{key}"
            found |= _field_errors(nested, inner)
        return found
    if isinstance(value, list) and any(isinstance(part, dict | list) for part in value):
        found = {}
        for index, part in enumerate(value):
            found |= _field_errors(f"{name}.{index}", part)
        return found
    return {name: [str(m) for m in (value if isinstance(value, list) else [value])]}


def _message(errors: dict[str, list[str]], detail: Any) -> str:
    if not errors:
        return str(detail)
    parts = [
        f"{field}: {' '.join(msgs)}" if field != "non_field_errors" else " ".join(msgs)
        for field, msgs in errors.items()
    ]
    return "; ".join(parts)


# The session's CSRF check refused a write (DRF's own check, or CSRF_FAILURE_VIEW for any
# other /api/ view): said in words a developer can act on, not "CSRF Failed: CSRF cookie not set."
CSRF_REFUSED = (
    "Not sent: the CSRF check failed. A write signed in with the browser session must send "
    "the X-CSRFToken header with the value of the csrftoken cookie of the same session (a page "
    "open too long, or opened in another session, holds an old one): reload the page and "
    "send it again. Nothing was saved."
)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, PermissionDenied) and str(exc.detail).startswith("CSRF Failed"):
        exc = PermissionDenied(CSRF_REFUSED)
    elif isinstance(exc, ClientIdReused):
        # A key stored for a different request: every endpoint that takes one says so alike.
        exc = conflict(exc)
    elif isinstance(exc, DjangoValidationError):
        # A service refused the input: always a 400 with its messages, never a 500.
        exc = service_error(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail = response.data
    if isinstance(detail, dict) and set(detail) == {"detail"}:
        response.data = {"message": str(detail["detail"]), "errors": {}}
    else:
        errors = _flatten(detail)
        response.data = {"message": _message(errors, detail), "errors": errors}
    # A refusal a client must tell from the others of its status (a suspended clinic's 403
    # from a sign-in ended) names itself.
    if code := getattr(exc, "body_code", None):
        response.data["code"] = code
    return response
