"""Today's script is an ES module (js/today.mjs) with its parts in js/today/. The list of those
parts (apps/portal/today_script.py) is what the service worker keeps for offline use and what
the page asks for at once: it must hold every module the script imports, however deep."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from apps.portal.today_script import TODAY_MODULES, TODAY_SCRIPT
from tests.conftest import signed_in
from tests.core.test_static_modules import imports_of

pytestmark = pytest.mark.django_db

STATIC = Path(settings.BASE_DIR) / "apps" / "portal" / "static"


def _imported(module: Path, found: set[Path]) -> set[Path]:
    for target in imports_of(module.read_text(encoding="utf-8")):
        path = (module.parent / target).resolve()
        if path not in found:
            found.add(path)
            _imported(path, found)
    return found


def test_the_module_list_is_every_module_the_script_imports():
    imported = _imported(STATIC / TODAY_SCRIPT, set())

    assert {path.relative_to(STATIC).as_posix() for path in imported} == set(TODAY_MODULES)


def test_today_loads_its_script_as_a_module_and_asks_for_every_part_at_once(patient_a):
    html = signed_in(patient_a.user).get("/today/").content.decode()

    assert '<script type="module" src="/static/js/today.mjs"></script>' in html
    for path in TODAY_MODULES:
        assert f'<link rel="modulepreload" href="/static/{path}">' in html


def test_a_page_that_does_not_run_the_script_does_not_ask_for_its_parts(patient_a):
    html = signed_in(patient_a.user).get("/history/").content.decode()

    assert "modulepreload" not in html
