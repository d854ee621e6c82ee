"""Publish a task without ever failing the caller: the sweep re-sends what could not go."""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)

# Publishing gives up quickly when the broker is down: the caller is a web request, and the
# periodic sweep re-sends whatever was not enqueued, so waiting longer buys nothing.
PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}


def enqueue(task: Any, *args: Any) -> bool:
    """``task.apply_async(args)`` that logs instead of raising; returns whether it was sent."""
    try:
        task.apply_async(args, retry=True, retry_policy=PUBLISH_RETRY_POLICY)
    except Exception:
        logger.warning("could not enqueue %s%r; the sweep will", task.name, args)
        return False
    return True
