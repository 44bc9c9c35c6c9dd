"""Ledger stories of money that reconciles: every row each scenario writes (debit +, credit −), driven through the
services and the real `stripe` library against the local fake Stripe."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from fund.donations import housekeeping, offline, services
from fund.donations.models import Donation, Pledge, Receipt, RefundRequest
from fund.donations.receipts import receipt_issue_for_donation
from fund.donations.reconcile import stripe_reconcile
from fund.models import CampaignPosition
from fund.selectors import fund_balances
from grants.awards import payments
from grants.awards.funding_models import RoundCampaign
from grants.awards.offers import award_offer
from grants.awards.services import TrancheSpec, award_accept
from portal import roles
from tests.factories.awards import ApprovedApplicationFactory, give_bank_details, grantee_owner
from tests.factories.donations import DonorFactory
from tests.factories.fund import CampaignFactory, FundFactory
from tests.factories.grants import FundingRoundFactory
from tests.fund.conftest import ledger_table

pytestmark = pytest.mark.django_db


@pytest.fixture
def fund(db):
    return FundFactory(slug="stories")


@pytest.fixture
def naloxone(fund):
    return CampaignFactory(fund=fund, slug="naloxone", title="Naloxone in Every Pocket")


@pytest.fixture
def finance(mfa_user_factory):
    return [
        mfa_user_factory(roles.FINANCE, first_name="Marcus", last_name="Bell"),
        mfa_user_factory(roles.FINANCE, first_name="Dana", last_name="Kowalski"),
    ]


def card_gift(fake_stripe, start_gift, fund, *, gift, campaign=None, actual_fee=None):
    """A donor pays by card on the fake Checkout; Stripe's actual fee may differ from the estimate."""
    donation, session = start_gift(fund, gift=gift, campaign=campaign)
    completed = fake_stripe.complete_session(session["id"])
    if actual_fee is not None:
        fake_stripe.set_fee(completed["payment_intent"], actual_fee)
    return services.donation_record_from_checkout(session=completed)


def test_gift_then_actual_fee_then_payout_then_a_grant_paid_from_the_campaigns_money(
    fund, naloxone, fake_stripe, start_gift, finance, mfa_user_factory
):
    donation = card_gift(fake_stripe, start_gift, fund, gift="100.00", campaign=naloxone, actual_fee=380)
    stripe_reconcile(days=1)  # the charge's balance transaction: Stripe kept 3.80 (an international card), not 3.20
    fake_stripe.payout()
    stripe_reconcile(days=1)  # the payout reached the bank
    funding_round = FundingRoundFactory(fund=fund, budget=Decimal("1000.00"))
    RoundCampaign.objects.create(round=funding_round, campaign=naloxone)
    application = ApprovedApplicationFactory(round=funding_round)
    award = award_offer(
        application=application,
        amount=Decimal("90.00"),
        by=mfa_user_factory(roles.PROGRAM_STAFF),
        tranches=[TrancheSpec(Decimal("90.00"), timezone.localdate())],  # one payment, on acceptance
    )
    owner = grantee_owner(application.organisation, first_name="Rosa", last_name="Delgado")
    award_accept(award=award, by=owner, typed_name="Rosa Delgado", agreed=True, ip="127.0.0.1")
    give_bank_details(application.organisation, owner)
    payment = payments.disbursement_prepare(tranche=award.tranches.get(), by=finance[0])
    payments.disbursement_approve(disbursement=payment, by=finance[1])
    batch = payments.payment_batch_create(fund=fund, by=finance[0])
    payments.payment_batch_mark_paid(batch=batch, by=finance[1])

    assert ledger_table(fund) == [
        ("donation", "stripe_clearing", None, "100.00"),
        ("donation", "donations_revenue", "naloxone", "-100.00"),
        ("processing_fee", "processing_fees", "naloxone", "3.20"),
        ("processing_fee", "stripe_clearing", None, "-3.20"),
        ("fee_adjustment", "processing_fees", "naloxone", "0.60"),
        ("fee_adjustment", "stripe_clearing", None, "-0.60"),
        ("payout", "cash", None, "96.20"),
        ("payout", "stripe_clearing", None, "-96.20"),
        ("award_committed", "grants_expense", None, "90.00"),
        ("award_committed", "grants_payable", None, "-90.00"),
        ("award_funded", "grants_expense", "naloxone", "90.00"),
        ("award_funded", "grants_expense", None, "-90.00"),
        ("disbursement_paid", "grants_payable", None, "90.00"),
        ("disbursement_paid", "cash", None, "-90.00"),
    ]
    donation.refresh_from_db()
    assert (donation.fee_amount, donation.net_amount) == (Decimal("3.80"), Decimal("96.20"))
    balances = fund_balances(fund)
    assert (balances["in_stripe"], balances["in_bank"]) == (Decimal("0.00"), Decimal("6.20"))
    assert CampaignPosition.objects.get(campaign=naloxone).balance == Decimal("6.20")
    # Importing again posts nothing twice.
    stripe_reconcile(days=1)
    assert len(ledger_table(fund)) == 14


