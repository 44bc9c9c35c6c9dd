"""Ledger postings for gifts. One posting of each kind per source row (the ledger's unique constraint) makes them exactly-once.

Conventions (DESIGN.md): gift Dr stripe_clearing / Cr donations_revenue (per campaign when restricted);
fee Dr processing_fees / Cr stripe_clearing; refund Dr refunds / Cr stripe_clearing; lost dispute Dr dispute_losses /
Cr stripe_clearing; offline gift Dr cash / Cr donations_revenue; pledge Dr pledges_receivable / Cr donations_revenue;
pledge payment Dr cash / Cr pledges_receivable.
"""

from fund.ledger import Line, ledger_post
from fund.models import Account, LedgerTransaction

K = Account.Kind
T = LedgerTransaction.Kind


def post_online_gift(donation, *, by=None):
    """Gift and fee as two transactions of one business event."""
    day = donation.received_at.date() if donation.received_at else None
    memo = f"Donation #{donation.pk}"
    gift = ledger_post(
        fund=donation.fund, kind=T.DONATION, source=donation, created_by=by, effective_date=day, memo=memo,
        lines=[Line(K.STRIPE_CLEARING, donation.amount), Line(K.DONATIONS_REVENUE, -donation.amount, donation.campaign)],
    )
    if donation.fee_amount:
        ledger_post(
            fund=donation.fund, kind=T.PROCESSING_FEE, source=donation, created_by=by, effective_date=day,
            memo=f"Processing fee, donation #{donation.pk}", group=gift.group,
            lines=[Line(K.PROCESSING_FEES, donation.fee_amount), Line(K.STRIPE_CLEARING, -donation.fee_amount)],
        )
    return gift


def post_offline_gift(donation, *, by=None):
    day = donation.received_at.date() if donation.received_at else None
    return ledger_post(
        fund=donation.fund, kind=T.OFFLINE_GIFT, source=donation, created_by=by, effective_date=day,
        memo=f"{donation.get_method_display()} gift #{donation.pk}",
        lines=[Line(K.CASH, donation.amount), Line(K.DONATIONS_REVENUE, -donation.amount, donation.campaign)],
    )


def post_adjustment(adjustment, *, by=None):
    donation = adjustment.donation
    if adjustment.kind == "refund":
        kind, account = T.REFUND, K.REFUNDS
    else:
        kind, account = T.DISPUTE, K.DISPUTE_LOSSES
    return ledger_post(
        fund=donation.fund, kind=kind, source=adjustment, created_by=by,
        memo=f"{adjustment.get_kind_display()} of donation #{donation.pk}",
        lines=[Line(account, adjustment.amount), Line(K.STRIPE_CLEARING, -adjustment.amount)],
    )


def post_pledge(pledge, *, by=None):
    return ledger_post(
        fund=pledge.fund, kind=T.PLEDGE, source=pledge, created_by=by, effective_date=pledge.pledged_on,
        memo=f"Pledge #{pledge.pk} from {pledge.donor}",
        lines=[Line(K.PLEDGES_RECEIVABLE, pledge.amount), Line(K.DONATIONS_REVENUE, -pledge.amount, pledge.campaign)],
    )


def post_pledge_payment(donation, *, by=None):
    day = donation.received_at.date() if donation.received_at else None
    return ledger_post(
        fund=donation.fund, kind=T.PLEDGE_PAYMENT, source=donation, created_by=by, effective_date=day,
        memo=f"Pledge payment, donation #{donation.pk}",
        lines=[Line(K.CASH, donation.amount), Line(K.PLEDGES_RECEIVABLE, -donation.amount)],
    )
