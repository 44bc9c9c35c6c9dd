"""Content-Security-Policy for every response (django-csp), with a looser policy for the Wagtail admin, and the
endpoint that browsers send CSP violation reports to.

The public site, the portals and sign-in get `CONTENT_SECURITY_POLICY` (scripts only from our own origin: no inline
scripts, no eval). Paths under `CSP_ADMIN_PATH_PREFIX` get `CONTENT_SECURITY_POLICY_ADMIN` instead, because the
Wagtail admin still needs inline styles and a few inline scripts. A cached public page carries the policy its fresh
render was given: the page cache (first in MIDDLEWARE, cms/cache.py) stores each page with its final headers. See README "Security headers".
"""

import json
import logging
from urllib.parse import urlsplit

from csp.middleware import CSPMiddleware, PolicyParts
from csp.utils import default_config
from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .net import client_ip
from .ratelimit import hit

logger = logging.getLogger("portal.csp")

# A real report is well under 2 KB; anything far larger is not read (and not logged).
CSP_REPORT_MAX_BYTES = 16 * 1024
# A browser sends a few reports per page view; a flood from one address is noise (or an attack on the logs).
CSP_REPORTS_PER_MINUTE = 60
# Fields worth a log line; everything else in a report (and any field's excess length) is dropped.
REPORT_FIELDS = (
    "document-uri",
    "documentURL",
    "violated-directive",
    "effectiveDirective",
    "effective-directive",
    "blocked-uri",
    "blockedURL",
    "source-file",
    "sourceFile",
    "line-number",
    "lineNumber",
    "disposition",
)


def stripe_redirect_origins() -> list[str]:
    """Stripe's hosted checkout and billing portal, plus a local fake Stripe's own pages (tests, offline demos)."""
    origins = list(getattr(settings, "STRIPE_REDIRECT_ORIGINS", []))
    api_base = urlsplit(getattr(settings, "STRIPE_API_BASE", "") or "")
    if api_base.scheme and api_base.netloc:
        origins.append(f"{api_base.scheme}://{api_base.netloc}")
    return origins


def is_admin_path(path: str) -> bool:
    return path.startswith(getattr(settings, "CSP_ADMIN_PATH_PREFIX", "/admin/"))


class PortalCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, choosing the admin policy for admin paths; elsewhere forms may also hand over to
    Stripe's hosted pages (`STRIPE_REDIRECT_ORIGINS`, and a fake Stripe's when `STRIPE_API_BASE` points at one;
    read per response, so a test's settings apply)."""

    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if report_only or parts.config is not None:
            return parts
        if is_admin_path(request.path_info):
            parts.config = default_config(getattr(settings, "CONTENT_SECURITY_POLICY_ADMIN", {}).get("DIRECTIVES"))
        else:
            stripe = stripe_redirect_origins()
            parts.update = {
                **(parts.update or {}),
                "form-action": [*(parts.update or {}).get("form-action", []), *stripe],
            }
        return parts


def _summary(report: dict) -> dict:
    return {key: str(report[key])[:300] for key in REPORT_FIELDS if key in report}


def _reports(payload) -> list[dict]:
    """Both report formats: `application/csp-report` ({"csp-report": {...}}) and the Reporting API's list."""
    if isinstance(payload, dict) and isinstance(payload.get("csp-report"), dict):
        return [payload["csp-report"]]
    if isinstance(payload, list):
        return [item["body"] for item in payload[:10] if isinstance(item, dict) and isinstance(item.get("body"), dict)]
    return []


@csrf_exempt
@require_POST
def csp_report(request):
    """Log a browser's CSP violation report. Answers 204 for anything it can read, 400/413 otherwise, 429 when one
    address sends more than CSP_REPORTS_PER_MINUTE; never 500."""
    if not hit("csp-report", client_ip(request), CSP_REPORTS_PER_MINUTE, 60):
        return HttpResponse(status=429)
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > CSP_REPORT_MAX_BYTES:
        return HttpResponse(status=413)
    try:
        body = request.read(CSP_REPORT_MAX_BYTES + 1)
        if len(body) > CSP_REPORT_MAX_BYTES:
            return HttpResponse(status=413)
        reports = _reports(json.loads(body.decode("utf-8")))
    except Exception:  # noqa: BLE001 - bad JSON, bad encoding, a body already read, a dropped connection: all 400
        return HttpResponse(status=400)
    if not reports:
        return HttpResponse(status=400)
    for report in reports:
        logger.warning("CSP violation: %s", json.dumps(_summary(report), sort_keys=True))
    return HttpResponse(status=204)
