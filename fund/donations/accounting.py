"""Ledger postings for gifts, through fund.services' named postings (never hand-built lines).

One posting of each kind per source row (the ledger's unique constraint) makes them exactly-once: the donation is the
source of its gift and fee, each refund or lost dispute is a DonationAdjustment row, a pledge is its own source.
Gifts restricted to a campaign carry the campaign on revenue (and on fees/refunds, as fund.services does).
"""

from fund.ledger import source_ref
from fund.models import Account, LedgerTransaction
from fund.services import (
    ledger_record_dispute_lost,
    ledger_record_dispute_opened,
    ledger_record_dispute_won,
    ledger_record_donation,
    ledger_record_fee_adjustment,
    ledger_record_noncash_gift,
    ledger_record_noncash_sale,
    ledger_record_payout,
    ledger_record_pledge,
    ledger_record_pledge_payment,
    ledger_record_refund,
    noncash_booked_value,
)

from .models import Method

K = Account.Kind
# Gifts of property rather than money: booked to non-cash assets at fair market value until sold.
NONCASH_METHODS = frozenset({Method.STOCK})


def is_noncash(donation) -> bool:
    return donation.method in NONCASH_METHODS


def _day(donation):
    return donation.received_at.date() if donation.received_at else None


def post_online_gift(donation, *, by=None):
    """Gift (Dr Stripe clearing / Cr revenue) and fee (Dr fees / Cr clearing) as two transactions of one event."""
    return ledger_record_donation(
        fund=donation.fund,
        campaign=donation.campaign,
        amount=donation.amount,
        fee=donation.fee_amount,
        source=donation,
        created_by=by,
        effective_date=_day(donation),
        memo=f"Donation #{donation.pk}",
    )


def post_offline_gift(donation, *, by=None):
    """A cheque or transfer goes to cash; a gift of securities to non-cash assets (it is not money until sold)."""
    memo = f"{donation.get_method_display()} gift #{donation.pk}"
    if is_noncash(donation):
        return ledger_record_noncash_gift(
            fund=donation.fund,
            campaign=donation.campaign,
            amount=donation.amount,
            source=donation,
            created_by=by,
            effective_date=_day(donation),
            memo=memo,
        ), None
    return ledger_record_donation(
        fund=donation.fund,
        campaign=donation.campaign,
        amount=donation.amount,
        source=donation,
        created_by=by,
        effective_date=_day(donation),
        clearing_account=K.CASH,
        memo=memo,
    )


def noncash_held(donation):
    """What the ledger still holds in non-cash assets for this gift (zero once sold, or if it was booked as cash)."""
    return noncash_booked_value(source=donation)


def noncash_sale(donation) -> LedgerTransaction | None:
    """The sale recorded for this gift's securities, if any. A gift has one sale (the ledger's unique constraint), so
    a sale later reversed still counts: a wrong sale is corrected by finance with a reversal and a journal, not a
    second sale."""
    source_type, source_id = source_ref(donation)
    return LedgerTransaction.objects.filter(
        kind=LedgerTransaction.Kind.NONCASH_SALE,
        source_type=source_type,
        source_id=source_id,
        reverses__isnull=True,
    ).first()


def post_noncash_sale(donation, *, proceeds, sold_on, by=None):
    """Dr cash (proceeds) / Cr non-cash assets (the value booked) / gain or loss, in the gift's ledger group."""
    gift = LedgerTransaction.objects.filter(
        kind=LedgerTransaction.Kind.OFFLINE_GIFT,
        source_type=source_ref(donation)[0],
        source_id=str(donation.pk),
    ).first()
    return ledger_record_noncash_sale(
        fund=donation.fund,
        campaign=donation.campaign,
        proceeds=proceeds,
        source=donation,
        created_by=by,
        effective_date=sold_on,
        group=gift.group if gift else None,
        memo=f"Sale of securities, gift #{donation.pk}",
    )


def post_adjustment(adjustment, *, by=None):
    donation = adjustment.donation
    kwargs = {
        "fund": donation.fund,
        "campaign": donation.campaign,
        "amount": adjustment.amount,
        "source": adjustment,
        "created_by": by,
        "memo": f"{adjustment.get_kind_display()} of donation #{donation.pk}",
    }
    if adjustment.kind == "refund":
        return ledger_record_refund(**kwargs)
    if adjustment.kind == "dispute_opened":
        return ledger_record_dispute_opened(**kwargs, fee=adjustment.fee)
    if adjustment.kind == "dispute_won":
        return ledger_record_dispute_won(**kwargs, fee_returned=-adjustment.fee)
    # Lost: out of disputed funds when Stripe withdrew the money as the dispute opened, else out of clearing.
    withdrawn = donation.adjustments.filter(kind="dispute_opened").exists()
    return ledger_record_dispute_lost(**kwargs, withdrawn=withdrawn)


def post_fee_adjustment(donation, *, actual_fee, source, by=None):
    """Stripe's actual fee replaces the estimate posted with the gift: post the difference, once per balance
    transaction (its source)."""
    return ledger_record_fee_adjustment(
        fund=donation.fund,
        campaign=donation.campaign,
        difference=actual_fee - donation.fee_amount,
        source=source,
        created_by=by,
        memo=f"Actual Stripe fee for donation #{donation.pk}",
    )


def post_payout_share(share, *, by=None):
    return ledger_record_payout(
        fund=share.fund,
        amount=share.amount,
        source=share,
        created_by=by,
        effective_date=share.payout.arrival_date,
        memo=f"Stripe payout {share.payout.stripe_id}",
    )


def gift_posting(donation) -> LedgerTransaction | None:
    """The posting that booked an offline gift or pledge instalment (not reversed yet), if any."""
    source_type, source_id = source_ref(donation)
    return (
        LedgerTransaction.objects.filter(
            kind__in=[LedgerTransaction.Kind.OFFLINE_GIFT, LedgerTransaction.Kind.PLEDGE_PAYMENT],
            source_type=source_type,
            source_id=source_id,
            reverses__isnull=True,
        )
        .order_by("pk")
        .first()
    )


def post_pledge(pledge, *, by=None):
    return ledger_record_pledge(
        fund=pledge.fund,
        campaign=pledge.campaign,
        amount=pledge.amount,
        source=pledge,
        created_by=by,
        effective_date=pledge.pledged_on,
        memo=f"Pledge #{pledge.pk}",  # the ledger is kept as it is: no donor names in it (erasure)
    )


def post_pledge_payment(donation, *, by=None):
    return ledger_record_pledge_payment(
        fund=donation.fund,
        campaign=donation.campaign,
        amount=donation.amount,
        source=donation,
        created_by=by,
        effective_date=_day(donation),
        memo=f"Pledge payment, donation #{donation.pk}",
    )
