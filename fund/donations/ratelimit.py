"""Card-testing defence: a fixed-window counter in the shared cache, per IP and per email, on checkout creation."""

import hashlib
import time

from django.core.cache import cache

from . import conf


def _hit(scope: str, key: str, limit: int, window: int) -> bool:
    """Count one attempt; True when it is within the limit."""
    bucket = int(time.time() // window)
    cache_key = f"donations:rl:{scope}:{hashlib.sha256(key.encode()).hexdigest()[:32]}:{bucket}"
    cache.add(cache_key, 0, timeout=window + 5)
    try:
        count = cache.incr(cache_key)
    except ValueError:
        cache.set(cache_key, 1, timeout=window + 5)
        count = 1
    return count <= limit


def checkout_allowed(*, ip: str, email: str) -> bool:
    ip_limit, ip_window = conf.rate_limit_ip()
    email_limit, email_window = conf.rate_limit_email()
    ip_ok = _hit("ip", ip or "unknown", ip_limit, ip_window)
    email_ok = _hit("email", (email or "").strip().lower(), email_limit, email_window) if email else True
    return ip_ok and email_ok


def client_ip(request) -> str:
    # Behind a proxy the lead configures REMOTE_ADDR (e.g. via the proxy's real-IP module); never trust X-Forwarded-For here.
    return request.META.get("REMOTE_ADDR", "")
