"""With Redis down, the donate form still starts a checkout (rate limits fail open, with a warning) and a gift that
arrives is recorded and posted to the ledger at once: nothing about the cache runs inside the money transaction."""

import logging
from decimal import Decimal

import pytest
from django.core import mail

from fund.donations.models import Donation, StripeEvent
from fund.models import LedgerTransaction
from tests.factories.fund import FundFactory

from .test_donate_form import form_data

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("cache_down", ["cache_down", "cache_raising"])
def test_a_gift_is_recorded_and_posted_at_once_when_redis_is_down(
    request, cache_down, client, fake_stripe, post_event, caplog, django_capture_on_commit_callbacks
):
    request.getfixturevalue(cache_down)
    FundFactory(is_default=True)
    with caplog.at_level(logging.WARNING):
        response = client.post("/donate/", form_data(amount_choice="50.00"))
    assert response.status_code == 302  # the checkout started
    donation = Donation.objects.get()
    if cache_down == "cache_raising":
        assert "Rate limit checkout-ip not counted" in caplog.text
    session = fake_stripe.complete_session(donation.stripe_checkout_session_id)
    with django_capture_on_commit_callbacks(execute=True):
        answer = post_event(fake_stripe.event("checkout.session.completed", session))
    assert answer.status_code == 200 and answer.consumer_pass == {"processed": 1}
    donation.refresh_from_db()
    assert donation.status == "succeeded" and donation.amount == Decimal("50.00")
    assert LedgerTransaction.objects.filter(kind="donation", source_id=str(donation.pk)).count() == 1
    assert StripeEvent.objects.get().state == "processed"
    assert [m for m in mail.outbox if "receipt" in m.subject.lower()]
