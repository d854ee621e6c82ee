"""SetLog moved from the patients app to programs without touching the database: the three
migrations that move it change Django's idea of the models only, on SQLite and PostgreSQL."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from apps.programs.models import SetLog

MOVES = [
    ("programs", "0003_setlog_from_patients"),
    ("notifications", "0002_setlog_in_programs"),
    ("patients", "0003_setlog_to_programs"),
]


def _sql_of(app: str, migration: str, *, backwards: bool = False) -> list[str]:
    out = StringIO()
    call_command("sqlmigrate", app, migration, backwards=backwards, stdout=out)
    lines = [line.strip() for line in out.getvalue().splitlines()]
    return [line for line in lines if line and not line.startswith("--")]


# Outside a transaction: SQLite's schema editor (even one that only collects SQL) needs that.
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("app", "migration"), MOVES)
@pytest.mark.parametrize("backwards", [False, True])
def test_moving_set_logs_runs_no_sql_either_way(app, migration, backwards):
    statements = _sql_of(app, migration, backwards=backwards)

    assert [s for s in statements if s not in {"BEGIN;", "COMMIT;"}] == []


def test_set_logs_keep_their_table_and_index_names():
    indexes = {index.name for index in SetLog._meta.indexes}

    assert SetLog._meta.db_table == "patients_setlog"
    assert indexes == {
        "patients_se_patient_a7d395_idx",
        "patients_se_item_id_32c9b4_idx",
        "setlog_unevaluated",
    }
