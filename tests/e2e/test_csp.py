"""The Content-Security-Policy is on and the pages still work: no "Refused to ..." message in the browser's console on
the public home, a campaign page with the donate form, an application form (with its autosave script) and the
Wagtail admin home, first render and cached copy alike."""

import re

import pytest

from tests.factories.cms import make_site
from tests.factories.grants_extra import draft_for, round_with_form


@pytest.fixture
def csp_console(browser_page):
    """Console messages and page errors that mention a Content-Security-Policy refusal."""
    refused = []

    def on_console(message):
        if "Refused to" in message.text or "Content Security Policy" in message.text:
            refused.append(f"{browser_page.url}: {message.text}")

    browser_page.on("console", on_console)
    browser_page.on("pageerror", lambda error: refused.append(f"{browser_page.url}: {error}"))
    return refused


def _visit(page, path):
    response = page.goto(page.base_url + path)
    page.wait_for_load_state("networkidle")
    assert response.status == 200, path
    assert response.headers.get("content-security-policy"), path
    return response


def test_public_pages_run_under_the_policy_without_a_refusal(browser_page, csp_console):
    page = browser_page
    make_site()
    for path in ("/", "/campaigns/naloxone-in-every-pocket/"):
        _visit(page, path)
        assert _visit(page, path).headers.get("x-page-cache") == "hit"
    # The donate form's script (static/js/donate.js) ran: it fills in the fee note as the donor chooses.
    page.get_by_label("$50.00").check()
    page.locator("#donate-fee-note").get_by_text(re.compile("Your gift")).wait_for()
    assert csp_console == []


def test_the_application_form_and_its_autosave_run_under_the_policy(
    browser_page, e2e_login, mfa_user_factory, csp_console
):
    page = browser_page
    funding_round = round_with_form(slug="community-2026")
    application, user = draft_for(funding_round, user=mfa_user_factory(mfa=False))
    e2e_login(page, user)
    _visit(page, f"/applications/{application.pk}/step/1/")
    page.get_by_label("Contact name").fill("Rosa")
    page.get_by_text("Draft saved automatically").wait_for(timeout=15_000)
    assert csp_console == []


def test_the_wagtail_admin_home_runs_under_its_policy(browser_page, e2e_login, mfa_user_factory, csp_console):
    page = browser_page
    pages = make_site()
    staff = mfa_user_factory("Program staff")
    e2e_login(page, staff, next_url="/admin/")
    page.wait_for_url(re.compile(r"/admin/$"))
    page.wait_for_load_state("networkidle")
    _visit(page, "/admin/pages/")
    _visit(page, f"/admin/pages/{pages['campaign_page'].pk}/edit/")  # date widgets, inline panels, preview
    assert csp_console == []
