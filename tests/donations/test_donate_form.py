"""The donate form: amounts, fee cover, designation, honeypot, minimum, rate limits, Gift Aid, and no-keys behaviour."""

from decimal import Decimal

import pytest

from fund.donations.fees import checkout_amounts
from fund.donations.forms import donate_form_context
from fund.donations.models import Donation
from tests.factories.donations import DonationFactory
from tests.factories.fund import CampaignFactory, FundFactory

pytestmark = pytest.mark.django_db


def form_data(**overrides):
    data = {
        "amount_choice": "50.00",
        "frequency": "once",
        "designation": "general",
        "name": "Pat Giver",
        "email": "pat@example.org",
        "address_line1": "1 Main St",
        "city": "Millbrook",
        "postal_code": "19000",
        "website": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def fund():
    return FundFactory(is_default=True)


def test_fee_cover_is_computed_from_configurable_rates(settings):
    assert checkout_amounts(Decimal("50"), cover_fee=False) == {
        "amount": Decimal("50.00"),
        "fee": Decimal("1.75"),
        "net": Decimal("48.25"),
        "extra": Decimal("0.00"),
    }
    assert checkout_amounts(Decimal("50"), cover_fee=True)["amount"] == Decimal("51.80")
    settings.DONATION_FEE_PERCENT = "0.022"
    settings.DONATION_FEE_FIXED = "0.20"
    covered = checkout_amounts(Decimal("100"), cover_fee=True)
    assert covered["net"] >= Decimal("100.00") and covered["amount"] == Decimal("102.45")


def test_donate_page_shows_campaign_suggested_amounts_and_fee_note(client, fund):
    campaign = CampaignFactory(fund=fund, suggested_amounts=[35, 70, 140])
    page = client.get(f"/donate/?campaign={campaign.slug}").content.decode()
    assert "$35.00" in page and "$140.00" in page
    assert "Cover the processing fee" in page
    assert f'value="{campaign.slug}" selected' in page
    assert 'name="website"' in page  # honeypot present


def test_valid_gift_redirects_to_stripe_checkout(client, fund, fake_stripe):
    response = client.post("/donate/", form_data(custom_amount="", cover_fee="on"))
    assert response.status_code == 302
    assert response["Location"].startswith(f"{fake_stripe.url}/checkout/cs_test_")
    donation = Donation.objects.get()
    assert donation.amount == Decimal("51.80") and donation.fee_covered
    assert donation.campaign is None


def test_custom_amount_below_minimum_is_refused_with_a_clear_error(client, fund, fake_stripe):
    response = client.post("/donate/", form_data(amount_choice="other", custom_amount="1.00"))
    assert response.status_code == 400
    assert "The minimum gift is $5.00" in response.content.decode()
    assert Donation.objects.count() == 0
    assert fake_stripe.requests == []


def test_other_amount_is_read_as_typed_with_thousands_and_a_dollar_sign(client, fund, fake_stripe):
    response = client.post("/donate/", form_data(amount_choice="other", custom_amount=" $1,000 "))
    assert response.status_code == 302
    assert Donation.objects.get().amount == Decimal("1000.00")


def test_other_amount_that_is_not_an_amount_is_refused_next_to_the_field(client, fund, fake_stripe):
    response = client.post("/donate/", form_data(amount_choice="other", custom_amount="ten dollars"))
    body = response.content.decode()
    assert response.status_code == 400
    assert "Enter an amount in numbers, like 28,800.50." in body
    assert 'aria-describedby="id_custom_amount_helptext id_custom_amount_error"' in body
    assert 'inputmode="decimal"' in body and 'value="ten dollars"' in body
    assert Donation.objects.count() == 0


def test_honeypot_filled_by_a_bot_creates_nothing(client, fund, fake_stripe):
    response = client.post("/donate/", form_data(website="http://spam.example"))
    assert response.status_code == 400
    assert Donation.objects.count() == 0


def test_burst_of_fifty_attempts_from_one_ip_is_refused(client, fund, fake_stripe, ratelimit_clock):
    codes = []
    for i in range(50):
        ratelimit_clock[0] += 0.1  # the window turns after the tenth attempt
        codes.append(client.post("/donate/", form_data(email=f"card{i}@example.org")).status_code)
    assert codes[:10] == [302] * 10
    assert set(codes[10:]) == {429}
    refused = client.post("/donate/", form_data(email="another@example.org"))
    assert "Too many attempts" in refused.content.decode()
    assert Donation.objects.count() == 10


def test_the_limit_lifts_as_attempts_age_out_of_the_last_minute(client, fund, fake_stripe, ratelimit_clock):
    for i in range(10):
        client.post("/donate/", form_data(email=f"card{i}@example.org"))
    assert client.post("/donate/", form_data(email="card10@example.org")).status_code == 429
    ratelimit_clock[0] += 31  # half of the last minute's eleven attempts still count: 5.5 + 1 is within ten
    assert client.post("/donate/", form_data(email="card11@example.org")).status_code == 302
    ratelimit_clock[0] += 60  # a quiet minute later, the earlier attempts are forgotten
    codes = [client.post("/donate/", form_data(email=f"late{i}@example.org")).status_code for i in range(11)]
    assert codes == [302] * 9 + [429] * 2  # the one from half a minute ago still weighs a little


def test_repeated_attempts_with_one_email_are_limited_across_ips(client, fund, fake_stripe, ratelimit_clock):
    codes = [client.post("/donate/", form_data(), REMOTE_ADDR=f"10.0.0.{i}").status_code for i in range(8)]
    assert codes == [302] * 5 + [429] * 3


def test_without_stripe_keys_the_form_explains_online_giving_is_not_set_up(client, fund, settings):
    settings.STRIPE_SECRET_KEY = ""
    page = client.get("/donate/")
    assert page.status_code == 200
    assert "Online giving is not set up yet" in page.content.decode()
    assert client.post("/donate/", form_data()).status_code == 200
    assert Donation.objects.count() == 0


def test_in_debug_without_keys_the_form_says_how_to_set_them(rf, fund, settings):
    settings.STRIPE_SECRET_KEY = ""
    settings.DEBUG = True
    context = donate_form_context(rf.get("/donate/"))
    assert context["donate_ready"] is False and context["donate_debug"] is True


def test_stripe_down_cancels_pending_gift_and_says_nothing_was_charged(client, fund, fake_stripe):
    fake_stripe.fail_next = 10
    response = client.post("/donate/", form_data())
    assert response.status_code == 502
    assert "Nothing was charged" in response.content.decode()
    assert Donation.objects.get().status == "canceled"


def test_uk_fund_shows_hmrc_gift_aid_wording_and_requires_address(client, fake_stripe):
    FundFactory(is_default=True, jurisdiction="UK", currency="GBP", legal_name="Millbrook Trust")
    page = client.get("/donate/").content.decode()
    assert (
        "I want to Gift Aid my donation and any donations I make in the future or have made in the past 4 years to Millbrook Trust"
        in page
    )
    response = client.post("/donate/", form_data(gift_aid="on", address_line1="", postal_code=""))
    assert "Gift Aid needs your home address" in response.content.decode()
    response = client.post("/donate/", form_data(gift_aid="on"))
    assert response.status_code == 302
    donation = Donation.objects.get()
    assert donation.gift_aid and "UK taxpayer" in donation.gift_aid_declaration and donation.currency == "GBP"


def test_us_fund_has_no_gift_aid_field(client, fund):
    assert "Gift Aid" not in client.get("/donate/").content.decode()


def test_dedication_needs_a_name_and_is_kept(client, fund, fake_stripe):
    response = client.post("/donate/", form_data(dedication_type="memory"))
    assert "Tell us who the gift is dedicated to" in response.content.decode()
    client.post(
        "/donate/",
        form_data(
            dedication_type="memory",
            dedication_name="Sam Rivera",
            dedication_notify_email="family@example.org",
            anonymous="on",
        ),
    )
    donation = Donation.objects.get()
    assert (donation.dedication_type, donation.dedication_name, donation.anonymous) == ("memory", "Sam Rivera", True)


def test_designation_to_a_campaign_restricts_the_gift(client, fund, fake_stripe):
    campaign = CampaignFactory(fund=fund)
    client.post("/donate/", form_data(designation=campaign.slug, frequency="monthly"))
    donation = Donation.objects.get()
    assert donation.campaign == campaign
    assert donation.recurring.campaign == campaign


def test_embeddable_form_context_renders_for_a_campaign_page(rf, fund, mfa_user_factory):
    """The contract the cms CampaignPage uses: donate_form_context + the include template."""
    from django.template.loader import render_to_string

    campaign = CampaignFactory(fund=fund, title="Winter Appeal")
    request = rf.get("/campaigns/winter/")
    request.user = mfa_user_factory(mfa=False, email="known@example.org", first_name="Kim", last_name="Known")
    context = donate_form_context(request, campaign=campaign)
    assert {"donate_form", "donate_fund", "donate_campaign", "donate_ready"} <= set(context)
    html = render_to_string("donations/includes/donate_form.html", context, request=request)
    assert "Give to Winter Appeal" in html
    assert f'action="/donate/?campaign={campaign.slug}"' in html
    assert 'value="known@example.org"' in html


def _fee_note(html):
    start = html.index('id="donate-fee-note"')
    return html[start : html.index("</p>", start)]


def test_fee_note_shows_a_percentage_and_money_in_the_funds_currency(client, fund):
    note = _fee_note(client.get("/donate/").content.decode())
    assert "2.9% + $0.30" in note
    assert "0.029" not in note
    assert "$50.00" in note and "$51.80" in note  # the no-JS example, as money


def test_fee_note_follows_configured_rates_without_trailing_zeros(client, settings):
    FundFactory(is_default=True, jurisdiction="UK", currency="GBP")
    settings.DONATION_FEE_PERCENT = "0.0250"
    settings.DONATION_FEE_FIXED = "0.20"
    note = _fee_note(client.get("/donate/").content.decode())
    assert "2.5% + £0.20" in note


# --- The thank-you page after Stripe Checkout --------------------------------------------------------------------------


def _thanks(client, session_id, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return client.get(f"/donate/thanks/?session_id={session_id}" + (f"&{query}" if query else ""))


@pytest.mark.parametrize("status", ["failed", "canceled"])
def test_thanks_page_for_a_failed_or_expired_checkout_says_nothing_was_charged_and_stops_refreshing(
    client, fund, fake_stripe, status
):
    DonationFactory(
        fund=fund, status=status, received_at=None, method="stripe", stripe_checkout_session_id=f"cs_test_{status}"
    )
    response = _thanks(client, f"cs_test_{status}")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'http-equiv="refresh"' not in html
    assert "Nothing was charged" in html
    assert "confirming" not in html
    assert 'href="/donate/"' in html  # try again
    assert fake_stripe.requests == []  # a finished checkout is not asked about again


def test_try_again_link_returns_to_the_campaign_form(client, fund, fake_stripe):
    campaign = CampaignFactory(fund=fund)
    DonationFactory(
        fund=fund,
        campaign=campaign,
        status="failed",
        received_at=None,
        method="stripe",
        stripe_checkout_session_id="cs_test_campaign",
    )
    assert f'href="/donate/?campaign={campaign.slug}"' in _thanks(client, "cs_test_campaign").content.decode()


def test_thanks_page_for_an_amount_mismatch_says_staff_will_contact_and_does_not_refresh(client, fund, fake_stripe):
    DonationFactory(
        fund=fund,
        status="pending",
        received_at=None,
        method="stripe",
        amount_mismatch=True,
        stripe_checkout_session_id="cs_test_mismatch",
    )
    html = _thanks(client, "cs_test_mismatch").content.decode()
    assert 'http-equiv="refresh"' not in html
    assert "We are checking this payment" in html and "staff will contact you" in html
    assert "confirming" not in html


def test_pending_thanks_page_refreshes_then_stops_after_two_minutes(client, fund, start_gift):
    donation, session = start_gift(fund)
    first = _thanks(client, session["id"]).content.decode()
    assert 'http-equiv="refresh"' in first and "attempt=1" in first
    assert "We are confirming your gift" in first
    later = _thanks(client, session["id"], attempt=5).content.decode()
    assert "attempt=6" in later
    last = _thanks(client, session["id"], attempt=24).content.decode()
    assert 'http-equiv="refresh"' not in last
    assert "receipt will arrive by email" in last


@pytest.mark.parametrize("attempt", ["abc", "-3", "99999999999999999999"])
def test_thanks_page_ignores_a_nonsense_attempt_counter(client, fund, start_gift, attempt):
    _donation, session = start_gift(fund)
    response = _thanks(client, session["id"], attempt=attempt)
    assert response.status_code == 200
