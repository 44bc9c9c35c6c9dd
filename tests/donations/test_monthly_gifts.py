"""Monthly gifts on the pinned API version (basil and later), where an invoice no longer names its PaymentIntent:
renewals, refunds and disputes of renewals, Gift Aid on renewals, amount changes, failed payments."""

from decimal import Decimal

import pytest
from django.core import mail

from fund.donations.models import Donation, DonationAdjustment, Receipt, RecurringDonation, StripeEvent
from fund.ledger import account_balances
from fund.models import LedgerTransaction
from tests.factories.fund import FundFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def monthly(fake_stripe, start_gift, post_event, django_capture_on_commit_callbacks):
    """A $20 monthly gift whose first month has been paid and recorded."""

    def make(fund=None, **kwargs):
        fund = fund or FundFactory()
        first, session = start_gift(fund, gift="20.00", monthly=True, **kwargs)
        completed = fake_stripe.complete_session(session["id"])
        with django_capture_on_commit_callbacks(execute=True):
            post_event(fake_stripe.event("checkout.session.completed", completed))
        first.refresh_from_db()
        return fund, first, completed["subscription"]

    return make


def charge_refunded(intent, amount, refunded):
    # A basil-era charge: it names its PaymentIntent, not an invoice.
    return {
        "id": f"ch_for_{intent}",
        "object": "charge",
        "payment_intent": intent,
        "amount": amount,
        "amount_refunded": refunded,
        "currency": "usd",
    }


def test_first_month_and_each_renewal_remember_the_payment_intent_that_paid_them(fake_stripe, monthly, post_event):
    fund, first, sub = monthly()
    assert first.status == "succeeded"
    assert first.stripe_payment_intent_id == fake_stripe.payment_intent_of(first.stripe_invoice_id)
    renewal = fake_stripe.renew(sub, 2000)
    post_event(fake_stripe.event("invoice.paid", renewal))
    second = Donation.objects.get(stripe_invoice_id=renewal["id"])
    assert second.stripe_payment_intent_id == fake_stripe.payment_intent_of(renewal["id"])
    assert [r["params"] for r in fake_stripe.captured("GET", "/v1/invoice_payments")][-1] == {
        "invoice": renewal["id"],
        "status": "paid",
        "limit": "1",
    }


def test_refund_of_a_renewal_is_posted_to_that_months_gift_only(
    fake_stripe, monthly, post_event, django_capture_on_commit_callbacks
):
    fund, first, sub = monthly()
    renewal = fake_stripe.renew(sub, 2000)
    with django_capture_on_commit_callbacks(execute=True):
        post_event(fake_stripe.event("invoice.paid", renewal))
        intent = fake_stripe.payment_intent_of(renewal["id"])
        post_event(fake_stripe.event("charge.refunded", charge_refunded(intent, 2000, 2000)))
    second = Donation.objects.get(stripe_invoice_id=renewal["id"])
    first.refresh_from_db()
    assert (second.status, second.refunded_amount) == ("refunded", Decimal("20.00"))
    assert (first.status, first.refunded_amount) == ("succeeded", Decimal("0.00"))
    assert account_balances(fund)["refunds"] == Decimal("20.00")
    assert StripeEvent.objects.filter(processed_at__isnull=True).count() == 0


def test_refund_of_an_older_renewal_with_no_known_intent_is_found_through_stripe(fake_stripe, monthly, post_event):
    fund, first, sub = monthly()
    renewal = fake_stripe.renew(sub, 2000)
    post_event(fake_stripe.event("invoice.paid", renewal))
    intent = fake_stripe.payment_intent_of(renewal["id"])
    Donation.objects.filter(stripe_invoice_id=renewal["id"]).update(
        stripe_payment_intent_id=None
    )  # recorded before the fix

    post_event(fake_stripe.event("charge.refunded", charge_refunded(intent, 2000, 500)))
    second = Donation.objects.get(stripe_invoice_id=renewal["id"])
    assert (second.status, second.refunded_amount) == ("partially_refunded", Decimal("5.00"))
    assert second.stripe_payment_intent_id == intent  # remembered: the next refund needs no lookup
    lookup = fake_stripe.captured("GET", "/v1/invoice_payments")[-1]["params"]
    assert lookup["payment"] == {"type": "payment_intent", "payment_intent": intent}


