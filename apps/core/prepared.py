"""Hot statements prepared once per connection: parsed and bound on the server, their plans
reused when PostgreSQL finds that pays.

Django binds parameters on the client, so PostgreSQL parses every statement it sends, and
Python builds each statement's text with its values in it. ``prepared_cursor()`` runs its
statements through psycopg's server-side-binding cursor, preparing each on first use: on the
one-tap log that saved about 0.4 ms a request (bench/README.md, "Eighth session").

Plans follow PostgreSQL's default ``plan_cache_mode`` (auto): a statement's first five runs
are planned with their own values, after which the generic plan is reused when it is
estimated to cost no more than those (key lookups, inserts); a statement whose best plan
depends on its values keeps being planned per run. A cached plan is thrown away whenever the
statistics of a table it reads are updated (ANALYZE, autovacuum), so it is never older than
the statistics a fresh plan would use. Planning was most of some statements' cost: the
one-tap log's item lookup took 0.66 ms to plan and 0.09 ms to run (bench/README.md,
"Ninth session"). The eighth session forced a plan per run for fear of plans from stale
statistics; stale statistics mislead a per-run plan just as much (the reminders' fan-out
trap was one), so the answer there was a statement that needs no statistics.

Behind PgBouncer in transaction pooling (``DATABASE_POOLED``) and on SQLite this is a plain
cursor. The cursor goes through Django's cursor wrapper, so its statements are counted,
logged and guarded like any other.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.backends.utils import CursorWrapper
from django.db.models import Model

# Past this many statements a connection forgets the least recently used (psycopg's LRU).
PREPARED_PER_CONNECTION = 100
# psycopg prepares nothing when the threshold is None (Django's default, kept for every
# other cursor, which bind on the client and never prepare); our cursors ask explicitly.
_NEVER_BY_COUNT = 2**31 - 1


def prepares(alias: str = "default") -> bool:
    """Whether ``prepared_cursor`` prepares on this database (PostgreSQL, no pooler)."""
    return connections[alias].vendor == "postgresql" and not settings.DATABASE_POOLED


@cache
def _preparing_cursor_class() -> type:
    import psycopg  # only on PostgreSQL

    class PreparingCursor(psycopg.Cursor[Any]):
        """psycopg's server-side-binding cursor, preparing every statement it runs."""

        def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
            return super().execute(query, params, prepare=True, binary=kwargs.get("binary"))

    return PreparingCursor


# Inside ``prepared_cursor(generic=True)``: the transaction's statements use the generic plan.
GENERIC_PLANS_SQL = "SET LOCAL plan_cache_mode = force_generic_plan"
# Back to the connection's own setting (its options, else the server's), for what follows.
DEFAULT_PLANS_SQL = "SET LOCAL plan_cache_mode TO DEFAULT"


@contextmanager
def prepared_cursor(alias: str = "default", *, generic: bool = False) -> Iterator[CursorWrapper]:
    """A cursor whose statements are prepared on first use and reused on this connection.

    ``generic=True`` (inside a transaction): its statements run on their generic plan from
    the first run, never planned again for their values; a statement that sets it before and
    after, counted like the others. For statements whose plan does not depend on their values
    but which PostgreSQL's auto mode keeps planning per run, because the generic plan's
    estimate is higher than the custom plans': the daily totals' upsert for one patient and
    a few days took 0.6-0.8 ms to plan and 0.2 ms to run (bench/README.md, "Tenth
    session"). A failed statement leaves the setting to the rollback of its transaction or
    savepoint, which undoes it."""
    connection = connections[alias]
    if not prepares(alias):
        with connection.cursor() as cursor:
            yield cursor
        return
    connection.ensure_connection()
    raw = connection.connection
    if raw.prepare_threshold is None:
        raw.prepare_threshold = _NEVER_BY_COUNT
        raw.prepared_max = PREPARED_PER_CONNECTION
    cursor = connection._prepare_cursor(_preparing_cursor_class()(raw))  # type: ignore[attr-defined]
    # SET LOCAL outside a transaction would only warn: there each statement plans alone.
    generic = generic and connection.in_atomic_block
    try:
        if generic:
            cursor.execute(GENERIC_PLANS_SQL)
        yield cursor
        if generic:
            cursor.execute(DEFAULT_PLANS_SQL)
    finally:
        cursor.close()


@cache
def _insert_statement(
    model: type[Model], computed: tuple[tuple[str, str], ...]
) -> tuple[str, tuple[Any, ...]]:
    """The INSERT of one row of ``model`` (every concrete column but its automatic primary
    key) returning that key and the ``computed`` columns (attname, SQL expression: its value
    is computed by the database), and the fields in the order of their values."""
    meta = model._meta
    if meta.auto_field is None:
        raise ValueError(f"{model.__name__} has no automatic primary key")
    expressions = dict(computed)
    fields = tuple(f for f in meta.concrete_fields if f is not meta.auto_field)
    columns = ", ".join(f'"{f.column}"' for f in fields)
    marks = ", ".join(
        f"({expressions[f.attname]})" if f.attname in expressions else "%s" for f in fields
    )
    returned = [meta.auto_field.column] + [f.column for f in fields if f.attname in expressions]
    returning = ", ".join(f'"{column}"' for column in returned)
    # Names from the model and SQL from the caller's code only; every value is a parameter.
    sql = f'INSERT INTO "{meta.db_table}" ({columns}) VALUES ({marks}) RETURNING {returning}'  # noqa: S608  # nosec B608
    return sql, fields


def insert_row(
    obj: Model,
    alias: str = "default",
    *,
    computed: dict[str, tuple[str, list[Any]]] | None = None,
) -> None:
    """Insert ``obj`` as a new row and set its primary key: what ``obj.save(force_insert=True)``
    does for a model with an automatic key and no save signals or overridden ``save``, with
    the INSERT built once and prepared. For the one-tap log's two rows (the set and its
    outbox message): Django compiling an INSERT cost more than PostgreSQL running it.

    ``computed``: fields whose value the database computes in the same statement, as an SQL
    expression and its parameters (the set's number, counted from the sets before it); they
    are set on ``obj`` from the inserted row."""
    connection = connections[alias]
    computed = computed or {}
    key = tuple((name, sql) for name, (sql, _) in sorted(computed.items()))
    sql, fields = _insert_statement(type(obj), key)
    values: list[Any] = []
    for field in fields:
        if field.attname in computed:
            values += computed[field.attname][1]
        else:
            values.append(field.get_db_prep_save(field.pre_save(obj, True), connection))
    with prepared_cursor(alias) as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    obj.pk = row[0]
    for field, value in zip((f for f in fields if f.attname in computed), row[1:], strict=True):
        setattr(obj, field.attname, value)
    obj._state.adding = False
    obj._state.db = alias


@contextmanager
def pipelined(alias: str = "default") -> Iterator[None]:
    """Send the statements run inside one after another without waiting for each answer;
    the answers are read at the first fetch or at the end, where an error is raised (as
    Django's). For a few writes in a row whose results nothing reads in between (the one-tap
    log's lock, daily totals and outbox row: one round trip instead of three). PostgreSQL
    runs them in order, each with its own snapshot, exactly as if sent one at a time."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        yield
        return
    connection.ensure_connection()
    with connection.wrap_database_errors, connection.connection.pipeline():
        yield
