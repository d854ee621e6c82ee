"""In production every import of the app's ES modules (``*.mjs``, Today's script) names the
hashed file collectstatic made of the module it imports.

An import left on the plain name (``./today/sync.mjs``) loads whatever the browser or the
service worker holds under that name, which may be an older release's module; and the service
worker keeps only the hashed names (``static()``), so Today opened offline would fail on its
first import and run none of its script. Django rewrites the imports only when the storage
asks for it (``apps/core/static_storage.py``), so these tests collect with production's storage
and read every import in what was collected."""

from __future__ import annotations

import json
import os
import posixpath
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.utils.module_loading import import_string

ROOT = Path(settings.BASE_DIR)
STATIC_MODULES = ROOT / "apps" / "portal" / "static"
# Every form a module can name another: `import ... from "x"`, `export ... from "x"`,
# `import "x"` and `import("x")`. A comment shaped like one is read as one: better a false
# alarm here than an import missed.
IMPORTS = (
    re.compile(r"""^\s*(?:import|export)\b[^;]*?\bfrom\s*["']([^"']+)["']""", re.M),
    re.compile(r"""^\s*import\s*["']([^"']+)["']""", re.M),
    re.compile(r"""\bimport\s*\(\s*["']([^"']+)["']"""),
)


def imports_of(source: str) -> list[str]:
    return [found for pattern in IMPORTS for found in pattern.findall(source)]


def unresolved_imports(static_root: Path, manifest: dict[str, str]) -> list[str]:
    """Each import in a collected module that names no collected file under its final hashed
    name, as "module: import"."""
    hashed = set(manifest.values())
    found = []
    for name, final in sorted(manifest.items()):
        if not name.endswith(".mjs"):
            continue
        for target in imports_of((static_root / final).read_text(encoding="utf-8")):
            path = posixpath.normpath(posixpath.join(posixpath.dirname(final), target))
            if path not in hashed or not (static_root / path).is_file():
                found.append(f"{final}: {target}")
    return found


@cache
def production_static_storage() -> str:
    """The staticfiles backend production's settings name (read in a fresh process: the tests'
    own settings are not production's)."""
    hidden = {"DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE"}
    env = {k: v for k, v in os.environ.items() if k not in hidden}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_ENV="production",
        DEBUG="false",
        SECRET_KEY="k" * 20 + "-production-secret-for-the-check-0123456789",
    )
    script = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.STORAGES['staticfiles']['BACKEND'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=60, check=True,
    )  # fmt: skip
    return result.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def collected(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """Every static file collected as production does (third-party ones included: their own
    imports must not stop collectstatic), into a folder of the test's own."""
    backend = production_static_storage()
    static_root = tmp_path_factory.mktemp("staticfiles")
    storages = {**settings.STORAGES, "staticfiles": {"BACKEND": backend}}
    storage_class = import_string(backend)
    # Compressing every file (a minute of brotli on a small machine) changes no name.
    with (
        override_settings(STATIC_ROOT=static_root, STORAGES=storages),
        pytest.MonkeyPatch.context() as patch,
    ):
        patch.setattr(storage_class, "compress_files", lambda self, paths: iter(()))
        call_command("collectstatic", interactive=False, verbosity=0)
    manifest = json.loads((static_root / "staticfiles.json").read_text())["paths"]
    return static_root, manifest


def test_every_import_of_a_collected_module_names_a_hashed_collected_file(collected):
    static_root, manifest = collected
    today = manifest["js/today.mjs"]

    assert imports_of((static_root / today).read_text(encoding="utf-8"))  # it has imports
    assert unresolved_imports(static_root, manifest) == []


def test_the_service_worker_keeps_every_module_under_the_name_it_is_imported_by(collected):
    """Today opened offline loads its modules from the worker's cache: each import must name
    a file the worker kept, or the script stops at it."""
    from apps.portal.views.offline import _worker_config

    static_root, manifest = collected
    storages = {**settings.STORAGES, "staticfiles": {"BACKEND": production_static_storage()}}
    with override_settings(STATIC_ROOT=static_root, STORAGES=storages):
        precache = _worker_config()["precache"]
    imported = {
        settings.STATIC_URL + posixpath.normpath(posixpath.join(posixpath.dirname(final), target))
        for name, final in manifest.items()
        if name.endswith(".mjs")
        for target in imports_of((static_root / final).read_text(encoding="utf-8"))
    }

    assert isinstance(precache, list)
    assert settings.STATIC_URL + manifest["js/today.mjs"] in precache
    assert len(imported) > 5
    assert imported <= set(precache)


def test_the_check_finds_an_import_left_on_the_plain_name(tmp_path):
    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "a.1111.mjs").write_text('import { b } from "./b.mjs";\n')
    (tmp_path / "js" / "b.mjs").write_text("export var b = 1;\n")
    (tmp_path / "js" / "b.2222.mjs").write_text("export var b = 1;\n")
    manifest = {"js/a.mjs": "js/a.1111.mjs", "js/b.mjs": "js/b.2222.mjs"}

    assert unresolved_imports(tmp_path, manifest) == ["js/a.1111.mjs: ./b.mjs"]


def _chain(module: Path, seen: tuple[Path, ...] = ()) -> int:
    """The longest run of imports from ``module`` down to a module that imports nothing."""
    assert module not in seen, f"an import cycle: {' -> '.join(p.name for p in (*seen, module))}"
    targets = [
        (module.parent / target).resolve() for target in imports_of(module.read_text("utf-8"))
    ]
    return max((1 + _chain(target, (*seen, module)) for target in targets), default=0)


def test_the_import_chain_is_short_enough_for_collectstatic_to_settle():
    """collectstatic rewrites a module's imports in passes, and a module's hashed name changes
    with the names it imports: in the worst order of the files one level of imports settles
    per pass, and more levels than ``max_post_process_passes`` fail the deploy ("Max
    post-process passes exceeded"), whatever order this machine lists the files in."""
    storage_class = import_string("apps.core.static_storage.StaticFilesStorage")

    longest = _chain(STATIC_MODULES / "js" / "today.mjs")

    assert 1 < longest <= storage_class.max_post_process_passes
