import json

import pytest
import stripe


@pytest.fixture
def post_event(client, settings):
    """POST an event to /stripe/webhook/ signed exactly as Stripe signs it (checked against stripe.WebhookSignature),
    then let the events consumer take one pass, as `stripe_process_events --loop` does within a second in production.
    `process=False` stops after the webhook's answer."""

    def post(event, *, secret=None, c=None, timestamp=None, process=True):
        from fund.donations.webhooks import stripe_events_process_due
        from tests.fakes.stripe_server import sign_payload

        payload = json.dumps(event)
        header = sign_payload(payload, secret or settings.STRIPE_WEBHOOK_SECRET, timestamp)
        if secret is None and timestamp is None:
            assert stripe.WebhookSignature.verify_header(payload, header, settings.STRIPE_WEBHOOK_SECRET, tolerance=300)
        response = (c or client).post(
            "/stripe/webhook/", data=payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=header
        )
        if process and response.status_code == 200:
            response.consumer_pass = stripe_events_process_due()
        return response

    return post


@pytest.fixture
def start_gift(fake_stripe):
    """Start a gift through the real service (pending donation + Checkout Session on the fake)."""
    from fund.donations import services

    def start(
        fund, *, gift="50.00", monthly=False, cover_fee=False, campaign=None, email="giver@example.org", **kwargs
    ):
        donation, url = services.donation_start_checkout(
            fund=fund,
            campaign=campaign,
            gift=gift,
            cover_fee=cover_fee,
            monthly=monthly,
            email=email,
            name="Gina Giver",
            address={"address_line1": "1 Main St", "city": "Millbrook", "postal_code": "19000"},
            **kwargs,
        )
        return donation, fake_stripe.sessions[donation.stripe_checkout_session_id]

    return start