def test_dispute_opened_then_won(fund, naloxone, fake_stripe, start_gift):
    donation = card_gift(fake_stripe, start_gift, fund, gift="100.00", campaign=naloxone)
    opened = fake_stripe.open_dispute(donation.stripe_payment_intent_id)
    services.donation_record_dispute(dispute=opened)
    assert Donation.objects.get(pk=donation.pk).status == "disputed"
    assert fund_balances(fund)["available_to_award"] == Decimal("-18.20")  # withdrawn at once, with the $15 fee
    won = fake_stripe.close_dispute(opened["id"], won=True)
    services.donation_record_dispute(dispute=won)
    services.donation_record_dispute(dispute=won)  # the closed event delivered twice

    assert ledger_table(fund)[4:] == [
        ("dispute_opened", "disputed_funds", "naloxone", "100.00"),
        ("dispute_opened", "stripe_clearing", None, "-100.00"),
        ("processing_fee", "processing_fees", "naloxone", "15.00"),
        ("processing_fee", "stripe_clearing", None, "-15.00"),
        ("dispute_won", "stripe_clearing", None, "100.00"),
        ("dispute_won", "disputed_funds", "naloxone", "-100.00"),
    ]
    donation.refresh_from_db()
    assert (donation.status, donation.refunded_amount) == ("succeeded", Decimal("0.00"))
    assert fund_balances(fund)["disputed"] == Decimal("0.00")


def test_dispute_opened_then_lost_moves_the_withdrawn_money_to_losses(fund, fake_stripe, start_gift):
    donation = card_gift(fake_stripe, start_gift, fund, gift="100.00")
    opened = fake_stripe.open_dispute(donation.stripe_payment_intent_id)
    services.donation_record_dispute(dispute=opened)
    services.donation_record_dispute(dispute=fake_stripe.close_dispute(opened["id"], won=False))

    assert ledger_table(fund, transaction__kind__in=["dispute_opened", "dispute"]) == [
        ("dispute_opened", "disputed_funds", None, "100.00"),
        ("dispute_opened", "stripe_clearing", None, "-100.00"),
        ("dispute", "dispute_losses", None, "100.00"),
        ("dispute", "disputed_funds", None, "-100.00"),
    ]
    assert Donation.objects.get(pk=donation.pk).status == "refunded"


def test_pledge_written_off(fund, naloxone, finance):
    donor = DonorFactory()
    today = timezone.localdate()
    pledge = offline.pledge_create(
        donor=donor,
        fund=fund,
        campaign=naloxone,
        amount="10000.00",
        pledged_on=today - timedelta(days=90),
        schedule=[(today - timedelta(days=60), "5000.00"), (today, "5000.00")],
        by=finance[0],
    )
    offline.pledge_instalment_pay(
        instalment=pledge.instalments.first(), method="bank_transfer", received_on=today, by=finance[0]
    )
    housekeeping.pledge_cancel(pledge=pledge, by=finance[0], reason="Foundation wound up", write_off=True)

    assert ledger_table(fund) == [
        ("pledge", "pledges_receivable", "naloxone", "10000.00"),
        ("pledge", "donations_revenue", "naloxone", "-10000.00"),
        ("pledge_payment", "cash", None, "5000.00"),
        ("pledge_payment", "pledges_receivable", "naloxone", "-5000.00"),
        ("pledge_written_off", "donations_revenue", "naloxone", "5000.00"),
        ("pledge_written_off", "pledges_receivable", "naloxone", "-5000.00"),
    ]
    balances = fund_balances(fund)
    assert (balances["received"], balances["pledges_outstanding"]) == (Decimal("5000.00"), Decimal("0.00"))
    assert CampaignPosition.objects.get(campaign=naloxone).balance == Decimal("5000.00")
    assert Pledge.objects.get(pk=pledge.pk).status == "written_off"


