"""DRF's throttles, keyed on the same client address as every other rate limit.

DRF's own NUM_PROXIES falls back to the leftmost X-Forwarded-For entry (which the client
writes) when the header is shorter than expected; ``client_address`` falls back to the peer."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from rest_framework import throttling
from rest_framework.request import Request

from apps.core.ratelimit import client_ip


class AnonRateThrottle(throttling.AnonRateThrottle):
    def get_ident(self, request: Request) -> str:
        return client_ip(request)


class UserRateThrottle(throttling.UserRateThrottle):
    def get_ident(self, request: Request) -> str:
        return client_ip(request)


def user_rate() -> tuple[int, int]:
    """The API's per-user limit as (requests, window in seconds): ``API_RATE_USER``, for
    pages that take the same writes without the API (one operator knob for both)."""
    throttle = UserRateThrottle()
    requests, seconds = throttle.parse_rate(throttle.get_rate())
    if requests is None or seconds is None:  # settings refuse a missing rate at start-up
        raise ImproperlyConfigured("API_RATE_USER is not set")
    return requests, seconds
