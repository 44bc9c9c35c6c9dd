"""The client's address behind N trusted proxies (load balancer, CDN): one rule for allauth and our own rate limits.

`TRUSTED_PROXY_COUNT` (environment, default 0) is how many proxies in front of the app append to X-Forwarded-For.
With 0 the header is ignored (anyone can send it) and REMOTE_ADDR is the client. With N, the client is the Nth address
from the right: the one the outermost trusted proxy saw. A header shorter than that (a request that bypassed the
proxies) falls back to REMOTE_ADDR rather than trusting whatever the client wrote.
"""

import ipaddress

from django.conf import settings


def _clean(value: str) -> str:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [v6]:port
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # v4:port
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return ""


def client_ip(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    count = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if count > 0 and forwarded:
        hops = [hop for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= count:
            ip = _clean(hops[-count])
            if ip:
                return ip
    return _clean(remote) or remote
