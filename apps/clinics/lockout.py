"""The answer to a staff sign-in while the account is locked (django-axes calls this).

Axes' own page gave the cool-off as an ISO 8601 duration ("PT15M") and no Retry-After. The
wait is the whole cool-off: axes counts it from the latest failed attempt, and a locked-out
attempt is one."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from apps.core import ratelimit


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    return ratelimit.too_many(request, "clinics/locked_out.html", retry_after=seconds)
