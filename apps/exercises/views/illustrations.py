"""The drawn illustrations of the shared library's exercises, as SVG images.

Public like the static files: the drawings are the app's own artwork, made from
``data/poses.toml``, and hold nothing about a clinic or a patient. The URL carries the
drawings' version (``?v=``), so a versioned request may be cached for a year; the service
worker keeps today's pictures on the patient's phone.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from apps.exercises.illustrations import VARIANTS, illustration_svg, illustration_version
from apps.exercises.illustrations.svg import CONTENT_SECURITY_POLICY

YEAR = 365 * 24 * 3600


@require_GET
def illustration(request: HttpRequest, key: str, variant: str) -> HttpResponse:
    if variant not in VARIANTS:
        raise Http404
    try:
        body = illustration_svg(key, variant=variant)
    except KeyError:
        raise Http404 from None
    response = HttpResponse(body, content_type="image/svg+xml; charset=utf-8")
    # The SVG's only style element is allowed by its hash; no script can run in it.
    response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    if request.GET.get("v") == illustration_version():
        response["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    else:
        response["Cache-Control"] = "public, max-age=300"
    return response
