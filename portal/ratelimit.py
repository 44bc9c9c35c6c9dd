"""A sliding-window counter in the shared cache: `hit(scope, key, limit, window)` counts one attempt and says whether
it is within the limit.

Each window has its own counter; an attempt is weighed against the current window's count plus the previous window's,
scaled by how much of the previous window still lies within the last `window` seconds. So a burst that straddles the
turn of a window is still refused (a fixed window would let through twice the limit there), at the cost of one more
cache read.

The cache is an accelerator: if it cannot count (Redis down), the attempt is allowed and a warning logged."""

import hashlib
import logging
import time

from django.core.cache import cache

logger = logging.getLogger(__name__)


def hit(scope: str, key: str, limit: int, window: int) -> bool:
    """Count one attempt of `key` in `scope`; True when it is within `limit` attempts per `window` seconds."""
    bucket, into = divmod(time.time(), window)
    bucket = int(bucket)
    base = f"rl:{scope}:{hashlib.sha256(key.encode()).hexdigest()[:32]}"
    current_key, previous_key = f"{base}:{bucket}", f"{base}:{bucket - 1}"
    try:
        # The counter outlives its own window by one more, when it is the "previous" one.
        cache.add(current_key, 0, timeout=2 * window + 5)
        try:
            count = cache.incr(current_key)
        except ValueError:
            cache.set(current_key, 1, timeout=2 * window + 5)
            count = 1
        previous = cache.get(previous_key) or 0
    except Exception as exc:  # noqa: BLE001 - any cache failure: fail open, loudly
        logger.warning("Rate limit %s not counted (cache unavailable: %s); allowing the attempt.", scope, exc)
        return True
    return count + previous * (1 - into / window) <= limit
