"""Card-testing defence: a sliding-window counter (portal.ratelimit) in the shared cache, per IP and per email, on checkout creation.

The cache is an accelerator: if it cannot count (Redis down), the attempt is allowed and a warning logged; Stripe's
own fraud checks still apply. The client address is `portal.net.client_ip` (TRUSTED_PROXY_COUNT)."""

from portal.net import client_ip  # noqa: F401 - the one rule for the client's address, re-exported for the views
from portal.ratelimit import hit as _hit

from . import conf


def checkout_allowed(*, ip: str, email: str) -> bool:
    ip_limit, ip_window = conf.rate_limit_ip()
    email_limit, email_window = conf.rate_limit_email()
    ip_ok = _hit("checkout-ip", ip or "unknown", ip_limit, ip_window)
    email_ok = _hit("checkout-email", (email or "").strip().lower(), email_limit, email_window) if email else True
    return ip_ok and email_ok