def test_bounced_cheque(fund, finance):
    gift = offline.donation_record_offline(
        donor=DonorFactory(),
        fund=fund,
        amount="750.00",
        method="cheque",
        received_on=timezone.localdate(),
        reference="CHQ 1001",
        by=finance[0],
    )
    receipt = receipt_issue_for_donation(donation=gift, send=False)
    housekeeping.offline_gift_void(donation=gift, by=finance[1], reason="Returned: insufficient funds", bounced=True)

    assert ledger_table(fund) == [
        ("offline_gift", "cash", None, "750.00"),
        ("offline_gift", "donations_revenue", None, "-750.00"),
        ("cheque_returned", "donations_revenue", None, "750.00"),
        ("cheque_returned", "cash", None, "-750.00"),
    ]
    receipt.refresh_from_db()
    assert receipt.status == Receipt.Status.CANCELLED
    assert Donation.objects.get(pk=gift.pk).status == "bounced"
    assert fund_balances(fund)["received"] == Decimal("0.00")


def test_refund_by_staff_above_the_threshold_needs_a_second_finance_officer(
    fund, naloxone, fake_stripe, start_gift, finance, settings
):
    settings.DONATION_REFUND_FOUR_EYES_ABOVE = "50.00"
    donation = card_gift(fake_stripe, start_gift, fund, gift="100.00", campaign=naloxone)
    request = housekeeping.refund_request_create(
        donation=donation, amount="60.00", reason="Donor gave twice by mistake", by=finance[0]
    )
    assert request.status == RefundRequest.Status.NEEDS_APPROVAL
    assert not fake_stripe.captured("POST", "/v1/refunds")
    with pytest.raises(housekeeping.HousekeepingError, match="another finance officer"):
        housekeeping.refund_request_approve(request=request, by=finance[0])

    request = housekeeping.refund_request_approve(request=request, by=finance[1])

    assert request.status == RefundRequest.Status.SENT
    [sent] = fake_stripe.captured("POST", "/v1/refunds")
    assert sent["params"]["amount"] == "6000"
    assert sent["headers"]["Idempotency-Key"] == f"refund-request-{request.idempotency_key}"
    assert ledger_table(fund)[4:] == [
        ("refund", "refunds", "naloxone", "60.00"),
        ("refund", "stripe_clearing", None, "-60.00"),
    ]
    donation.refresh_from_db()
    assert (donation.status, donation.refunded_amount) == ("partially_refunded", Decimal("60.00"))
    # Stripe's charge.refunded event for the same refund changes nothing.
    services.donation_record_refund(charge=fake_stripe.charge_of(donation.stripe_payment_intent_id))
    assert len(ledger_table(fund)) == 6


def test_a_small_refund_by_staff_goes_to_stripe_at_once(fund, fake_stripe, start_gift, finance, settings):
    settings.DONATION_REFUND_FOUR_EYES_ABOVE = "50.00"
    donation = card_gift(fake_stripe, start_gift, fund, gift="40.00")
    request = housekeeping.refund_request_create(donation=donation, amount="40.00", reason="Asked", by=finance[0])
    assert (request.status, Donation.objects.get(pk=donation.pk).status) == ("sent", "refunded")
    with pytest.raises(housekeeping.HousekeepingError, match="cannot be refunded"):
        housekeeping.refund_request_create(donation=donation, amount="0.01", reason="Again", by=finance[0])
