"""Prompts raised before their hold window was stored get a window of their qualifying day
alone: that is the day their hold was computed from."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from apps.programs.models import ProgressionPrompt
from tests.factories import PatientFactory
from tests.notifications.conftest import make_prompt

pytestmark = pytest.mark.django_db

BEFORE = ("programs", "0018_programitem_client_id")


def test_the_migration_fills_the_window_start_with_the_qualifying_day():
    dated = make_prompt(PatientFactory())
    ProgressionPrompt.objects.filter(pk=dated.pk).update(
        counted_from=dated.qualified_on - timedelta(days=3)
    )
    undated = make_prompt(PatientFactory())
    ProgressionPrompt.objects.filter(pk=undated.pk).update(qualified_on=None, counted_from=None)
    with connection.cursor() as cursor:  # PostgreSQL alters no table with checks pending
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    try:
        MigrationExecutor(connection).migrate([BEFORE])
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    dated.refresh_from_db()
    undated.refresh_from_db()
    assert dated.counted_from == dated.qualified_on
    assert (undated.counted_from, undated.qualified_on) == (None, None)
