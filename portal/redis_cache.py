"""Redis as an accelerator, never a dependency of correctness: a django-redis cache that fails open.

When Redis cannot be reached every cache call answers as an empty cache would (get: the default, get_many: {},
set/delete: nothing stored, add: True so a cache lock or rate-limit counter lets the request through, incr: ValueError
as for a missing key), logs one warning per outage, and stops trying for `BREAKER_SECONDS` so a page does not pay a
connection timeout per cache call. Public pages then render uncached, sign-in works (allauth's rate limits fail open),
and `/healthz` reports the cache as down (portal/health.py asks `cache_is_reachable()`).

django-redis keeps one connection pool per process and reconnects by itself once Redis is back.
"""

import logging
import time

from django_redis.cache import RedisCache
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import RedisError

logger = logging.getLogger("portal.cache")

BREAKER_SECONDS = 2.0
DOWN = (ConnectionInterrupted, RedisError, OSError)

# What each call answers while Redis is down: what an empty cache would say, except `add`, which lets callers go on.
_MISSING = object()
FALLBACKS = {
    "set": False,
    "add": True,
    "touch": False,
    "delete": False,
    "delete_many": None,
    "delete_pattern": 0,
    "get_many": {},
    "set_many": [],
    "has_key": False,
    "clear": None,
    "ttl": None,
    "expire": False,
    "persist": False,
    "incr_version": _MISSING,
    "incr": _MISSING,
    "decr": _MISSING,
}


class FailOpenRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._down_until = 0.0
        self._down_since = None

    # -- the breaker ------------------------------------------------------------------------------------------------

    def _tripped(self) -> bool:
        return time.monotonic() < self._down_until

    def _trip(self, exc):
        if self._down_since is None:
            self._down_since = time.monotonic()
            logger.warning("Cache (Redis) unavailable, serving without it: %s: %s", type(exc).__name__, exc)
        self._down_until = time.monotonic() + BREAKER_SECONDS

    def _recovered(self):
        if self._down_since is not None:
            logger.warning("Cache (Redis) reachable again after %.1f s.", time.monotonic() - self._down_since)
            self._down_since = None

    def _call(self, name, fallback, *args, **kwargs):
        if not self._tripped():
            try:
                result = getattr(super(), name)(*args, **kwargs)
            except DOWN as exc:
                self._trip(exc)
            else:
                self._recovered()
                return result
        if fallback is _MISSING:
            raise ValueError("cache unavailable")
        return fallback() if callable(fallback) else fallback

    def is_reachable(self) -> bool:
        """Ask Redis itself (the health check), ignoring the breaker."""
        try:
            self.client.get_client(write=True).ping()
        except DOWN as exc:
            self._trip(exc)
            return False
        self._recovered()
        self._down_until = 0.0
        return True

    # -- the cache API ----------------------------------------------------------------------------------------------

    def get(self, key, default=None, version=None, client=None):
        return self._call("get", default, key, default=default, version=version, client=client)


def _make(name, fallback):
    def method(self, *args, **kwargs):
        return self._call(name, fallback, *args, **kwargs)

    method.__name__ = name
    return method


for _name, _fallback in FALLBACKS.items():
    if _fallback in ({}, []):
        _fallback = type(_fallback)  # a fresh empty dict or list per call
    setattr(FailOpenRedisCache, _name, _make(_name, _fallback))


def cache_is_reachable(cache) -> bool | None:
    """True/False for a fail-open Redis cache; None for other backends (the health check then round-trips a key)."""
    check = getattr(cache, "is_reachable", None)
    return check() if check else None
