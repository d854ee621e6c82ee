"""Reads of reports and exports from a PostgreSQL read replica, when one is configured.

With ``REPLICA_DATABASE_URL`` set, ``settings.DATABASES`` has a ``replica`` alias. Code that
only reads, and can tolerate the replica's lag of a few seconds (a clinic report, an
export), runs inside ``replica_reads()``: the ORM then reads from the replica, and raw SQL
asks ``read_alias()`` for its connection. Everything else, and every write, stays on
``default``: a page a patient just changed never reads a lagging copy of it. Without a
replica everything is ``default``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

REPLICA = "replica"

_replica_reads: ContextVar[bool] = ContextVar("replica_reads", default=False)


@contextmanager
def replica_reads() -> Iterator[None]:
    """Send this block's reads to the replica (when there is one)."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def read_alias() -> str:
    """The database alias reads should use here: ``replica`` inside ``replica_reads()`` when
    one is configured, else ``default``."""
    if _replica_reads.get() and REPLICA in settings.DATABASES:
        return REPLICA
    return DEFAULT_DB_ALIAS


class ReplicaRouter:
    """``DATABASE_ROUTERS`` entry: reads follow ``read_alias()``, writes and migrations go to
    ``default`` (the replica is a copy PostgreSQL keeps, never migrated by us)."""

    def db_for_read(self, model: Any, **hints: Any) -> str:
        return read_alias()

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS
