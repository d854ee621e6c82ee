"""Templates keep the layers too: an app's template may load template tags and include or
extend templates only from its own layer or below (a lower app's page gets a higher app's
piece through an extension point, e.g. ``apps.patients.panels``). import-linter cannot see
templates, so this test reads them."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOAD = re.compile(r"\{%\s*load\s+([^%]*?)\s*%\}")
INCLUDE = re.compile(r"\{%\s*(?:include|extends)\s+[\"']([^\"'/]+)/")


def _ranks() -> dict[str, int]:
    """Each app's height in the layers contract (higher number, higher layer)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contract = next(c for c in config["tool"]["importlinter"]["contracts"] if c["id"] == "layers")
    layers = contract["layers"]
    return {
        app.strip(): len(layers) - index
        for index, layer in enumerate(layers)
        for app in layer.split("|")
    }


def wrong_way(apps_dir: Path) -> list[str]:
    rank = _ranks()
    libraries = {
        path.stem: path.parts[-3]
        for path in apps_dir.glob("*/templatetags/*.py")
        if path.stem != "__init__"
    }
    folders = {
        path.name: path.parts[-3] for path in apps_dir.glob("*/templates/*") if path.is_dir()
    }
    found = []
    for template in apps_dir.glob("*/templates/**/*.*"):
        app = template.relative_to(apps_dir).parts[0]
        text = template.read_text(encoding="utf-8")
        for match in LOAD.finditer(text):
            for library in match.group(1).split():
                owner = libraries.get(library)
                if owner and rank[owner] > rank[app]:
                    found.append(f"{template.relative_to(apps_dir)} loads {library} ({owner})")
        for match in INCLUDE.finditer(text):
            owner = folders.get(match.group(1))
            if owner and rank[owner] > rank[app]:
                found.append(f"{template.relative_to(apps_dir)} includes {match.group(1)}/…")
    return found


def test_no_template_loads_tags_or_includes_templates_of_a_higher_layer():
    assert wrong_way(ROOT / "apps") == []


def test_the_check_fails_when_a_lower_apps_template_loads_a_higher_apps_tags(tmp_path):
    for path in (
        "outcomes/templatetags/outcomes.py",
        "outcomes/templates/outcomes/_piece.html",
        "patients/templates/patients/page.html",
    ):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text("")
    (tmp_path / "patients/templates/patients/page.html").write_text(
        '{% load static outcomes %}{% include "outcomes/_piece.html" %}'
    )

    assert wrong_way(tmp_path) == [
        "patients/templates/patients/page.html loads outcomes (outcomes)",
        "patients/templates/patients/page.html includes outcomes/…",
    ]
