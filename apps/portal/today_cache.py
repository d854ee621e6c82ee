"""The patient's Today page, rendered once per patient, local day and version; the phone's
plan refresh (``GET /api/v1/me/today/``) is cached the same way, under its own key.

Most of Today's time went into reading the plan (items, levels, logs, goals, media, morning
check, questionnaires) and rendering its cards (bench/README.md, today page). The rendered
page is cached under a key that changes whenever what it shows may have:

- the patient's local date (day rollover, and everything "due today");
- ``Patient.today_version``, bumped in the transaction of every write to the patient's logs,
  programs, levels, precautions, morning checks and questionnaires;
- ``Clinic.today_version``, bumped for the clinic's exercise media, exercises and ladders
  (every clinic's for the shared library);
- every column of the patient's and the clinic's rows (time zone, pain levels, phone...), so
  a change to either row needs no bump;
- the drawings' version and the code's (``apps.core.build``): a release never serves a page
  rendered by the one before.

The versions are in the database, written with the change they describe: a request reads
them (with the patient) before it reads the plan, so whatever it caches is at least as new
as its key, and a Redis fault can only cost a fresh rendering, never keep a stale page.

Each process also keeps its most recent pages in memory (``_RECENT``), in front of Redis: a
key names one rendering for good (it changes with everything the page shows), so a copy held
in memory is exactly as fresh as Redis's, and a hit then costs no round trip (0.25 ms of a
1.3 ms hit, measured in-process). It keeps Redis's expiry.

The whole page is cached, so a hit renders no template. Nothing per request is: the CSRF
token, the messages and each form's ``client_id`` (the set's idempotency key, which must
differ between two page loads) are markers filled in on every request; the rest depends on
the request only through the patient's own account and the language (in the key). With
``TODAY_CACHE_VERIFY`` (the tests) every hit is rendered again and compared.
"""

from __future__ import annotations

import hashlib
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar, cast

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db.models import Model
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from apps.core.build import code_version
from apps.exercises.illustrations import illustration_version
from apps.patients.models import Patient

T = TypeVar("T")

# Rendered verbatim (safe strings), and impossible in escaped text: no patient or clinic
# content can produce them.
CSRF_MARK = mark_safe("<cs:csrf-token>")  # nosec B308, B703
CLIENT_ID_MARK = mark_safe("<cs:client-id>")  # nosec B308, B703
MESSAGES_MARK = mark_safe("<cs:messages>")  # nosec B308, B703


class _Recent:
    """A process's most recently used cache entries, at most ``size``, each until its
    expiry. Thread-safe (a threaded server shares it between its threads)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[str, tuple[float, object]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> object | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            if found[0] <= time.monotonic():
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return found[1]

    def put(self, key: str, value: object, seconds: int) -> None:
        with self._lock:
            self._entries[key] = (time.monotonic() + seconds, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


# About 25 KB a page: a few megabytes a process at most.
_RECENT = _Recent(size=500)


def clear_recent() -> None:
    """Forget this process's pages (tests start clean; nothing in the app needs it: a key
    names its page for good)."""
    _RECENT.clear()


class StaleTodayError(AssertionError):
    """A cached Today differs from a fresh rendering: a writer did not bump a version."""


def _row_values(row: Model) -> bytes:
    return repr([getattr(row, f.attname) for f in row._meta.concrete_fields]).encode()


def today_key(*, patient: Patient, today: date, kind: str = "page") -> str:
    digest = hashlib.blake2b(digest_size=12)
    for part in (_row_values(patient), _row_values(patient.clinic)):
        digest.update(part)
    digest.update(f"{get_language()}:{illustration_version()}:{code_version()}".encode())
    return f"today:{kind}:{patient.pk}:{today.isoformat()}:{digest.hexdigest()}"


def today_page(*, patient: Patient, today: date, render: Callable[[], str]) -> str:
    """The page, with its markers, from the cache or from ``render()`` (then stored)."""
    return str(_cached(patient=patient, today=today, kind="page", build=render))


def today_plan_data(
    *, patient: Patient, today: date, build: Callable[[], dict[str, Any]]
) -> dict[str, Any]:
    """``GET /api/v1/me/today/``'s body (the phone's plan refresh, the most frequent request
    of the load test), cached under the same key as the page: it shows the same plan."""
    data = _cached(patient=patient, today=today, kind="plan", build=build)
    assert isinstance(data, dict)
    return data


def _cached(*, patient: Patient, today: date, kind: str, build: Callable[[], T]) -> T:
    seconds = settings.TODAY_CACHE_SECONDS
    if not seconds:
        return build()
    key = today_key(patient=patient, today=today, kind=kind)
    cached = _RECENT.get(key)
    hit = cached is not None
    if cached is None:
        cached = cache.get(key)
        hit = cached is not None
        if cached is None:
            cached = build()
            cache.set(key, cached, seconds)
        _RECENT.put(key, cached, seconds)
    if hit and settings.TODAY_CACHE_VERIFY:
        _verify(key, cached, build())
    return cast(T, cached)


def _verify(key: str, cached: object, fresh: object) -> None:
    if cached == fresh:
        return
    if not isinstance(cached, str) or not isinstance(fresh, str):
        raise StaleTodayError(f"cached {key} differs from a fresh one:\n{cached!r}\n{fresh!r}")
    at = next((n for n, (a, b) in enumerate(zip(cached, fresh, strict=False)) if a != b), 0)
    raise StaleTodayError(
        f"cached Today {key} differs from a fresh rendering at {at}:\n"
        f"cached: {cached[max(at - 200, 0) : at + 200]!r}\n"
        f"fresh:  {fresh[max(at - 200, 0) : at + 200]!r}"
    )


def fill_marks(page: str, *, request: HttpRequest) -> str:
    """The page for this request: its CSRF token, its messages (a set saved without
    JavaScript), and a new ``client_id`` per form."""
    storage = get_messages(request)
    messages = render_to_string("_messages.html", {"messages": storage}) if storage else ""
    page = page.replace(CSRF_MARK, get_token(request)).replace(MESSAGES_MARK, messages)
    parts = page.split(CLIENT_ID_MARK)
    filled = [parts[0]]
    for part in parts[1:]:
        filled += [str(uuid.uuid4()), part]
    return "".join(filled)
