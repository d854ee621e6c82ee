"""What makes the today page installable and usable offline: manifest, service worker, icons."""

from __future__ import annotations

import json

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from tests.conftest import signed_in

pytestmark = pytest.mark.django_db


def test_the_manifest_is_public_and_names_the_today_page_and_its_icons():
    response = Client().get("/manifest.webmanifest")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["start_url"] == "/today/"
    assert manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        assert finders.find(icon["src"].removeprefix("/static/")), icon["src"]


def test_the_service_worker_is_served_from_the_root_with_scope_headers():
    response = Client().get("/sw.js")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"]
    body = response.content.decode()
    config = json.loads(body.split("\n", 1)[0].removeprefix("self.CLAMSHELL = ").rstrip(";"))
    assert "/today/" in config["pages"]
    assert "/api/v1/me/today/" in config["pages"]
    assert "/static/js/today.mjs" in config["precache"]
    assert "/static/js/today/queue.mjs" in config["precache"]  # one of the modules it imports
    assert "/static/js/form-errors.js" in config["precache"]  # every page's (base.html)
    assert "/offline/" in config["precache"]
    assert 'addEventListener("fetch"' in body


def test_the_worker_version_changes_with_the_files_it_caches(monkeypatch):
    from apps.portal.views import offline as views_offline

    before = views_offline._worker_config()["version"]
    monkeypatch.setattr(views_offline, "_static_digest", lambda path: path + "changed")

    assert views_offline._worker_config()["version"] != before


def test_the_offline_page_is_public_and_points_to_today():
    response = Client().get("/offline/")

    assert response.status_code == 200
    assert 'href="/today/"' in response.content.decode()


def test_the_today_page_registers_the_worker_from_a_static_script(patient_a):
    html = signed_in(patient_a.user).get("/today/").content.decode()

    assert '<script src="/static/js/sw-register.js"' in html
    assert "/api/v1/me/logs/" in html


def test_the_worker_keeps_the_questionnaires_today_links_to():
    import re
    import uuid

    from django.urls import reverse

    from apps.portal.views import offline as views_offline

    config = views_offline._worker_config()
    due = reverse("outcomes:questionnaire", args=[uuid.uuid4()])

    assert "/static/js/questionnaire.js" in config["precache"]
    assert "/static/css/outcomes.css" in config["precache"]
    assert any(re.fullmatch(pattern, due) for pattern in config["linked"])
    assert not any(re.fullmatch(pattern, "/today/questionnaires/") for pattern in config["linked"])


def test_the_worker_forgets_kept_pages_on_every_sign_in_and_sign_out_form(patient_a):
    import re

    from apps.patients.auth import one_time_link_create, personal_link_path
    from apps.portal.views import offline as views_offline

    patterns = views_offline._worker_config()["signIn"]
    token = one_time_link_create(patient=patient_a)
    forms = [personal_link_path(patient_a), f"/sign-in/link/{token}/", "/sign-in/"]
    forms += ["/sign-in/verify/", "/sign-out/", "/ops/admin/login/"]
    kept = ["/today/", "/history/", "/api/v1/me/today/", "/sign-in/link/", "/offline/"]

    assert all(any(re.fullmatch(p, path) for p in patterns) for path in forms)
    assert not any(re.fullmatch(p, path) for p in patterns for path in kept)
