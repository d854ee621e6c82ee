"""Each app keeps its rooms apart: DRF endpoints live in ``api/``, HTML views in ``views/``,
and neither imports the other (they share services and selectors instead)."""

from __future__ import annotations

from pathlib import Path

from tests.architecture.imports import imported_modules

ROOT = Path(__file__).resolve().parents[2]


def _modules(pattern: str) -> list[Path]:
    return sorted((ROOT / "apps").glob(pattern))


def test_no_view_module_holds_an_api_endpoint():
    found = [
        str(path.relative_to(ROOT))
        for path in _modules("*/views/*.py")
        if any(name.startswith("rest_framework") for name in imported_modules(path))
    ]

    assert not found, f"API endpoints belong in the app's api/ package: {found}"


def test_no_api_module_imports_a_view_module():
    found = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in _modules("*/api/*.py")
        for name in imported_modules(path)
        if name.startswith("apps.") and ".views" in name
    ]

    assert not found, f"API modules call services and selectors, never views: {found}"
