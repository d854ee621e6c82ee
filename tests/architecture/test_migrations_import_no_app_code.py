"""A migration runs at its own place in the graph, against the schema of that moment; the
application's code is written for the latest schema and changes after the migration is
written. So a migration reads and writes through its historical models (``apps.get_model``)
or its own SQL, and imports no module of ``apps`` beyond the few named here with the reason
each may."""

from __future__ import annotations

from pathlib import Path

from tests.architecture.imports import imported_modules

ROOT = Path(__file__).resolve().parents[2]

ALLOWED = {
    # Written by makemigrations: the user manager and the default times are referenced by
    # name, as Django serializes them; nothing of the app runs at migration time.
    "apps/clinics/migrations/0001_initial.py": {"apps.clinics.models"},
    "apps/clinics/migrations/0006_clinic_default_times_as_functions.py": {"apps.clinics.models"},
    # Runs the live rebuild on purpose, as the last programs migration (its docstring).
    "apps/programs/migrations/0025_daily_totals_rebuild.py": {"apps.programs.daily_totals"},
}


def _app_imports(path: Path) -> set[str]:
    names = imported_modules(path)
    return {name for name in names if name == "apps" or name.startswith("apps.")}


def test_migrations_import_no_application_code_but_the_allowed():
    migrations = sorted((ROOT / "apps").glob("*/migrations/[0-9]*.py"))
    assert migrations
    unexpected = {
        str(path.relative_to(ROOT)): extra
        for path in migrations
        if (extra := _app_imports(path) - ALLOWED.get(str(path.relative_to(ROOT)), set()))
    }

    assert unexpected == {}