def test_refund_arriving_before_its_renewal_waits_and_then_applies(
    fake_stripe, monthly, post_event, django_capture_on_commit_callbacks
):
    fund, first, sub = monthly()
    renewal = fake_stripe.renew(sub, 2000)
    intent = fake_stripe.payment_intent_of(renewal["id"])
    with django_capture_on_commit_callbacks(execute=True):
        post_event(fake_stripe.event("charge.refunded", charge_refunded(intent, 2000, 2000)))
        parked = StripeEvent.objects.get(type="charge.refunded")
        assert parked.state == "deferred" and parked.deferred_key == f"invoice:{renewal['id']}"
        post_event(fake_stripe.event("invoice.paid", renewal))
    parked.refresh_from_db()
    assert parked.state == "processed"
    assert Donation.objects.get(stripe_invoice_id=renewal["id"]).status == "refunded"
    assert DonationAdjustment.objects.count() == 1


def test_lost_dispute_on_a_renewal_posts_the_loss_once(fake_stripe, monthly, post_event):
    fund, first, sub = monthly()
    renewal = fake_stripe.renew(sub, 2000)
    post_event(fake_stripe.event("invoice.paid", renewal))
    dispute = {
        "id": "dp_monthly",
        "object": "dispute",
        "amount": 2000,
        "currency": "usd",
        "charge": "ch_m",
        "payment_intent": fake_stripe.payment_intent_of(renewal["id"]),
        "status": "needs_response",
    }
    post_event(fake_stripe.event("charge.dispute.created", dispute))
    assert Donation.objects.get(stripe_invoice_id=renewal["id"]).status == "disputed"
    for _ in range(2):
        post_event(fake_stripe.event("charge.dispute.closed", {**dispute, "status": "lost"}))
    assert Donation.objects.get(stripe_invoice_id=renewal["id"]).status == "refunded"
    assert account_balances(fund)["dispute_losses"] == Decimal("20.00")
    assert LedgerTransaction.objects.filter(kind="dispute").count() == 1


@pytest.mark.parametrize("closing", ["won", "warning_closed"])
def test_won_dispute_or_closed_inquiry_restores_the_gift_with_nothing_posted(
    fake_stripe, start_gift, post_event, closing
):
    fund = FundFactory()
    donation, session = start_gift(fund, gift="30.00")
    completed = fake_stripe.complete_session(session["id"])
    post_event(fake_stripe.event("checkout.session.completed", completed))
    opening = "needs_response" if closing == "won" else "warning_needs_response"
    dispute = {
        "id": f"dp_{closing}",
        "object": "dispute",
        "amount": 3000,
        "currency": "usd",
        "charge": "ch_w",
        "payment_intent": completed["payment_intent"],
        "status": opening,
    }
    post_event(fake_stripe.event("charge.dispute.created", dispute))
    donation.refresh_from_db()
    assert donation.status == "disputed"
    post_event(fake_stripe.event("charge.dispute.closed", {**dispute, "status": closing}))
    donation.refresh_from_db()
    assert (donation.status, donation.dispute_status, donation.refunded_amount) == (
        "succeeded",
        closing,
        Decimal("0.00"),
    )
    assert account_balances(fund).get("dispute_losses", Decimal("0.00")) == Decimal("0.00")
    assert LedgerTransaction.objects.filter(kind="dispute").count() == 0


