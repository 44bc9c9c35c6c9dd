"""The webhook, driven with the real `stripe` library against the local fake Stripe, events signed as Stripe signs them."""

import json
import time
from decimal import Decimal

import pytest
from django.core import mail

from fund.donations.models import Donation, DonationAdjustment, Receipt, RecurringDonation, StripeEvent
from fund.ledger import account_balances
from fund.models import LedgerTransaction
from tests.factories.fund import CampaignFactory, FundFactory

pytestmark = pytest.mark.django_db


def receipt_emails():
    return [m for m in mail.outbox if "receipt" in m.subject.lower()]


def test_start_checkout_saves_pending_donation_and_sends_deterministic_idempotency_key(fake_stripe, start_gift):
    fund = FundFactory()
    donation, session = start_gift(fund, gift="50.00")
    assert donation.status == "pending"
    assert donation.stripe_checkout_session_id == session["id"]
    [request] = fake_stripe.captured("POST", "/v1/checkout/sessions")
    assert request["headers"]["Idempotency-Key"] == f"donation-{donation.pk}-checkout"
    params = request["params"]
    assert params["mode"] == "payment"
    assert params["submit_type"] == "donate"
    assert params["client_reference_id"] == str(donation.pk)
    assert params["line_items"][0]["price_data"]["unit_amount"] == "5000"
    assert params["line_items"][0]["price_data"]["currency"] == "usd"
    assert params["success_url"].endswith("/donate/thanks/?session_id={CHECKOUT_SESSION_ID}")
    assert request["headers"]["Stripe-Version"] == "2025-10-29.clover"
    assert params["cancel_url"].endswith("/donate/")
    assert params["locale"] == "auto"  # the gift recorded no language: Stripe follows the browser


@pytest.mark.parametrize(
    ("language", "currency", "locale"),
    [("es", "USD", "es"), ("fr", "USD", "fr"), ("fr", "CAD", "fr-CA"), ("en", "CAD", "en")],
)
def test_checkout_speaks_the_language_the_gift_was_made_in(fake_stripe, start_gift, language, currency, locale):
    fund = FundFactory(currency=currency)
    start_gift(fund, language=language)
    [request] = fake_stripe.captured("POST", "/v1/checkout/sessions")
    assert request["params"]["locale"] == locale


def test_backing_out_of_checkout_returns_to_the_same_campaign(fake_stripe, start_gift):
    fund = FundFactory()
    campaign = CampaignFactory(fund=fund, slug="winter-appeal")
    start_gift(fund, campaign=campaign)
    [request] = fake_stripe.captured("POST", "/v1/checkout/sessions")
    assert request["params"]["cancel_url"].endswith("/donate/?campaign=winter-appeal")


def test_monthly_gift_with_fee_covered_uses_subscription_mode_with_recurring_price(fake_stripe, start_gift):
    fund = FundFactory()
    donation, session = start_gift(fund, gift="50.00", monthly=True, cover_fee=True)
    params = fake_stripe.captured("POST", "/v1/checkout/sessions")[0]["params"]
    assert params["mode"] == "subscription"
    assert "submit_type" not in params
    assert params["line_items"][0]["price_data"]["recurring"] == {"interval": "month"}
    # 50.00 gross-up at 2.9% + 0.30: 51.80 charged, 1.80 fee, 50.00 net
    assert params["line_items"][0]["price_data"]["unit_amount"] == "5180"
    assert (donation.amount, donation.fee_amount, donation.net_amount) == (
        Decimal("51.80"),
        Decimal("1.80"),
        Decimal("50.00"),
    )
    assert donation.recurring.status == "pending"


def test_bad_signature_is_refused_and_nothing_is_stored(fake_stripe, start_gift, post_event):
    donation, session = start_gift(FundFactory())
    event = fake_stripe.event("checkout.session.completed", fake_stripe.complete_session(session["id"]))
    response = post_event(event, secret="whsec_wrong")
    assert response.status_code == 400
    response = post_event(event, timestamp=int(time.time()) - 3600)  # outside the 300 s tolerance
    assert response.status_code == 400
    assert StripeEvent.objects.count() == 0
    donation.refresh_from_db()
    assert donation.status == "pending"


