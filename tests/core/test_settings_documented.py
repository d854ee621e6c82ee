"""Every environment variable that settings reads is in the README's configuration table, and
every variable in that table is read by settings: the table is the whole list, no more."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

from tests.core.test_settings import clean_env

ROOT = Path(__file__).resolve().parents[2]
NAME = re.compile(r"^[A-Z][A-Z0-9_]+$")
# ``_read``/``_rate`` (settings' own readers), ``os.environ.get`` and ``os.getenv``.
READERS = {"_read", "_rate", "getenv"}


def _is_reader(call: ast.Call) -> bool:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id in READERS
    if isinstance(func, ast.Attribute) and func.attr == "get":
        return isinstance(func.value, ast.Attribute) and func.value.attr == "environ"
    return isinstance(func, ast.Attribute) and func.attr in READERS


def variables_read_by(source: str) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and node.args and _is_reader(node):
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                names.add(first.value)
    return {name for name in names if NAME.match(name)}


def variables_in_table(readme: str) -> set[str]:
    section = readme.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    names: set[str] = set()
    for line in section.splitlines():
        if line.startswith("| `"):
            names |= set(re.findall(r"`([A-Z][A-Z0-9_]+)`", line.split("|")[1]))
    return names


def test_settings_read_exactly_the_variables_of_the_readme_table():
    read = variables_read_by((ROOT / "config" / "settings.py").read_text())
    documented = variables_in_table((ROOT / "README.md").read_text())

    assert sorted(read - documented) == [], "read by settings but not in the README table"
    assert sorted(documented - read) == [], "in the README table but not read by settings"


def test_the_check_sees_a_variable_missing_from_either_side():
    source = 'A = _read("ONLY_IN_CODE", int, 1)\nB = os.environ.get("BOTH")\nC = d.get("NOPE")\n'
    readme = "x\n## Configuration\n\n| `BOTH` | 1 | y |\n| `ONLY_IN_TABLE` | 2 | z |\n## Next\n"

    assert variables_read_by(source) == {"ONLY_IN_CODE", "BOTH"}
    assert variables_in_table(readme) == {"BOTH", "ONLY_IN_TABLE"}


def _settings_with(**env: str) -> subprocess.CompletedProcess[str]:
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.REPORT_BACKGROUND_THRESHOLD, s.REPORT_FILE_HOURS)"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean_env(), "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_report_limits_and_file_lifetime_come_from_the_environment():
    result = _settings_with(
        REPORT_BACKGROUND_PATIENTS="7", REPORT_BACKGROUND_SETS="70", REPORT_FILE_HOURS="3"
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "{'patients': 7, 'set_logs': 70} 3"


def test_a_negative_report_limit_stops_start_up_naming_the_variable():
    result = _settings_with(REPORT_FILE_HOURS="-1")

    assert result.returncode != 0
    assert "REPORT_FILE_HOURS" in result.stderr.strip().splitlines()[-1]
