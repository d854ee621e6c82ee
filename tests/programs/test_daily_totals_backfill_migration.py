"""The daily totals' backfill migration runs the live rebuild, which reads tables of other
apps: it must come after them in every migration plan, not by the luck of the order."""

from __future__ import annotations

from django.db.migrations.loader import MigrationLoader

BACKFILL = ("programs", "0010_daily_totals_backfill")


def test_the_backfill_runs_after_the_hip_precautions_table_it_reads():
    graph = MigrationLoader(None, ignore_no_migrations=True).graph

    assert ("patients", "0005_hip_precautions") in graph.forwards_plan(BACKFILL)
