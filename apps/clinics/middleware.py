"""Staff sessions end after 30 minutes idle or 12 hours in all (both configurable), and, in a
clinic that requires it, open no staff page before the second factor is given.

Patients keep their long phone session; their revocation works through the session auth hash
(see apps.patients.auth)."""

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from apps.clinics.suspension import (
    mark_not_saved,
    suspended_clinic,
    suspended_json,
    suspended_page,
    took_not_saved,
)
from apps.clinics.tokens import carries_token
from apps.clinics.two_factor import has_two_factor, two_factor_required
from apps.core.middleware import is_api_path

SIGNED_IN_AT = "staff_signed_in_at"
LAST_SEEN_AT = "staff_last_seen_at"
# Writing the session on every request would make every page a database write: record
# activity at most once a minute, which is precise enough for a 30-minute idle limit.
LAST_SEEN_RESOLUTION = 60


def staff_session_started(request: HttpRequest) -> None:
    now = int(time.time())
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN_AT] = now


class StaffSessionTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not getattr(user, "is_patient", False):
            expired = self._expired(request)
            if expired:
                logout(request)
                if is_api_path(request.path):
                    return JsonResponse(
                        {"message": "Your session has ended; sign in again.", "errors": {}},
                        status=401,
                    )
                messages.info(request, "For your patients' privacy you were signed out.")
                return redirect(settings.LOGIN_URL)
        return self.get_response(request)

    def _expired(self, request: HttpRequest) -> bool:
        if getattr(request, "auth", None) is not None:  # token-authenticated API client
            return False
        session = request.session
        now = int(time.time())
        signed_in = session.get(SIGNED_IN_AT)
        last_seen = session.get(LAST_SEEN_AT)
        if signed_in is None or last_seen is None:
            staff_session_started(request)
            return False
        if now - last_seen > settings.STAFF_SESSION_IDLE.total_seconds():
            return True
        if now - signed_in > settings.STAFF_SESSION_MAX_AGE.total_seconds():
            return True
        if now - last_seen >= LAST_SEEN_RESOLUTION:
            session[LAST_SEEN_AT] = now
        return False


class ClinicTimeZoneMiddleware:
    """Staff pages show every moment (an audit entry, a report requested, an invitation) in
    their clinic's time zone: the zone the audit log's date filters, the report's default
    period and the clinic's "today" use. Shown in UTC, an entry made at 21:30 in New York read
    as the next day while its date filter counted it on its own day.

    The API keeps UTC (ISO 8601 with its offset), whoever calls it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        clinic = user.clinic if user.is_authenticated and user.is_clinic_staff else None
        if clinic is None or request.path.startswith("/api/"):
            return self.get_response(request)
        with timezone.override(ZoneInfo(clinic.time_zone)):
            return self.get_response(request)


class SignInBackToTheFormMiddleware:
    """A form sent signed out (the session ended in another tab, or its 12 hours were over)
    is sent to sign in with ``next`` set to the page the form was on, not to the form's own
    address: that address takes only POST (an export, a deactivation), so opened after
    signing in it answered a bare 405. Without a page of this site to go back to, the
    sign-in goes to the start page. What was sent is not replayed: the person sends it again,
    seeing the page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method in ("GET", "HEAD") or response.status_code != 302:
            return response
        sign_in = resolve_url(settings.LOGIN_URL)
        location = urlsplit(response.get("Location", ""))
        if location.path != sign_in or "next" not in parse_qs(location.query):
            return response
        back = _page_sent_from(request)
        response["Location"] = sign_in + ("?" + urlencode({"next": back}) if back else "")
        return response


def _page_sent_from(request: HttpRequest) -> str:
    """The path and query of the Referer when it is a page of this site, else ""."""
    referer = request.headers.get("Referer", "")
    if not url_has_allowed_host_and_scheme(referer, {request.get_host()}, request.is_secure()):
        return ""
    page = urlsplit(referer)
    return page.path + ("?" + page.query if page.query else "")


