"""A visitor gives $50 monthly with the fee covered on a campaign page, is sent to the fake Stripe Checkout, comes back
to a thank-you page showing the gift, and the campaign's progress bar moves."""

from decimal import Decimal

from fund.donations.models import Donation, Receipt
from fund.donations.selectors import campaign_progress
from tests.factories.cms import make_site

CAMPAIGN_PATH = "/campaigns/naloxone-in-every-pocket/"


def test_visitor_gives_fifty_monthly_with_fee_covered_on_the_campaign_page(
    browser_page, fake_stripe_live, axe_violations, settings
):
    # Cached campaign pages would otherwise expire by themselves after 4 s; with a long lifetime only the cache
    # invalidation on the new gift can explain the progress bar moving on the return visit.
    settings.CMS_LIVE_CACHE_SECONDS = 600
    page = browser_page
    pages = make_site()
    campaign = pages["campaign"]
    campaign.goal, campaign.suggested_amounts = Decimal("1000.00"), [25, 50, 100]
    campaign.save(update_fields=["goal", "suggested_amounts"])
    assert pages["campaign_page"].live and pages["campaign_page"].url == CAMPAIGN_PATH
    assert campaign_progress(campaign)["raised"] == Decimal("0.00")

    # The published Wagtail page, anonymously: rendered once, then served from the page cache at its starting value.
    campaign_url = f"{page.base_url}{CAMPAIGN_PATH}"
    assert page.goto(campaign_url).headers.get("x-page-cache") == "miss"
    assert page.goto(campaign_url).headers.get("x-page-cache") == "hit"
    assert page.locator("h1").inner_text() == "Naloxone in Every Pocket"
    assert page.locator("progress").get_attribute("value") == "0"
    assert page.locator(".campaign-progress .raised").inner_text() == "$0.00"
    assert page.locator("h1").count() == 1
    assert axe_violations(page) == []

    page.get_by_label("$50.00").check()
    page.get_by_label("Monthly").check()
    page.get_by_label("Cover the processing fee").check()
    assert "51.80" in page.locator("#donate-fee-note").inner_text()  # the live fee, from donate.js
    page.get_by_label("Full name").fill("Robin Example")
    page.get_by_role("textbox", name="Email (required)").fill("robin@example.org")
    page.get_by_role("button", name="Continue to secure payment").click()

    page.wait_for_url(f"{fake_stripe_live.url}/checkout/**")
    assert "Pay 51.80 USD every month" in page.content()
    page.get_by_role("button", name="Pay").click()

    page.wait_for_url("**/donate/thanks/**")
    confirmed = page.locator(".donate-confirmed").inner_text()
    assert "51.80 USD is confirmed" in confirmed
    assert "every month" in confirmed
    summary = page.locator(".donate-summary").inner_text()
    assert "Naloxone in Every Pocket" in summary and "Monthly" in summary
    assert page.locator("progress").get_attribute("value") == "5"
    assert axe_violations(page) == []

    donation = Donation.objects.get()
    assert (donation.status, donation.amount, donation.fee_covered, donation.campaign) == (
        "succeeded",
        Decimal("51.80"),
        True,
        campaign,
    )
    assert donation.recurring.status == "active"
    assert Receipt.objects.filter(donation=donation).count() == 1
    assert campaign_progress(campaign)["raised"] == Decimal("51.80")
    [request] = fake_stripe_live.captured("POST", "/v1/checkout/sessions")
    assert request["params"]["mode"] == "subscription"
    assert request["headers"]["Idempotency-Key"] == f"donation-{donation.pk}-checkout"

    # Back on the campaign page: still the cached copy (not a bypass of the cache), with the gift's figures filled in.
    assert not [c for c in page.context.cookies() if c["name"] in (settings.SESSION_COOKIE_NAME, "messages")]
    assert page.goto(campaign_url).headers.get("x-page-cache") == "hit"
    assert page.locator("progress").get_attribute("value") == "5"
    assert page.locator(".campaign-progress .raised").inner_text() == "$51.80"