def test_tampered_unsigned_or_malformed_bodies_are_refused_without_a_500(fake_stripe, start_gift, client, settings):
    from tests.fakes.stripe_server import sign_payload

    donation, session = start_gift(FundFactory())
    payload = json.dumps(fake_stripe.event("checkout.session.completed", fake_stripe.complete_session(session["id"])))
    header = sign_payload(payload, settings.STRIPE_WEBHOOK_SECRET)

    def post(body, sig):
        extra = {"HTTP_STRIPE_SIGNATURE": sig} if sig is not None else {}
        return client.post("/stripe/webhook/", data=body, content_type="application/json", **extra).status_code

    assert post(payload.replace("5000", "9000"), header) == 400  # changed after Stripe signed it
    assert post(payload, None) == 400
    assert post(payload, "t=1,v1=nothex") == 400
    for body in ["not json", "[1, 2]", '{"no": "id"}', b"\xff\xfe".decode("latin-1")]:
        assert post(body, sign_payload(body, settings.STRIPE_WEBHOOK_SECRET)) == 400
    assert StripeEvent.objects.count() == 0
    assert post(payload, header) == 200


def test_completed_checkout_records_gift_fee_and_one_receipt_to_the_cent(
    fake_stripe, start_gift, post_event, django_capture_on_commit_callbacks
):
    fund = FundFactory()
    campaign = CampaignFactory(fund=fund)
    donation, session = start_gift(fund, gift="50.00", campaign=campaign)
    event = fake_stripe.event("checkout.session.completed", fake_stripe.complete_session(session["id"]))
    with django_capture_on_commit_callbacks(execute=True):
        response = post_event(event)
    assert response.status_code == 200
    donation.refresh_from_db()
    assert donation.status == "succeeded"
    assert donation.stripe_payment_intent_id == session[
        "payment_intent"
    ] or donation.stripe_payment_intent_id.startswith("pi_")
    balances = account_balances(fund)
    assert balances["stripe_clearing"] == Decimal("48.25")
    assert balances["donations_revenue"] == Decimal("-50.00")
    assert balances["processing_fees"] == Decimal("1.75")
    assert account_balances(fund, campaign=campaign)["donations_revenue"] == Decimal("-50.00")
    assert len(receipt_emails()) == 1
    assert receipt_emails()[0].attachments[0][2] == "application/pdf"
    assert Receipt.objects.get(donation=donation).serial == f"US-{donation.received_at.year}-000001"
    assert StripeEvent.objects.get().processed_at is not None
    # the webhook re-read the session from Stripe rather than trusting the event body
    assert fake_stripe.captured("GET", f"/v1/checkout/sessions/{session['id']}")


def test_same_event_five_times_records_one_donation_one_ledger_posting_one_email(
    fake_stripe, start_gift, post_event, django_capture_on_commit_callbacks
):
    fund = FundFactory()
    donation, session = start_gift(fund)
    event = fake_stripe.event("checkout.session.completed", fake_stripe.complete_session(session["id"]))
    with django_capture_on_commit_callbacks(execute=True):
        statuses = [post_event(event).status_code for _ in range(5)]
    assert statuses == [200] * 5
    assert Donation.objects.filter(status="succeeded").count() == 1
    assert LedgerTransaction.objects.filter(kind="donation").count() == 1
    assert LedgerTransaction.objects.filter(kind="processing_fee").count() == 1
    assert StripeEvent.objects.count() == 1
    assert len(receipt_emails()) == 1


def test_redirect_then_webhook_record_the_gift_once(
    fake_stripe, start_gift, post_event, client, django_capture_on_commit_callbacks
):
    fund = FundFactory()
    donation, session = start_gift(fund, gift="75.00")
    completed = fake_stripe.complete_session(session["id"])
    with django_capture_on_commit_callbacks(execute=True):
        page = client.get(f"/donate/thanks/?session_id={session['id']}")
        assert page.status_code == 200
        assert "is confirmed" in page.content.decode()
        assert post_event(fake_stripe.event("checkout.session.completed", completed)).status_code == 200
    assert LedgerTransaction.objects.filter(kind="donation").count() == 1
    assert len(receipt_emails()) == 1


