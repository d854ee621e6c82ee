"""An email backend that builds each message, sends nothing and counts, in the worker.

The count is kept in the process and added to a Redis counter every ``FLUSH_EVERY``
messages, so counting costs one round trip per hundred emails, not one per email (the
harness decides that the fan-out is done from the reminder rows; the counter is a check).
"""

import os
from collections.abc import Sequence
from typing import Any

import redis
from django.core.mail.backends.base import BaseEmailBackend

COUNTER_KEY = "bench:emails"
FLUSH_EVERY = 100
_state: dict[str, Any] = {"client": None, "pending": 0}


def _flush() -> None:
    if _state["client"] is None:
        _state["client"] = redis.Redis.from_url(os.environ["REDIS_URL"])
    _state["client"].incrby(COUNTER_KEY, _state["pending"])
    _state["pending"] = 0


class CountingBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[Any]) -> int:
        for message in email_messages:
            message.message()  # build the MIME message, as a real backend would
        _state["pending"] += len(email_messages)
        if _state["pending"] >= FLUSH_EVERY:
            _flush()
        return len(email_messages)
