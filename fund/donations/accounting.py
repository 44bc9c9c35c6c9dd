"""Ledger postings for gifts, through fund.services' named postings (never hand-built lines).

One posting of each kind per source row (the ledger's unique constraint) makes them exactly-once: the donation is the
source of its gift and fee, each refund or lost dispute is a DonationAdjustment row, a pledge is its own source.
Gifts restricted to a campaign carry the campaign on revenue (and on fees/refunds, as fund.services does).
"""

from fund.models import Account
from fund.services import (
    ledger_record_dispute_lost,
    ledger_record_donation,
    ledger_record_pledge,
    ledger_record_pledge_payment,
    ledger_record_refund,
)

K = Account.Kind


def _day(donation):
    return donation.received_at.date() if donation.received_at else None


def post_online_gift(donation, *, by=None):
    """Gift (Dr Stripe clearing / Cr revenue) and fee (Dr fees / Cr clearing) as two transactions of one event."""
    return ledger_record_donation(
        fund=donation.fund, campaign=donation.campaign, amount=donation.amount, fee=donation.fee_amount, source=donation,
        created_by=by, effective_date=_day(donation), memo=f"Donation #{donation.pk}",
    )


def post_offline_gift(donation, *, by=None):
    return ledger_record_donation(
        fund=donation.fund, campaign=donation.campaign, amount=donation.amount, source=donation, created_by=by,
        effective_date=_day(donation), clearing_account=K.CASH, memo=f"{donation.get_method_display()} gift #{donation.pk}",
    )


def post_adjustment(adjustment, *, by=None):
    donation = adjustment.donation
    kwargs = {"fund": donation.fund, "campaign": donation.campaign, "amount": adjustment.amount, "source": adjustment,
              "created_by": by, "memo": f"{adjustment.get_kind_display()} of donation #{donation.pk}"}
    if adjustment.kind == "refund":
        return ledger_record_refund(**kwargs)
    return ledger_record_dispute_lost(**kwargs)


def post_pledge(pledge, *, by=None):
    return ledger_record_pledge(
        fund=pledge.fund, campaign=pledge.campaign, amount=pledge.amount, source=pledge, created_by=by,
        effective_date=pledge.pledged_on, memo=f"Pledge #{pledge.pk} from {pledge.donor}",
    )


def post_pledge_payment(donation, *, by=None):
    return ledger_record_pledge_payment(
        fund=donation.fund, amount=donation.amount, source=donation, created_by=by, effective_date=_day(donation),
        memo=f"Pledge payment, donation #{donation.pk}",
    )