def test_thanks_page_for_unknown_session_is_404(client, fake_stripe):
    assert client.get("/donate/thanks/?session_id=cs_nope").status_code == 404
    assert client.get("/donate/thanks/").status_code == 404


def test_refund_before_completion_ends_refunded_with_reversal_in_ledger(
    fake_stripe, start_gift, post_event, django_capture_on_commit_callbacks
):
    fund = FundFactory()
    donation, session = start_gift(fund, gift="40.00")
    completed = fake_stripe.complete_session(session["id"])
    charge = {
        "id": "ch_test_1",
        "object": "charge",
        "amount": 4000,
        "amount_refunded": 4000,
        "currency": "usd",
        "payment_intent": completed["payment_intent"],
        "metadata": {"donation_id": str(donation.pk)},
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert post_event(fake_stripe.event("charge.refunded", charge)).status_code == 200
        assert StripeEvent.objects.get(type="charge.refunded").state == "deferred"
        assert post_event(fake_stripe.event("checkout.session.completed", completed)).status_code == 200
    donation.refresh_from_db()
    assert donation.status == "refunded"
    assert donation.refunded_amount == Decimal("40.00")
    assert StripeEvent.objects.filter(processed_at__isnull=True).count() == 0
    assert not Receipt.objects.filter(donation=donation).exists()  # fully refunded before any receipt: none issued
    balances = account_balances(fund)
    assert balances["refunds"] == Decimal("40.00")
    assert balances["stripe_clearing"] == Decimal("40.00") - Decimal("1.46") - Decimal("40.00")
    assert DonationAdjustment.objects.count() == 1


def test_partial_refunds_post_only_the_new_part(
    fake_stripe, start_gift, post_event, django_capture_on_commit_callbacks
):
    fund = FundFactory()
    donation, session = start_gift(fund, gift="100.00")
    completed = fake_stripe.complete_session(session["id"])
    base = {
        "id": "ch_test_2",
        "object": "charge",
        "amount": 10000,
        "currency": "usd",
        "payment_intent": completed["payment_intent"],
    }
    with django_capture_on_commit_callbacks(execute=True):
        post_event(fake_stripe.event("checkout.session.completed", completed))
    with django_capture_on_commit_callbacks(execute=True):
        post_event(fake_stripe.event("charge.refunded", {**base, "amount_refunded": 2500}))
        post_event(fake_stripe.event("charge.refunded", {**base, "amount_refunded": 2500}))
        post_event(fake_stripe.event("charge.refunded", {**base, "amount_refunded": 4000}))
    donation.refresh_from_db()
    assert donation.status == "partially_refunded"
    assert donation.refunded_amount == Decimal("40.00")
    assert account_balances(fund)["refunds"] == Decimal("40.00")
    assert LedgerTransaction.objects.filter(kind="refund").count() == 2
    # the receipt never overstates the gift: replaced for the kept amount, old ones kept as cancelled
    live = Receipt.objects.get(donation=donation, status="issued")
    assert live.amount == Decimal("60.00") and live.replaces.status == "cancelled"
    assert Receipt.objects.filter(donation=donation).count() == 2


def test_completion_before_async_success_keeps_pending_then_records(
    fake_stripe, start_gift, post_event, django_capture_on_commit_callbacks
):
    fund = FundFactory()
    donation, session = start_gift(fund, gift="60.00")
    unpaid = fake_stripe.complete_session(session["id"], paid=False)
    with django_capture_on_commit_callbacks(execute=True):
        post_event(fake_stripe.event("checkout.session.completed", unpaid))
        donation.refresh_from_db()
        assert donation.status == "pending"
        assert len(receipt_emails()) == 0
        paid = fake_stripe.async_paid(session["id"])
        post_event(fake_stripe.event("checkout.session.async_payment_succeeded", paid))
        # a late duplicate of the first event changes nothing
        post_event(fake_stripe.event("checkout.session.completed", unpaid))
    donation.refresh_from_db()
    assert donation.status == "succeeded"
    assert account_balances(fund)["donations_revenue"] == Decimal("-60.00")
    assert len(receipt_emails()) == 1


def test_async_payment_failure_marks_donation_failed(fake_stripe, start_gift, post_event):
    donation, session = start_gift(FundFactory())
    unpaid = fake_stripe.complete_session(session["id"], paid=False)
    post_event(fake_stripe.event("checkout.session.async_payment_failed", unpaid))
    donation.refresh_from_db()
    assert donation.status == "failed"
    assert LedgerTransaction.objects.count() == 0


def test_expired_session_cancels_pending_donation(fake_stripe, start_gift, post_event):
    donation, session = start_gift(FundFactory())
    post_event(fake_stripe.event("checkout.session.expired", {**session, "status": "expired"}))
    donation.refresh_from_db()
    assert donation.status == "canceled"


def test_amount_mismatch_is_flagged_for_staff_and_not_recorded(
    fake_stripe, start_gift, post_event, django_capture_on_commit_callbacks
):
    donation, session = start_gift(FundFactory(), gift="50.00")
    tampered = fake_stripe.complete_session(session["id"], amount_total=500)
    with django_capture_on_commit_callbacks(execute=True):
        assert post_event(fake_stripe.event("checkout.session.completed", tampered)).status_code == 200
    donation.refresh_from_db()
    assert donation.status == "pending"
    assert donation.amount_mismatch is True
    assert "500" in donation.mismatch_note
    assert LedgerTransaction.objects.count() == 0
    assert [m.to for m in mail.outbox] == [["grants@millbrook-fund.example"]]


def test_monthly_gift_renewal_invoices_each_record_one_child_donation(
    fake_stripe, start_gift, post_event, django_capture_on_commit_callbacks
):
    fund = FundFactory()
    donation, session = start_gift(fund, gift="20.00", monthly=True)
    completed = fake_stripe.complete_session(session["id"])
    first_invoice = {
        "id": completed["invoice"],
        "object": "invoice",
        "billing_reason": "subscription_create",
        "subscription": completed["subscription"],
        "amount_paid": 2000,
        "currency": "usd",
    }
    renewal = {
        "id": "in_test_renewal",
        "object": "invoice",
        "billing_reason": "subscription_cycle",
        "subscription": completed["subscription"],
        "amount_paid": 2000,
        "currency": "usd",
    }
    with django_capture_on_commit_callbacks(execute=True):
        post_event(fake_stripe.event("invoice.paid", first_invoice))  # before the checkout: waits
        post_event(fake_stripe.event("checkout.session.completed", completed))
        post_event(fake_stripe.event("invoice.paid", renewal))
        post_event(fake_stripe.event("invoice.paid", renewal))
    recurring = RecurringDonation.objects.get()
    assert recurring.status == "active"
    assert recurring.stripe_subscription_id == completed["subscription"]
    assert list(recurring.donations.order_by("pk").values_list("stripe_invoice_id", flat=True)) == [
        completed["invoice"],
        "in_test_renewal",
    ]
    assert account_balances(fund)["donations_revenue"] == Decimal("-40.00")
    assert StripeEvent.objects.filter(processed_at__isnull=True).count() == 0
    assert len(receipt_emails()) == 2


def test_subscription_cancelled_in_stripe_cancels_monthly_gift(
    fake_stripe, start_gift, post_event, django_capture_on_commit_callbacks
):
    donation, session = start_gift(FundFactory(), monthly=True)
    completed = fake_stripe.complete_session(session["id"])
    with django_capture_on_commit_callbacks(execute=True):
        post_event(fake_stripe.event("checkout.session.completed", completed))
        post_event(
            fake_stripe.event(
                "customer.subscription.deleted",
                {"id": completed["subscription"], "object": "subscription", "status": "canceled"},
            )
        )
    assert RecurringDonation.objects.get().status == "canceled"


def test_lost_dispute_posts_a_loss_and_won_dispute_restores(
    fake_stripe, start_gift, post_event, django_capture_on_commit_callbacks
):
    fund = FundFactory()
    donation, session = start_gift(fund, gift="30.00")
    completed = fake_stripe.complete_session(session["id"])
    dispute = {
        "id": "dp_test_1",
        "object": "dispute",
        "amount": 3000,
        "currency": "usd",
        "charge": "ch_test_9",
        "payment_intent": completed["payment_intent"],
        "status": "needs_response",
    }
    with django_capture_on_commit_callbacks(execute=True):
        post_event(fake_stripe.event("checkout.session.completed", completed))
        post_event(fake_stripe.event("charge.dispute.created", dispute))
        donation.refresh_from_db()
        assert donation.status == "disputed"
        post_event(fake_stripe.event("charge.dispute.closed", {**dispute, "status": "lost"}))
        post_event(fake_stripe.event("charge.dispute.closed", {**dispute, "status": "lost"}))
    donation.refresh_from_db()
    assert donation.dispute_status == "lost"
    assert account_balances(fund)["dispute_losses"] == Decimal("30.00")
    assert LedgerTransaction.objects.filter(kind="dispute").count() == 1


def test_handler_error_is_acknowledged_once_stored_and_kept_for_replay(
    fake_stripe, start_gift, post_event, django_capture_on_commit_callbacks
):
    donation, session = start_gift(FundFactory())
    completed = fake_stripe.complete_session(session["id"])
    fake_stripe.fail_next = 3  # Stripe unreachable while we retrieve the session (the client retries twice)
    event = fake_stripe.event("checkout.session.completed", completed)
    # The event is committed before the 2xx, so Stripe need not retry: our consumer does (test_webhook_worker.py).
    assert post_event(event).status_code == 200
    stored = StripeEvent.objects.get()
    assert stored.state == "failed" and stored.attempts == 1 and "Fake Stripe outage" in stored.error
    donation.refresh_from_db()
    assert donation.status == "pending"
    from fund.donations.webhooks import stripe_event_replay

    with django_capture_on_commit_callbacks(execute=True):
        assert stripe_event_replay(event=stored, by=None) == "processed"
    donation.refresh_from_db()
    assert donation.status == "succeeded"
    assert len(receipt_emails()) == 1


def test_unhandled_event_types_are_stored_and_acknowledged(fake_stripe, post_event):
    response = post_event(fake_stripe.event("customer.created", {"id": "cus_1", "object": "customer"}))
    assert response.status_code == 200
    assert StripeEvent.objects.get().state == "processed"


def test_webhook_refuses_get(client):
    assert client.get("/stripe/webhook/").status_code == 405


def test_dedication_notification_is_sent_once_without_the_amount(
    fake_stripe, start_gift, post_event, django_capture_on_commit_callbacks
):
    donation, session = start_gift(
        FundFactory(),
        gift="80.00",
        dedication_type="memory",
        dedication_name="Daniel Okafor",
        dedication_notify_email="family@example.org",
        anonymous=True,
    )
    event = fake_stripe.event("checkout.session.completed", fake_stripe.complete_session(session["id"]))
    with django_capture_on_commit_callbacks(execute=True):
        post_event(event)
        post_event(event)
    [notice] = [m for m in mail.outbox if m.to == ["family@example.org"]]
    assert "in memory of Daniel Okafor" in notice.body
    assert "anonymous" in notice.body and "Gina Giver" not in notice.body and "80" not in notice.body


def test_session_that_is_not_one_of_our_gifts_is_acknowledged_and_noted(fake_stripe, post_event):
    session = fake_stripe.create_session({"line_items": [{"price_data": {"unit_amount": "900", "currency": "usd"}}]})
    response = post_event(fake_stripe.event("checkout.session.completed", fake_stripe.complete_session(session["id"])))
    assert response.status_code == 200
    stored = StripeEvent.objects.get()
    assert stored.processed_at is not None and "No donation for Checkout Session" in stored.error
    assert Donation.objects.count() == 0


@pytest.mark.parametrize(("offset", "expected"), [(400, 400), (-400, 400), (200, 200), (-200, 200), (0, 200)])
def test_webhook_timestamps_outside_300_seconds_either_way_are_refused(post_event, offset, expected):
    event = {"id": f"evt_clock_{offset}", "object": "event", "type": "customer.created", "data": {"object": {}}}
    response = post_event(event, timestamp=int(time.time()) + offset, process=False)
    assert response.status_code == expected
    assert StripeEvent.objects.filter(event_id=event["id"]).exists() is (expected == 200)
