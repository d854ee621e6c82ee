"""A Redis cache that treats an unreachable server as a cache miss.

The cache holds rate-limit counters, throttling history and the patients' rendered Today
pages (rebuilt on a miss), never data a request needs. With Django's plain RedisCache an
outage of Redis turns every API call into a 500 (the throttle reads the cache first); with
this one the request goes on and a warning is logged, so a patient's log is still saved
while Redis is down."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
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


class _OneClientPerPool(RedisCacheClient):
    """Django builds a new ``redis.Redis`` on every cache call, filling its table of about
    170 response callbacks each time: on the cached Today page, whose one cache read is most
    of a hit's work beyond the session, that was a measurable share (bench/README.md). One
    client per connection pool is how redis-py is meant to be used: a client is thread-safe,
    and its pool reconnects after a fork."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        # django-stubs do not declare the base class's private helpers used here.
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client


class ResilientRedisCache(RedisCache):
    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _OneClientPerPool

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
