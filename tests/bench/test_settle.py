"""``bench.data.settle`` vacuums and analyzes the tables a scenario churns, as autovacuum
would in a live clinic (these machines run PostgreSQL with it off)."""

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone

from apps.core.models import OutboxMessage
from bench.data import settle


def _dead_rows(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_force_next_flush()")
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT n_dead_tup, vacuum_count FROM pg_stat_user_tables WHERE relname = %s",
            [table],
        )
        dead, vacuums = cursor.fetchone()
        return int(dead) if vacuums else -1


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("require_postgres")
def test_the_rows_a_scenario_deleted_are_vacuumed_away():
    Session.objects.bulk_create(
        Session(session_key=f"settle{n:034d}", session_data="", expire_date=timezone.now())
        for n in range(200)
    )
    Session.objects.all().delete()
    assert _dead_rows(Session._meta.db_table) != 0  # deleted, not yet vacuumed (or never)

    seconds = settle(Session, OutboxMessage)

    assert seconds >= 0
    assert _dead_rows(Session._meta.db_table) == 0
