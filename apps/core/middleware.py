"""Security headers every response carries, including a content security policy that allows
no inline script: every page's script is a static file.

The same middleware gives the API one error format: a 4xx answered outside Django REST
framework under ``/api/`` (an unknown URL, a method no route takes, a CSRF failure) is
rewritten to ``{"message": ..., "errors": {}}`` like every error the API views raise."""

from collections.abc import Callable
from http import HTTPStatus

from django.http import HttpRequest, HttpResponse, JsonResponse

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "manifest-src 'self'",
        "worker-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "object-src 'none'",
    ]
)
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)
API_PREFIX = "/api/"
DOCS_PREFIX = "/api/docs/"


def is_api_path(path: str) -> bool:
    """Whether ``path`` is the API's, answered in JSON. The API's docs live under /api/ but
    are a page opened in a browser (HTML), answered as every other page is."""
    return path.startswith(API_PREFIX) and not path.startswith(DOCS_PREFIX)


def _is_json(response: HttpResponse) -> bool:
    return str(response.get("Content-Type", "")).startswith("application/json")


def api_error_body(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Rewrite a non-JSON 4xx under /api/ into the API's error format, keeping its headers."""
    if not is_api_path(request.path):
        return response
    if not 400 <= response.status_code < 500 or _is_json(response):
        return response
    try:
        message = HTTPStatus(response.status_code).phrase
    except ValueError:
        message = "Request refused"
    replacement = JsonResponse({"message": message, "errors": {}}, status=response.status_code)
    for header in ("Allow", "Retry-After", "WWW-Authenticate", "Vary"):
        if header in response:
            replacement[header] = response[header]
    return replacement


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = api_error_body(request, self.get_response(request))
        # One policy everywhere, the API docs included: their files are served by the app.
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        if _signed_in(request):
            # What a signed-in user is shown is health data or leads to it: no browser cache or
            # proxy keeps a copy, and the back button on a shared computer after signing out
            # does not bring a page back. A response that chose its own caching (photos,
            # content-hashed drawings) keeps it. The patient's offline copy of Today lives in
            # the service worker's Cache Storage, which this header does not govern.
            response.setdefault("Cache-Control", "private, no-store")
        return response


def _signed_in(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)
