"""Generation numbers in the shared cache: a counter whose every change retires what was stored under an older value
(the page cache's pages, each process's copy of the site state, a live figure's fragments).

Both calls take the cache to use (callers pass their module's own, which tests replace) and never raise: the cache is
an accelerator, so a bump that could not be made is logged, and a generation that cannot be read is None (the caller
then serves nothing from the cache and stores nothing).
"""

import logging
import random

logger = logging.getLogger("cms.cache")


def fresh() -> int:
    # Unlike any value before it, so what was stored before the key was lost (evicted, flushed) never comes back.
    return random.randint(1, 2**31)  # noqa: S311 - not a secret


def bump(cache, key: str, what: str) -> None:
    """Retire everything stored under the current value of `key`."""
    try:
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, fresh(), None)
    except Exception as exc:  # noqa: BLE001 - the cache is an accelerator
        logger.warning("Could not retire %s (cache unavailable: %s)", what, exc)


def current(cache, key: str, what: str):
    """The current value of `key` (made on first use), or None when the cache cannot be read."""
    try:
        value = cache.get(key)
        if value is None:
            cache.add(key, fresh(), None)
            value = cache.get(key)
    except Exception as exc:  # noqa: BLE001
        logger.warning("%s: cache unavailable, reading the database: %s", what, exc)
        return None
    return value