def test_uk_renewal_keeps_the_gift_aid_declaration_and_anonymity(
    fake_stripe, monthly, post_event, django_capture_on_commit_callbacks
):
    from pypdf import PdfReader

    uk = FundFactory(
        slug="uk-fund", jurisdiction="UK", currency="GBP", legal_name="Millbrook Trust", charity_number="1234567"
    )
    fund, first, sub = monthly(uk, gift_aid=True, anonymous=True)
    assert first.gift_aid and first.anonymous
    renewal = fake_stripe.renew(sub, 2000, "gbp")
    with django_capture_on_commit_callbacks(execute=True):
        post_event(fake_stripe.event("invoice.paid", renewal))
    second = Donation.objects.get(stripe_invoice_id=renewal["id"])
    assert second.gift_aid and second.anonymous
    assert second.gift_aid_declaration == first.gift_aid_declaration and "in the future" in second.gift_aid_declaration
    assert second.gift_aid_declared_at == first.gift_aid_declared_at
    receipt = Receipt.objects.get(donation=second)
    with receipt.pdf.open("rb") as fh:
        text = " ".join(page.extract_text() for page in PdfReader(fh).pages)
    assert "eligible for Gift Aid" in text and "not declared" not in text


def test_renewal_in_another_currency_is_flagged_for_staff_and_not_recorded(
    fake_stripe, monthly, post_event, settings, django_capture_on_commit_callbacks
):
    fund, first, sub = monthly()
    renewal = fake_stripe.renew(sub, 2000, "eur")
    event = fake_stripe.event("invoice.paid", renewal)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):  # delivered twice: still one flagged row and one email
            post_event(event)
    flagged = Donation.objects.get(stripe_invoice_id=renewal["id"])
    assert flagged.amount_mismatch and flagged.status == "pending" and "eur" in flagged.mismatch_note
    assert account_balances(fund)["donations_revenue"] == Decimal("-20.00")  # the first month only
    assert [m.to for m in mail.outbox if "mismatch" in m.subject] == [[settings.STAFF_NOTIFICATION_EMAIL]]
    assert StripeEvent.objects.filter(type="invoice.paid", processed_at__isnull=False).count() == 1


def test_amount_changed_in_the_customer_portal_follows_to_the_monthly_gift_and_its_renewals(
    fake_stripe, monthly, post_event
):
    fund, first, sub = monthly()
    subscription = {
        "id": sub,
        "object": "subscription",
        "status": "active",
        "items": {"object": "list", "data": [{"price": {"unit_amount": 3500, "currency": "usd"}, "quantity": 1}]},
    }
    post_event(fake_stripe.event("customer.subscription.updated", subscription))
    recurring = RecurringDonation.objects.get()
    assert recurring.amount == Decimal("35.00") and recurring.status == "active"
    renewal = fake_stripe.renew(sub, 3500)
    post_event(fake_stripe.event("invoice.paid", renewal))
    assert Donation.objects.get(stripe_invoice_id=renewal["id"]).amount == Decimal("35.00")
    assert account_balances(fund)["donations_revenue"] == Decimal("-55.00")


def test_failed_renewal_marks_the_gift_past_due_and_recovery_makes_it_active(fake_stripe, monthly, post_event):
    fund, first, sub = monthly()
    failed = fake_stripe.renew(sub, 2000, paid=False)
    post_event(fake_stripe.event("invoice.payment_failed", failed))
    recurring = RecurringDonation.objects.get()
    assert recurring.status == "past_due"
    assert not Donation.objects.filter(stripe_invoice_id=failed["id"]).exists()
    post_event(
        fake_stripe.event("customer.subscription.updated", {"id": sub, "object": "subscription", "status": "active"})
    )
    recurring.refresh_from_db()
    assert recurring.status == "active"
    post_event(
        fake_stripe.event("customer.subscription.deleted", {"id": sub, "object": "subscription", "status": "canceled"})
    )
    post_event(
        fake_stripe.event("customer.subscription.updated", {"id": sub, "object": "subscription", "status": "active"})
    )
    recurring.refresh_from_db()
    assert recurring.status == "canceled" and recurring.canceled_at is not None  # a cancelled gift stays cancelled
