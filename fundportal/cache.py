"""The shared cache (Redis) as the site needs it: when Redis is down, pages keep working.

Reads become misses, writes are dropped, counters start again, and `add` answers "stored" (the
callers that use it — a form's one-use key — have a database constraint behind them). Each
failure is logged; the connection timeout is short, so an outage costs milliseconds per request.

Never for a limit: a counter that starts again at every call is no limit. Rate limits count in
the database (fundportal/ratelimits.py).
"""
import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
DOWN = (RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError)


def _tolerant(name: str, fallback):
    def method(self, *args, **kwargs):
        try:
            return getattr(super(TolerantRedisCache, self), name)(*args, **kwargs)
        except DOWN as exc:
            # The operation only: a key may hold the client's address (a rate limit's) or more.
            logger.warning("cache unavailable (%s): %s", name, type(exc).__name__)
            return fallback(*args, **kwargs) if callable(fallback) else fallback

    method.__name__ = name
    return method


class TolerantRedisCache(RedisCache):
    get = _tolerant("get", lambda key, default=None, version=None: default)
    get_many = _tolerant("get_many", {})
    set = _tolerant("set", None)
    set_many = _tolerant("set_many", [])
    add = _tolerant("add", True)
    touch = _tolerant("touch", False)
    delete = _tolerant("delete", False)
    delete_many = _tolerant("delete_many", None)
    has_key = _tolerant("has_key", False)
    incr = _tolerant("incr", lambda key, delta=1, version=None: delta)
    clear = _tolerant("clear", None)
