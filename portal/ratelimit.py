"""A fixed-window counter in the shared cache: `hit(scope, key, limit, window)` counts one attempt and says whether it
is within the limit.

The cache is an accelerator: if it cannot count (Redis down), the attempt is allowed and a warning logged."""

import hashlib
import logging
import time

from django.core.cache import cache

logger = logging.getLogger(__name__)


def hit(scope: str, key: str, limit: int, window: int) -> bool:
    """Count one attempt of `key` in `scope`; True when it is within `limit` attempts per `window` seconds."""
    bucket = int(time.time() // window)
    cache_key = f"rl:{scope}:{hashlib.sha256(key.encode()).hexdigest()[:32]}:{bucket}"
    try:
        cache.add(cache_key, 0, timeout=window + 5)
        try:
            count = cache.incr(cache_key)
        except ValueError:
            cache.set(cache_key, 1, timeout=window + 5)
            count = 1
    except Exception as exc:  # noqa: BLE001 - any cache failure: fail open, loudly
        logger.warning("Rate limit %s not counted (cache unavailable: %s); allowing the attempt.", scope, exc)
        return True
    return count <= limit
