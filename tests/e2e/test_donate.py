"""A visitor gives $50 monthly with the fee covered on a campaign's donate form, pays on the (fake) Stripe Checkout,
comes back to a thank-you page showing the gift, and the campaign's progress bar moves."""

from decimal import Decimal

import pytest

from fund.donations.models import Donation, Receipt
from fund.donations.selectors import campaign_progress
from tests.factories.fund import CampaignFactory, FundFactory
from tests.fakes.stripe_server import FakeStripe


@pytest.fixture
def fake_stripe_live(settings, live_server):
    fake = FakeStripe(api_key=settings.STRIPE_SECRET_KEY, webhook_secret=settings.STRIPE_WEBHOOK_SECRET,
                      webhook_url=f"{live_server.url}/stripe/webhook/").start()
    settings.STRIPE_API_BASE = fake.url
    settings.SITE_URL = live_server.url
    yield fake
    fake.stop()


def test_visitor_gives_fifty_monthly_with_fee_covered_and_progress_moves(browser_page, fake_stripe_live, axe_violations):
    page = browser_page
    fund = FundFactory(is_default=True)
    campaign = CampaignFactory(fund=fund, title="Naloxone in Every Pocket", slug="naloxone", goal=Decimal("1000.00"),
                               suggested_amounts=[25, 50, 100])
    assert campaign_progress(campaign)["raised"] == Decimal("0.00")

    page.goto(f"{page.base_url}/donate/?campaign=naloxone")
    assert page.locator("progress").get_attribute("value") == "0"
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
    assert page.locator("progress").get_attribute("value") == "5"
    assert axe_violations(page) == []

    donation = Donation.objects.get()
    assert (donation.status, donation.amount, donation.fee_covered, donation.campaign) == ("succeeded", Decimal("51.80"), True, campaign)
    assert donation.recurring.status == "active"
    assert Receipt.objects.filter(donation=donation).count() == 1
    assert campaign_progress(campaign)["raised"] == Decimal("51.80")
    [request] = fake_stripe_live.captured("POST", "/v1/checkout/sessions")
    assert request["params"]["mode"] == "subscription"
    assert request["headers"]["Idempotency-Key"] == f"donation-{donation.pk}-checkout"

    page.goto(f"{page.base_url}/donate/?campaign=naloxone")
    assert page.locator("progress").get_attribute("value") == "5"
