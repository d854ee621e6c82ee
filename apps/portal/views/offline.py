"""What makes the patient's page an installable app that opens offline.

* ``/manifest.webmanifest``: the web app manifest (public: browsers fetch it without cookies).
* ``/sw.js``: the service worker, served from the site root so its scope can be ``/``. The
  code is ``apps/portal/static/sw.js``; this view prefixes the list of files to keep offline
  (with their current static URLs, hashed in production) and a version that changes with any
  of them, so a deploy replaces the old cache.
  The due questionnaires Today links to are kept with it (``linked``: URL patterns), so a
  patient who opened Today online can answer them offline.
  The sign-in and sign-out forms (``signIn``: URL patterns) make the worker forget every
  patient page it kept, so a family phone never shows one patient's kept Today to another.
* ``/offline/``: the page shown when a page was never cached and there is no connection.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from apps.patients.auth import PATIENT_SIGN_IN_URL
from apps.portal.today_script import TODAY_MODULES, TODAY_SCRIPT

STATIC_FILES = (
    "css/app.css",
    "js/form-errors.js",
    "css/today.css",
    TODAY_SCRIPT,
    *TODAY_MODULES,
    "js/history.js",
    "js/illustrations.js",
    "js/sw-register.js",
    "css/outcomes.css",
    "js/questionnaire.js",
    "img/icon-192.png",
    "img/icon-512.png",
    "img/icon-maskable-512.png",
)
ICONS = (
    ("img/icon-192.png", "192x192", "any"),
    ("img/icon-512.png", "512x512", "any"),
    ("img/icon-maskable-512.png", "512x512", "maskable"),
)


@require_GET
@cache_control(max_age=3600, public=True)
def manifest(request: HttpRequest) -> JsonResponse:
    body = {
        "id": reverse("patients:today"),
        "name": "Clamshell: my hip exercises",
        "short_name": "Clamshell",
        "description": "Today's exercises from your physiotherapist, and a log of your sets.",
        "start_url": reverse("patients:today"),
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#ffffff",
        "theme_color": "#08434c",
        "icons": [
            {"src": static(path), "sizes": sizes, "type": "image/png", "purpose": purpose}
            for path, sizes, purpose in ICONS
        ],
    }
    response = JsonResponse(body)
    response["Content-Type"] = "application/manifest+json"
    return response


@cache
def _worker_source() -> str:
    return (settings.BASE_DIR / "apps" / "portal" / "static" / "sw.js").read_text(encoding="utf-8")


def _static_digest(path: str) -> str:
    """A digest of a static file's content: in development the URLs carry no hash, so the
    worker's version must change when a file does."""
    found = finders.find(path)
    if not isinstance(found, str):
        return ""
    return hashlib.sha256(Path(found).read_bytes()).hexdigest()


def _linked_patterns() -> list[str]:
    """Regular expressions (JavaScript syntax) for the pages Today links to that must open
    offline too: a due questionnaire, whatever its id."""
    sample = uuid.UUID(int=0)
    before, after = reverse("outcomes:questionnaire", args=[sample]).split(str(sample))
    return [re.escape(before) + "[0-9a-f-]{36}" + re.escape(after)]


def _pattern(path: str, samples: dict[str, str]) -> str:
    """``path`` as a regular expression (JavaScript syntax) matching the whole path, each
    sample part in it (an id, a token) replaced by the expression it stands for."""
    pattern = re.escape(path)
    for sample, expression in samples.items():
        pattern = pattern.replace(re.escape(sample), expression)
    return pattern


def _sign_in_patterns() -> list[str]:
    """Regular expressions (JavaScript syntax) for the paths whose form signs someone in or
    out: a patient's personal link and one-time link, staff sign-in with its second factor,
    the operators' admin sign-in, and sign-out. Whoever uses one, the patient whose pages the
    worker kept may no longer be the one holding the phone."""
    sample, token = str(uuid.UUID(int=0)), "T0KEN"
    any_id, any_token = "[0-9a-f-]{36}", "[^/]+"
    samples = {sample: any_id, token: any_token}
    paths = [
        reverse("patients:link", args=[sample, token]),
        reverse("patients:one-time", args=[token]),
        reverse("clinics:login"),
        reverse("clinics:verify"),
        reverse("clinics:logout"),
        reverse("ops-admin-login"),
    ]
    return [_pattern(path, samples) for path in paths]


def _worker_config() -> dict[str, object]:
    precache = [static(path) for path in STATIC_FILES]
    precache += [reverse("patients:offline"), reverse("patients:manifest")]
    pages = [
        reverse(name) for name in ("patients:today", "patients:history", "patients:api-me-today")
    ]
    linked = _linked_patterns()
    sign_in = _sign_in_patterns()
    signed_out = reverse(PATIENT_SIGN_IN_URL)
    contents = [_static_digest(path) for path in STATIC_FILES]
    parts = [precache, pages, linked, sign_in, signed_out, contents, _worker_source()]
    digest = hashlib.sha256(json.dumps(parts).encode())
    return {
        "version": digest.hexdigest()[:12],
        "precache": precache,
        "pages": pages,
        "linked": linked,
        "signIn": sign_in,
        "signedOut": signed_out,
        "offline": reverse("patients:offline"),
    }


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    script = f"self.CLAMSHELL = {json.dumps(_worker_config())};\n{_worker_source()}"
    response = HttpResponse(script, content_type="application/javascript; charset=utf-8")
    # The worker controls the whole site, though it is served from a view.
    response["Service-Worker-Allowed"] = "/"
    # Browsers must see a new worker as soon as it is deployed.
    response["Cache-Control"] = "no-cache, max-age=0"
    return response


@require_GET
@cache_control(max_age=0, no_cache=True)
def offline(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/offline.html")
