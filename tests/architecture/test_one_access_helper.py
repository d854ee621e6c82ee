"""Every HTML view and API endpoint reaches objects and checks roles through one helper,
``apps.clinics.access``: a view module that fetches by public id or decides a role by hand
fails here, so the 404-for-foreign / 403-for-wrong-role rule cannot quietly fork again."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOOKUPS = {"filter", "get", "exclude", "get_or_create", "update_or_create"}
SHORTCUTS = {"get_object_or_404", "get_list_or_404"}


def view_and_api_modules() -> list[Path]:
    apps = ROOT / "apps"
    found = [*apps.glob("*/views/*.py"), *apps.glob("*/api/*.py"), *apps.glob("*/views.py")]
    return sorted(found)


def _by_public_id(keyword: ast.keyword) -> bool:
    return keyword.arg is not None and (
        keyword.arg == "public_id" or keyword.arg.endswith("__public_id")
    )


def problems_in(source: str) -> Iterator[tuple[int, str]]:
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name in SHORTCUTS:
                    yield node.lineno, f"imports {alias.name} (use apps.clinics.access)"
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in SHORTCUTS:
                yield node.lineno, f"calls {name} (use apps.clinics.access)"
            if name in LOOKUPS and any(_by_public_id(k) for k in node.keywords):
                yield node.lineno, f".{name}(public_id=...) (use get_for_staff/get_for_patient)"
        elif isinstance(node, ast.Raise) and node.exc is not None:
            raised = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            if getattr(raised, "id", None) == "PermissionDenied":
                yield node.lineno, "raises PermissionDenied (use require_staff/require_admin)"
        elif isinstance(node, ast.ClassDef) and any(
            getattr(base, "id", None) == "BasePermission" for base in node.bases
        ):
            yield node.lineno, "defines a BasePermission (use StaffOnly/AdminOnly/PatientOnly)"


def test_views_and_api_fetch_and_check_roles_only_through_the_access_helper():
    modules = view_and_api_modules()
    found = [
        f"{path.relative_to(ROOT)}:{line}: {what}"
        for path in modules
        for line, what in problems_in(path.read_text())
    ]

    assert len(modules) > 30
    assert not found, "Hand-written access checks:\n" + "\n".join(found)


def test_the_check_catches_a_hand_written_lookup():
    source = (
        "from django.shortcuts import get_object_or_404\n"
        "def view(request, public_id):\n"
        "    a = Patient.objects.filter(public_id=public_id).first()\n"
        "    b = SetLog.objects.get(patient__public_id=public_id)\n"
        "    raise PermissionDenied\n"
    )

    assert sorted(line for line, _ in problems_in(source)) == [1, 3, 4, 5]
