"""Limits on what a client may send to the API, checked before any view sees the body.

A body nested a thousand levels deep made Python's JSON decoder raise RecursionError, a 500
on every authenticated JSON write. Here the body's size, its nesting depth and the length of
its arrays are bounded at the edge: too large is a 413, too deep or too long a 400, both in
the API's ``{"message", "errors"}`` format. The bounds sit far above anything the app's own
clients send (the largest is a batch of 100 logged sets)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import IO, Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser

API_PREFIX = "/api/"


class BodyTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "body_too_large"


def too_large_message() -> str:
    return f"The request body is larger than {settings.API_MAX_BODY_BYTES} bytes."


def _declared_length(request: HttpRequest) -> int | None:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None


def _streams_uploads(request: HttpRequest) -> bool:
    """An upload endpoint (``streams_uploads = True`` on its view class) bounds its own body
    while reading it: a photo or video is larger than any JSON body (apps/media/upload.py)."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    view_class = getattr(match.func, "cls", None) or getattr(match.func, "view_class", None)
    return bool(getattr(view_class, "streams_uploads", False))


class ApiBodyLimitMiddleware:
    """Refuse an API body whose declared length is over the limit before anything reads it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(API_PREFIX):
            length = _declared_length(request)
            if length is None:
                body = {"message": "The Content-Length header is not a number.", "errors": {}}
                return JsonResponse(body, status=400)
            if length > settings.API_MAX_BODY_BYTES and not _streams_uploads(request):
                body = {"message": too_large_message(), "errors": {}}
                return JsonResponse(body, status=413)
        return self.get_response(request)


def _check_shape(data: Any) -> None:
    """Walk the parsed body without recursion; refuse it past the depth or array limits."""
    max_depth = settings.API_MAX_JSON_DEPTH
    max_items = settings.API_MAX_JSON_ARRAY_LENGTH
    pending: list[tuple[Any, int]] = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, Mapping):
            children = list(value.values())
        elif isinstance(value, list):
            if len(value) > max_items:
                raise exceptions.ParseError(
                    f"An array in the body has more than {max_items} items."
                )
            children = value
        else:
            continue
        if children and depth >= max_depth:
            raise exceptions.ParseError(f"The body is nested more than {max_depth} levels deep.")
        pending.extend((child, depth + 1) for child in children)


class LimitedJSONParser(JSONParser):
    """DRF's JSON parser with a size cap on what it reads and a bounded shape."""

    def parse(
        self,
        stream: IO[bytes] | None,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        if stream is None:
            return None
        limit = settings.API_MAX_BODY_BYTES
        # Read one byte past the limit: a body sent without Content-Length is still bounded.
        raw = stream.read(limit + 1)
        if len(raw) > limit:
            raise BodyTooLarge(too_large_message())
        encoding = (parser_context or {}).get("encoding") or settings.DEFAULT_CHARSET
        try:
            data = json.loads(raw.decode(encoding), parse_constant=_refuse_constant)
        except RecursionError as exc:
            # The decoder gives up before our walk can run; the walk's limit is far lower.
            message = f"The body is nested more than {settings.API_MAX_JSON_DEPTH} levels deep."
            raise exceptions.ParseError(message) from exc
        except (ValueError, UnicodeDecodeError) as exc:
            raise exceptions.ParseError(f"JSON parse error - {exc}") from exc
        _check_shape(data)
        return data


def _refuse_constant(name: str) -> None:
    # NaN and Infinity are not JSON (DRF's STRICT_JSON default refuses them too).
    raise ValueError(f"{name} is not valid JSON")
