"""A database that refuses connections answers 503 "try again shortly", never a 500.

Two ways in, because Django turns an exception into a response at each middleware layer:
``DatabaseUnavailableMiddleware.process_exception`` catches it when a view runs the query,
and ``handler500`` (``config/urls.py``) when a middleware does (the session, the user). The
API gets ``{"message": ...}`` in its error format, browsers a short page; both carry
``Retry-After`` so clients (the phone's offline queue) know when to try again.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.defaults import server_error

RETRY_AFTER_SECONDS = 30
MESSAGE = "The service is briefly unavailable. Your data is safe: please try again shortly."
PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Back in a moment - Clamshell</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>Back in a moment</h1>
<p>Clamshell cannot reach its database right now. Nothing you saved is lost.
Please try again in a minute.</p></main></body></html>
"""
UNAVAILABLE = (OperationalError, InterfaceError)


def unavailable_response(request: HttpRequest) -> HttpResponse:
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"message": MESSAGE, "errors": {}}, status=503)
    else:
        response = HttpResponse(PAGE, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, UNAVAILABLE):
            return unavailable_response(request)
        return None


def handler500(request: HttpRequest) -> HttpResponse:
    """Django's 500, except a database outage raised outside a view, which is a 503."""
    if isinstance(sys.exc_info()[1], UNAVAILABLE):
        return unavailable_response(request)
    return server_error(request)
