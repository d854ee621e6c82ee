"""How every task that works on the database is declared, in one place.

A task is acknowledged only once it has run (``acks_late``: a worker killed mid-task leaves
it for another), keeps no result (nobody reads one), and is retried with backoff when the
database is briefly away (a restart, a failover, a dropped connection), then left to the
sweeps that re-queue what the database still says is due. Each task states its own time
limits: they depend on its work."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from celery import shared_task
from django.db import InterfaceError, OperationalError

DATABASE_TASK_OPTIONS: dict[str, Any] = {
    "acks_late": True,
    "ignore_result": True,
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": 5,
    "max_retries": 6,
}


def database_task(*, soft_time_limit: int, time_limit: int, **options: Any) -> Callable[..., Any]:
    """``shared_task`` with ``DATABASE_TASK_OPTIONS``, the given limits and any other option."""
    return shared_task(
        **DATABASE_TASK_OPTIONS,
        soft_time_limit=soft_time_limit,
        time_limit=time_limit,
        **options,
    )
