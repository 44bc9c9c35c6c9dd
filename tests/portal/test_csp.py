"""Content-Security-Policy and Permissions-Policy: strict on the public site, portals and sign-in, looser (and
documented) in the Wagtail admin; violation reports are logged, never answered with an error page."""

import json
import logging
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test import Client

from portal.security_headers import CSP_REPORTS_PER_MINUTE

pytestmark = pytest.mark.django_db

TEMPLATES_DIR = Path(django_settings.BASE_DIR) / "templates"


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.parametrize("path", ["/accounts/login/", "/accounts/signup/", "/healthz", "/donate/"])
def test_sign_in_and_portal_pages_get_the_strict_policy(client, path):
    response = client.get(path)
    policy = _policy(response)
    assert policy["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["style-src"] and "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert policy["report-uri"] == ["/csp-report/"]
    assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]


def test_signed_in_portal_pages_get_the_strict_policy(client, mfa_user_factory, login):
    login(mfa_user_factory("Applicant", mfa=False))
    response = client.get("/dashboard/")
    assert response.status_code == 200
    assert _policy(response)["script-src"] == ["'self'"]
    assert response["Permissions-Policy"]


def test_forms_may_hand_over_to_stripe_checkout_and_nowhere_else(client):
    form_action = _policy(client.get("/accounts/login/"))["form-action"]
    assert form_action == ["'self'", "https://checkout.stripe.com", "https://billing.stripe.com"]


def test_a_local_fake_stripe_may_receive_the_checkout_hand_over(client, settings):
    settings.STRIPE_API_BASE = "http://127.0.0.1:8123/"
    assert _policy(client.get("/accounts/login/"))["form-action"][-1] == "http://127.0.0.1:8123"


def test_the_wagtail_admin_gets_its_own_looser_policy(client, mfa_user_factory, login):
    login(mfa_user_factory("Program staff"))
    response = client.get("/admin/")
    assert response.status_code == 200
    policy = _policy(response)
    assert "'unsafe-inline'" in policy["script-src"]  # Wagtail's date widgets and inline panels
    assert policy["frame-ancestors"] == ["'self'"]  # page previews are framed by the editor
    assert policy["object-src"] == ["'none'"] and "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert response["Permissions-Policy"]
    # The admin's sign-in redirect is not the admin: it keeps the strict policy.
    assert _policy(Client().get("/accounts/login/"))["script-src"] == ["'self'"]


def test_no_template_has_an_inline_script_or_event_handler_attribute():
    offenders = []
    for template in TEMPLATES_DIR.rglob("*.html"):
        text = template.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and 'type="application/json"' not in tag:
                offenders.append(f"{template.relative_to(TEMPLATES_DIR)}: {tag}")
        offenders += [f"{template.relative_to(TEMPLATES_DIR)}: {m}" for m in re.findall(r"\son[a-z]+\s*=", text)]
        offenders += [f"{template.relative_to(TEMPLATES_DIR)}: javascript:" for _ in re.findall("javascript:", text)]
    assert not offenders


REPORT = {
    "csp-report": {
        "document-uri": "https://fund.example/campaigns/naloxone/",
        "violated-directive": "script-src-elem",
        "effective-directive": "script-src-elem",
        "blocked-uri": "https://evil.example/x.js",
        "original-policy": "default-src 'self'",
    }
}


def test_a_violation_report_is_logged_without_a_csrf_token(caplog):
    client = Client(enforce_csrf_checks=True)
    with caplog.at_level(logging.WARNING, logger="portal.csp"):
        response = client.post("/csp-report/", json.dumps(REPORT), content_type="application/csp-report")
    assert response.status_code == 204
    [record] = [r for r in caplog.records if r.name == "portal.csp"]
    assert "https://evil.example/x.js" in record.getMessage() and "script-src-elem" in record.getMessage()
    assert "original-policy" not in record.getMessage()


def test_reporting_api_reports_are_logged_too(caplog):
    body = [{"type": "csp-violation", "body": {"documentURL": "https://fund.example/", "blockedURL": "inline"}}]
    with caplog.at_level(logging.WARNING, logger="portal.csp"):
        response = Client().post("/csp-report/", json.dumps(body), content_type="application/reports+json")
    assert response.status_code == 204
    assert any("inline" in r.getMessage() for r in caplog.records if r.name == "portal.csp")


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ("not json", 400),
        ('{"csp-report": "nope"}', 400),
        ("[1, 2, 3]", 400),
        (b"\xff\xfe", 400),
        ("{}" + " " * 20_000, 413),
    ],
)
def test_a_bad_or_oversized_report_is_refused_never_an_error_page(body, status, caplog):
    with caplog.at_level(logging.WARNING, logger="portal.csp"):
        response = Client(raise_request_exception=False).post("/csp-report/", body, content_type="application/json")
    assert response.status_code == status
    assert not [r for r in caplog.records if r.name == "portal.csp"]


def test_the_report_endpoint_only_accepts_post():
    assert Client().get("/csp-report/").status_code == 405


def test_a_flood_of_reports_from_one_address_is_cut_off_but_others_still_report(ratelimit_clock):
    cache.clear()
    flood = Client(REMOTE_ADDR="203.0.113.9")
    statuses = [
        flood.post("/csp-report/", json.dumps(REPORT), content_type="application/csp-report").status_code
        for _ in range(CSP_REPORTS_PER_MINUTE + 5)
    ]
    assert statuses.count(204) == CSP_REPORTS_PER_MINUTE and statuses[-5:] == [429] * 5
    other = Client(REMOTE_ADDR="198.51.100.7")
    assert other.post("/csp-report/", json.dumps(REPORT), content_type="application/csp-report").status_code == 204
