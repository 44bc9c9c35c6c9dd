"""Card-testing defence: a fixed-window counter in the shared cache, per IP and per email, on checkout creation.

The cache is an accelerator: if it cannot count (Redis down), the attempt is allowed and a warning logged; Stripe's
own fraud checks still apply. The client address is `portal.net.client_ip` (TRUSTED_PROXY_COUNT)."""

import hashlib
import logging
import time

from django.core.cache import cache

from portal.net import client_ip  # noqa: F401 - the one rule for the client's address, re-exported for the views

from . import conf

logger = logging.getLogger(__name__)


def _hit(scope: str, key: str, limit: int, window: int) -> bool:
    """Count one attempt; True when it is within the limit."""
    bucket = int(time.time() // window)
    cache_key = f"donations:rl:{scope}:{hashlib.sha256(key.encode()).hexdigest()[:32]}:{bucket}"
    try:
        cache.add(cache_key, 0, timeout=window + 5)
        try:
            count = cache.incr(cache_key)
        except ValueError:
            cache.set(cache_key, 1, timeout=window + 5)
            count = 1
    except Exception as exc:  # noqa: BLE001 - any cache failure: fail open, loudly
        logger.warning("Donation rate limit not counted (cache unavailable: %s); allowing the attempt.", exc)
        return True
    return count <= limit


def checkout_allowed(*, ip: str, email: str) -> bool:
    ip_limit, ip_window = conf.rate_limit_ip()
    email_limit, email_window = conf.rate_limit_email()
    ip_ok = _hit("ip", ip or "unknown", ip_limit, ip_window)
    email_ok = _hit("email", (email or "").strip().lower(), email_limit, email_window) if email else True
    return ip_ok and email_ok
