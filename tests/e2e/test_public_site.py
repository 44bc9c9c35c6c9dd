"""The public site in a real browser: accessible page types, an editor publishing, live campaign totals."""

import re
from decimal import Decimal

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)

PAGE_TYPES = [
    "/",  # HomePage
    "/campaigns/",  # CampaignIndexPage
    "/campaigns/naloxone-in-every-pocket/",  # CampaignPage
    "/funding/",  # FundingIndexPage
    "/funding/2026-community/",  # FundingRoundPage (open)
    "/funding/2025-harm-reduction/",  # FundingRoundPage (closed, with results)
    "/grants/",  # GrantsDirectoryPage
    "/impact/",  # ImpactPage
    "/stories/",  # StoryIndexPage
    "/stories/outreach-van/",  # StoryPage
    "/about/",  # StandardPage
    "/search/?q=outreach",  # site search
]


@pytest.fixture
def public_site(transactional_db):
    from cms.editors import grant_editor_permissions
    from cms.models import Alert
    from tests.factories.cms import make_public_grant, make_site

    pages = make_site()
    grant = make_public_grant(round=pages["closed_round"], title="Evening drop-in", amount="25000.00")
    pages["grant"] = grant
    Alert.objects.create(
        message="Nitazene-type opioids detected in drug-checking samples from Northside",
        severity="critical",
        expires_at=timezone.now() + timezone.timedelta(days=7),
    )
    grant_editor_permissions()
    return pages


def test_every_page_type_has_no_serious_accessibility_violations(browser_page, axe_violations, public_site):
    paths = PAGE_TYPES + [f"/grants/{public_site['grant'].pk}/"]
    found = {}
    for path in paths:
        browser_page.goto(browser_page.base_url + path)
        assert browser_page.locator("h1").count() == 1, path
        violations = axe_violations(browser_page)
        if violations:
            found[path] = violations
    assert found == {}


def test_skip_link_moves_keyboard_focus_to_the_main_content(browser_page, public_site):
    browser_page.goto(browser_page.base_url + "/campaigns/naloxone-in-every-pocket/")
    browser_page.keyboard.press("Tab")
    assert browser_page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"
    browser_page.keyboard.press("Enter")
    assert browser_page.evaluate("document.activeElement.id") == "main"


def test_deadline_is_shown_in_the_visitors_time_zone(browser_page, public_site):
    browser_page.goto(browser_page.base_url + "/funding/2026-community/")
    deadline = browser_page.locator("time[data-localtime]").first
    # The browser context runs in America/New_York: the script rewrites the server text with the local zone name.
    assert re.search(r"\b(EST|EDT|GMT-5|GMT-4)\b", deadline.inner_text())


def _publish_from_footer(page):
    page.get_by_role("button", name="More actions").last.click()
    page.get_by_role("button", name="Publish").click()
    page.wait_for_load_state()


def test_editor_publishes_an_alert_and_a_story_and_a_visitor_sees_both(
    browser, browser_page, e2e_login, mfa_user_factory, public_site
):
    editor = mfa_user_factory("Editor")
    page = browser_page
    base = page.base_url
    e2e_login(page, editor)

    # An alert in under a minute: one short form.
    page.goto(base + "/admin/snippets/cms/alert/add/")
    page.locator("#id_message").fill("Contaminated batch reported in Riverside: test your supply.")
    page.locator("#id_severity").select_option("critical")
    expires = (timezone.localtime() + timezone.timedelta(days=3)).strftime("%Y-%m-%d %H:%M")
    page.locator("#id_expires_at").fill(expires)
    page.get_by_role("button", name="Save").first.click()
    page.wait_for_load_state()
    assert "/admin/snippets/cms/alert/" in page.url

    # A new story under the story index.
    page.goto(base + f"/admin/pages/add/cms/storypage/{public_site['stories'].pk}/")
    page.locator("#id_title").fill("Drug checking comes to Union Square")
    page.locator("#id_intro").fill("A new weekly drug-checking table opens at the lending library.")
    page.locator("#id_slug").fill("drug-checking-union-square") if page.locator("#id_slug").is_visible() else None
    _publish_from_footer(page)

    visitor = browser.new_context().new_page()
    visitor.goto(base + "/stories/")
    assert "Contaminated batch reported in Riverside" in visitor.content()
    visitor.get_by_role("link", name="Drug checking comes to Union Square").click()
    visitor.wait_for_load_state()
    assert visitor.locator("h1").inner_text() == "Drug checking comes to Union Square"
    visitor.context.close()


def test_home_page_shows_new_campaign_progress_after_a_recorded_donation(browser_page, mfa_user_factory, public_site):
    from tests.factories.cms import record_gift

    page = browser_page
    page.goto(page.base_url + "/")
    assert page.locator(".featured-campaign .raised").inner_text() == "$0.00"
    page.goto(page.base_url + "/")  # now served from the page cache
    record_gift(campaign=public_site["campaign"], amount=Decimal("2500.00"), by=mfa_user_factory("Finance"))
    page.goto(page.base_url + "/")
    assert page.locator(".featured-campaign .raised").inner_text() == "$2,500.00"
    assert page.locator(".featured-campaign progress").get_attribute("value") == "1"