# What a session of staff who still owe their second factor may open: signing in and out,
# the two-factor pages themselves, the health check, and files that are no staff page (the
# patients' service worker, manifest and offline page, which a shared browser may ask for).
OPEN_WHILE_TWO_FACTOR_OWED = frozenset(
    {
        "clinics:login",
        "clinics:verify",
        "clinics:logout",
        "clinics:two-factor",
        "core:healthz",
        "patients:service-worker",
        "patients:manifest",
        "patients:offline",
    }
)
SET_UP_FIRST = (
    "Your clinic requires two-factor sign-in for all staff: turn it on at /account/two-factor/ "
    "(in your browser), then try again."
)
CODE_FIRST = (
    "Your clinic requires two-factor sign-in for all staff: enter the code from your "
    "authenticator app at /sign-in/verify/ (in your browser), then try again."
)


class TwoFactorRequiredMiddleware:
    """While a clinic requires two-factor sign-in (``Clinic.require_two_factor``), its
    therapists and admins reach no other page until their session has passed an
    authenticator app's code: a person without an app is sent to pair one (which passes it),
    one whose session has not given its code (signed in before their app was paired) to the
    code page. The API answers such a session 403, saying which.

    An API request with a token is left to the token: a token is a credential of its own,
    made by a clinic admin from a signed-in page, and revoked on the API tokens page.
    Patients and operators are never asked: the setting is the clinic's, for its staff.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        user = request.user
        if not (user.is_authenticated and user.is_clinic_staff):
            return None
        verified = getattr(user, "is_verified", None)  # django-otp's middleware sets it
        api = is_api_path(request.path)
        # Only the API reads a token (and then ignores the session): a page is the session's
        # whatever header comes with it, so a made-up "Bearer x" must not open it.
        open_anyway = _opens(request, OPEN_WHILE_TWO_FACTOR_OWED)
        if (verified and verified()) or open_anyway or (api and carries_token(request)):
            return None
        if not two_factor_required(user):
            return None
        paired = has_two_factor(user)
        if api:
            message = CODE_FIRST if paired else SET_UP_FIRST
            return JsonResponse({"message": message, "errors": {}}, status=403)
        target = reverse("clinics:verify" if paired else "clinics:two-factor")
        if request.method in ("GET", "HEAD"):
            target += "?" + urlencode({"next": request.get_full_path()})
        return redirect(target)


# What a person of a suspended clinic may still open: signing out, the health check, the
# patients' service worker, manifest and offline page (files, no page of the clinic), and the
# patients' sign-in pages. Patients never sign out: on a shared phone, opening one's own link
# is how it changes hands, so another clinic's patient must sign in there; each page refuses
# a suspended clinic's patient itself, once they proved who they are (apps.clinics.suspension).
OPEN_WHILE_SUSPENDED = frozenset(
    {
        "clinics:logout",
        "core:healthz",
        "patients:link",
        "patients:one-time-request",
        "patients:one-time",
        "patients:service-worker",
        "patients:manifest",
        "patients:offline",
    }
)


class SuspendedClinicMiddleware:
    """Refuses every request of a session whose user belongs to a suspended clinic. Placed
    before the two-factor requirement: a suspended clinic's staff are told why, not asked
    for a code. An API request with a token is left to the token (``ClinicSuspended``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        user = request.user
        if suspended_clinic(user) is None or _opens(request, OPEN_WHILE_SUSPENDED):
            return None
        # The API's docs page is a page: its people see the suspended page, not JSON.
        if is_api_path(request.path):
            return None if carries_token(request) else suspended_json(user)
        sent = request.method not in ("GET", "HEAD", "OPTIONS")
        if request.headers.get("HX-Request") == "true":
            # A part of a page (htmx) swaps nothing on a 403: the browser loads the page whole,
            # which says why, and, when this request sent something, that it was not saved.
            if sent:
                mark_not_saved(request)
            response = suspended_page(request, user, refused_a_form=sent)
            response["HX-Refresh"] = "true"
            return response
        return suspended_page(request, user, refused_a_form=sent or took_not_saved(request))


def _opens(request: HttpRequest, view_names: frozenset[str]) -> bool:
    """Whether the request is for one of ``view_names`` or a static file, which a gate
    (two-factor owed, clinic suspended) lets through."""
    match = request.resolver_match
    if match is not None and match.view_name in view_names:
        return True
    return request.path.startswith(str(settings.STATIC_URL))
