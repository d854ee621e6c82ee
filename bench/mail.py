"""An email backend that renders nothing further and sends nothing: it counts.

The reminder fan-out hands every message to it; the count goes to Redis (one INCRBY per
call) so the harness can check that every reminder reached the backend.
"""

import os
from collections.abc import Sequence
from typing import Any

import redis
from django.core.mail.backends.base import BaseEmailBackend

COUNTER_KEY = "bench:emails"
_client: Any = None


def _redis() -> Any:
    global _client
    if _client is None:
        _client = redis.Redis.from_url(os.environ["REDIS_URL"])
    return _client


class CountingBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[Any]) -> int:
        for message in email_messages:
            message.message()  # build the MIME message, as a real backend would
        _redis().incrby(COUNTER_KEY, len(email_messages))
        return len(email_messages)
