"""The 403 and 404 pages: ``templates/403.html`` and ``404.html``, in the app's layout with its
menu and in words (Django's own were a bare "403 Forbidden" with no way on).

The layout names static files, which production reads from the collected manifest: where
there is none (production settings run before ``collectstatic``) the layout cannot be drawn,
and an error page must not fail in turn (a 404 would become a 500), so Django's plain page is
sent instead."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, HttpResponseNotFound
from django.views import defaults


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    try:
        return defaults.permission_denied(request, exception)
    except ValueError:  # a static file missing from the manifest
        return HttpResponseForbidden("<h1>403 Forbidden</h1>")


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    try:
        return defaults.page_not_found(request, exception)
    except ValueError:  # a static file missing from the manifest
        return HttpResponseNotFound("<h1>Not Found</h1>")
