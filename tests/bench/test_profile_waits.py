"""``bench.profile --waits`` counts the round trips a request makes, which the query clock
cannot see (a commit, a transaction's BEGIN, a pipeline's syncs), and names what made each."""

import psycopg
import pytest
from django.db import connection, transaction

from bench.profile import WaitClock

APP = "/work/main/apps/programs/logs.py"
PSYCOPG = "/venv/lib/python3.11/site-packages/psycopg/connection.py"


def test_a_query_is_named_by_its_statement():
    frames = [(APP, "_save_new"), (PSYCOPG, "execute"), (PSYCOPG, "wait")]

    assert WaitClock.label(frames, "SELECT  1\n FROM t") == "query SELECT 1 FROM t"


def test_any_other_wait_is_named_by_the_psycopg_call_and_the_app_function_that_made_it():
    frames = [
        ("/work/main/apps/core/views.py", "outer"),
        (APP, "set_log_record"),
        ("/venv/lib/python3.11/site-packages/django/db/backends/base/base.py", "commit"),
        (PSYCOPG, "commit"),
    ]

    assert WaitClock.label(frames, "SELECT 1") == "commit (from logs.py:set_log_record)"


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("require_postgres")
def test_a_transaction_waits_for_its_query_its_commit_and_its_autocommit_switches():
    connection.ensure_connection()
    clock = WaitClock()
    unwatched = psycopg.Connection.wait

    with clock.watching(), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT 41 + 1")

    assert clock.counts["query SELECT 41 + 1"] == 1  # the BEGIN goes in the same wait
    assert [n for key, n in clock.counts.items() if key.startswith("commit (")] == [1]
    # Turning autocommit off and on again waits too (for nothing, outside a pipeline).
    assert [n for key, n in clock.counts.items() if key.startswith("autocommit (")] == [2]
    assert clock.report(runs=1).startswith("4.0 waits a run")
    assert psycopg.Connection.wait is unwatched  # put back as it was
