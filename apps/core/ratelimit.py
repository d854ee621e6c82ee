"""A fixed-window rate limit on the shared cache (Redis in production), the client address
it keys on (through the configured number of trusted proxies), and the 429 page that says
when to try again."""

from __future__ import annotations

import ipaddress
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: int  # seconds until the current window ends


def _window(key: str, window_seconds: int) -> tuple[str, int]:
    """The cache key of ``key``'s current window, and the seconds until that window ends."""
    now = time.time()
    window = int(now // window_seconds)
    retry_after = max(1, int((window + 1) * window_seconds - now + 0.999))
    return f"ratelimit:{key}:{window}", retry_after


def check(key: str, *, limit: int, window_seconds: int) -> Decision:
    """Count one attempt under ``key`` in the current window.

    Windows are aligned to the clock (the window number is part of the cache key), so the
    time left, which every 429 reports in Retry-After, is known without asking the cache."""
    cache_key, retry_after = _window(key, window_seconds)
    cache.add(cache_key, 0, timeout=window_seconds)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window_seconds)
        count = 1
    return Decision(allowed=count <= limit, retry_after=retry_after)


def reached(key: str, *, limit: int, window_seconds: int) -> Decision:
    """Whether ``limit`` attempts were already counted under ``key`` in this window, without
    counting one: for limits that count only failures, checked before an attempt is weighed
    (``allowed`` is False once the count has reached the limit)."""
    cache_key, retry_after = _window(key, window_seconds)
    count = cache.get(cache_key) or 0
    return Decision(allowed=count < limit, retry_after=retry_after)


def hit(key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one attempt under ``key``; return True while the limit is not exceeded."""
    return check(key, limit=limit, window_seconds=window_seconds).allowed


def wait_in_words(seconds: int) -> str:
    """'1 minute', '12 minutes', '1 hour', '1 hour and 5 minutes', rounded up to a minute."""
    minutes = max(1, -(-seconds // 60))
    hours, minutes = divmod(minutes, 60)
    parts = [
        f"{n} {unit}{'' if n == 1 else 's'}"
        for n, unit in ((hours, "hour"), (minutes, "minute"))
        if n
    ]
    return " and ".join(parts)


def too_many(
    request: HttpRequest, template: str, *, retry_after: int, context: dict[str, Any] | None = None
) -> HttpResponse:
    """The HTML 429: Retry-After for programs, the same wait in words for people."""
    page = {"retry_after": retry_after, "wait": wait_in_words(retry_after), **(context or {})}
    response = render(request, template, page, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def client_address(request: object) -> str | None:
    """The client's address, as far as the trusted proxies vouch for it.

    With ``TRUSTED_PROXY_COUNT`` = N, each of our N proxies appended the address it was
    reached from to X-Forwarded-For, so the N-th entry from the right is the client as the
    first proxy saw it. Everything left of it was written by the client and is ignored. With
    N = 0 (the default) the header is never read: any client could set it, choose its own
    rate-limit bucket and lock others out."""
    meta: dict[str, Any] = getattr(request, "META", {})
    peer = meta.get("REMOTE_ADDR") or None
    hops = settings.TRUSTED_PROXY_COUNT
    if hops == 0:
        return peer
    forwarded = [part.strip() for part in str(meta.get("HTTP_X_FORWARDED_FOR", "")).split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < hops:
        # Fewer entries than proxies: the request did not pass through them all. The peer
        # is the only address nobody could forge.
        return peer
    try:
        return str(ipaddress.ip_address(forwarded[-hops]))
    except ValueError:
        return peer


def client_ip(request: object) -> str:
    """The client address as a rate-limit key ("unknown" when there is none)."""
    return client_address(request) or "unknown"
