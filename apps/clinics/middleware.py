"""Staff sessions end after 30 minutes idle or 12 hours in all (both configurable).

Patients keep their long phone session; their revocation works through the session auth hash
(see apps.patients.auth)."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect

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
                if request.path.startswith("/api/"):
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
