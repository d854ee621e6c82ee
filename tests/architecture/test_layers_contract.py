"""The apps stay in one-way layers: import-linter's contract (pyproject.toml) holds on the real
code and breaks on a wrong-way import, and no two files of ``apps/`` import each other.

The contract runs in ``make lint``; these tests show that it is kept and that it can fail."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=cwd, capture_output=True, text=True, check=False
    )


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """The apps' Python files and the contract, copied where a test may break them."""
    shutil.copytree(
        ROOT / "apps",
        tmp_path / "apps",
        ignore=shutil.ignore_patterns("templates", "static", "__pycache__", "*.html"),
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_layers_and_independence_contracts_are_kept():
    result = _lint_imports(ROOT)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 kept, 0 broken" in result.stdout


def test_the_contract_fails_when_core_imports_a_domain_app(project_copy):
    (project_copy / "apps" / "core" / "wrong_way.py").write_text(
        "from apps.programs.models import SetLog  # core must import no app\n"
    )

    result = _lint_imports(project_copy)

    assert result.returncode == 1
    assert "Apps import only from the layers below them BROKEN" in result.stdout
    assert "apps.core.wrong_way -> apps.programs.models" in result.stdout


def test_the_contract_fails_when_a_lower_app_imports_a_higher_one(project_copy):
    (project_copy / "apps" / "programs" / "wrong_way.py").write_text(
        "from apps.notifications import dispatch\n"
    )

    result = _lint_imports(project_copy)

    assert result.returncode == 1
    assert "apps.programs.wrong_way -> apps.notifications.dispatch" in result.stdout


def test_the_contract_fails_when_apps_on_one_layer_import_each_other(project_copy):
    (project_copy / "apps" / "portal" / "wrong_way.py").write_text(
        "from apps.reports import selectors\n"
    )

    result = _lint_imports(project_copy)

    assert result.returncode == 1
    assert (
        "The patient's portal and the staff's reports do not import each other BROKEN"
        in result.stdout
    )


def test_the_contract_fails_on_an_app_with_no_layer(project_copy):
    (project_copy / "apps" / "newcomer").mkdir()
    (project_copy / "apps" / "newcomer" / "__init__.py").write_text("")

    result = _lint_imports(project_copy)

    assert result.returncode == 1
    assert "apps.newcomer" in result.stdout


def _cycles_in_apps_of(folder: Path) -> list[list[str]]:
    """The import cycles among the ``apps`` package found first in ``folder``, in a process of
    its own: finding a copy's package in this one meant taking the real ``apps`` modules out
    of ``sys.modules`` for a while, and anything imported meanwhile (a model module) was loaded
    again from the copy and registered a second set of models with Django, breaking every
    relation of the tests that ran after it in this process."""
    script = (
        "import json, grimp\n"
        "from tests.architecture.cycles import import_cycles\n"
        "graph = grimp.build_graph('apps', exclude_type_checking_imports=True, cache_dir=None)\n"
        "print(json.dumps(import_cycles(graph)))\n"
    )
    paths = os.pathsep.join([str(folder), str(ROOT)])
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=folder,
        env={**os.environ, "PYTHONPATH": paths},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_no_two_files_of_apps_import_each_other_even_through_others():
    # Imports under ``if TYPE_CHECKING:`` are annotations, never run, so they do not count.
    assert _cycles_in_apps_of(ROOT) == []


def test_the_cycle_finder_sees_a_cycle(project_copy):
    (project_copy / "apps" / "core" / "ping.py").write_text("from apps.core import pong\n")
    (project_copy / "apps" / "core" / "pong.py").write_text(
        "def f():\n    from apps.core import ping\n"
    )

    assert ["apps.core.ping", "apps.core.pong"] in _cycles_in_apps_of(project_copy)


def test_the_contract_fails_when_an_api_module_imports_a_view_module(project_copy):
    (project_copy / "apps" / "programs" / "api" / "wrong_way.py").write_text(
        "from apps.programs.views import programs\n"
    )

    result = _lint_imports(project_copy)

    assert result.returncode == 1
    assert "API endpoints call services and selectors, never HTML views BROKEN" in result.stdout
