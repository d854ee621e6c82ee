"""A Redis cache that treats an unreachable server as a cache miss.

The cache holds only rate-limit counters and throttling history, never data a request needs.
With Django's plain RedisCache an outage of Redis turns every API call into a 500 (the
throttle reads the cache first); with this one the request goes on and a warning is logged,
so a patient's log is still saved while Redis is down."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
T = TypeVar("T")
OUTAGE = (RedisConnectionError, RedisTimeoutError)


def _or_default(call: Callable[[], T], default: T) -> T:
    try:
        return call()
    except OUTAGE:
        logger.warning("Redis cache unreachable: carrying on without it")
        return default


class ResilientRedisCache(RedisCache):
    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return _or_default(
            lambda: super(ResilientRedisCache, self).get(key, default, version), default
        )

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        return _or_default(lambda: super(ResilientRedisCache, self).get_many(keys, version), {})

    def set(self, key: Any, value: Any, timeout: Any = 300, version: int | None = None) -> None:
        _or_default(
            lambda: super(ResilientRedisCache, self).set(key, value, timeout, version), None
        )

    def add(self, key: Any, value: Any, timeout: Any = 300, version: int | None = None) -> bool:
        return _or_default(
            lambda: super(ResilientRedisCache, self).add(key, value, timeout, version), False
        )

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        # Counting nothing during an outage: rate limits fail open rather than lock people out.
        return _or_default(
            lambda: super(ResilientRedisCache, self).incr(key, delta, version), delta
        )

    def delete(self, key: Any, version: int | None = None) -> bool:
        return _or_default(lambda: super(ResilientRedisCache, self).delete(key, version), False)
