"""Hot statements that PostgreSQL plans once per connection, not on every run.

PostgreSQL plans every statement Django sends: Django binds parameters on the client, so
nothing is ever prepared. For most statements planning is a small share, but for the few
complex ones on the hottest path it is most of their cost: the one-tap log's daily-totals
upsert (four CTEs over five tables) took 0.56 ms to plan and 0.09 ms to run
(bench/README.md, "Eighth session"). ``prepared_cursor()`` runs its statements through a
server-side-binding cursor that prepares each one on first use; the connections ask for
generic plans (``plan_cache_mode=force_generic_plan`` in ``config/settings.py``), so a
prepared statement is never planned again. That setting touches nothing else: no other
statement is prepared.

Only for statements whose best plan does not depend on their values (one patient, a few
days, an id): a generic plan is made without them. Behind PgBouncer in transaction pooling
(``DATABASE_POOLED``) and on SQLite this is a plain cursor. The cursor goes through Django's
cursor wrapper, so its statements are counted, logged and guarded like any other.
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


@contextmanager
def prepared_cursor(alias: str = "default") -> Iterator[CursorWrapper]:
    """A cursor whose statements are prepared on first use and reused on this connection."""
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
    try:
        yield cursor
    finally:
        cursor.close()


@cache
def _insert_statement(model: type[Model]) -> tuple[str, tuple[Any, ...]]:
    """The INSERT of one row of ``model`` (every concrete column but its automatic primary
    key) returning that key, and the fields in the order of their values."""
    meta = model._meta
    if meta.auto_field is None:
        raise ValueError(f"{model.__name__} has no automatic primary key")
    fields = tuple(f for f in meta.concrete_fields if f is not meta.auto_field)
    columns = ", ".join(f'"{f.column}"' for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    table, key = meta.db_table, meta.auto_field.column
    # Names from the model only; every value is a parameter.
    return f'INSERT INTO "{table}" ({columns}) VALUES ({marks}) RETURNING "{key}"', fields  # noqa: S608  # nosec B608


def insert_row(obj: Model, alias: str = "default") -> None:
    """Insert ``obj`` as a new row and set its primary key: what ``obj.save(force_insert=True)``
    does for a model with an automatic key and no save signals or overridden ``save``, with
    the INSERT built once and prepared. For the one-tap log's two rows (the set and its
    outbox message): Django compiling an INSERT cost more than PostgreSQL running it."""
    connection = connections[alias]
    sql, fields = _insert_statement(type(obj))
    values = [field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields]
    with prepared_cursor(alias) as cursor:
        cursor.execute(sql, values)
        obj.pk = cursor.fetchone()[0]
    obj._state.adding = False
    obj._state.db = alias
