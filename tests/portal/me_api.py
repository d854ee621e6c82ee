"""Shared pieces of the /api/v1/me/ log tests (single and batch)."""

from __future__ import annotations

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

# Tuesday 3 March 2026, 12:00 UTC.
NOW = datetime(2026, 3, 3, 12, 0, tzinfo=ZoneInfo("UTC"))


def log_body(item, **changes):
    """A valid single-set body for ``item``, with a fresh client id; ``changes`` override."""
    data = {
        "client_id": str(uuid.uuid4()),
        "item": str(item.public_id),
        "side": "left",
        "reps": 10,
        "pain": 2,
    }
    data.update(changes)
    return data
