"""The 403 and 404 pages: ``templates/403.html`` and ``404.html``, in the app's layout with its
menu and in words (Django's own were a bare "403 Forbidden" with no way on). A form refused
by the CSRF check (``CSRF_FAILURE_VIEW``: the page open until its session ended, or opened in
another one) gets the same 403 page saying what to do; an /api/ request the API's JSON.

The layout names static files, which production reads from the collected manifest: where
there is none (production settings run before ``collectstatic``) the layout cannot be drawn,
and an error page must not fail in turn (a 404 would become a 500), so Django's plain page is
sent instead."""

from __future__ import annotations

from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseForbidden,
    HttpResponseNotFound,
    JsonResponse,
)
from django.shortcuts import render
from django.views import defaults

from apps.core.api import CSRF_REFUSED

FORM_NOT_SENT = (
    "This page was open too long, or was opened in another session (you signed out, or signed "
    "in again, since), so the form was not sent and nothing was saved. Go back, reload the "
    "page and send the form again."
)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    try:
        return defaults.permission_denied(request, exception)
    except ValueError:  # a static file missing from the manifest
        return HttpResponseForbidden("<h1>403 Forbidden</h1>")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``. ``reason`` (Django's, for developers) is logged by the
    middleware already; the person is told what happened and what to do."""
    if request.path.startswith("/api/"):
        return JsonResponse({"message": CSRF_REFUSED, "errors": {}}, status=403)
    context = {"exception": FORM_NOT_SENT, "heading": "Form not sent", "form_not_sent": True}
    try:
        return render(request, "403.html", context, status=403)
    except ValueError:  # a static file missing from the manifest
        return HttpResponseForbidden(f"<h1>Form not sent</h1><p>{FORM_NOT_SENT}</p>")


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    try:
        return defaults.page_not_found(request, exception)
    except ValueError:  # a static file missing from the manifest
        return HttpResponseNotFound("<h1>Not Found</h1>")
