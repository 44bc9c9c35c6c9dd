"""Named ledger postings for every money event of the portal.

Other apps call these (never `ledger_post` with hand-built lines), so each business event always writes the same
entries. Signs: debit +, credit −. Asset accounts (cash, Stripe clearing, pledges receivable, non-cash assets) are
unrestricted; revenue and the accounts that adjust it (fees, refunds, dispute losses, gain or loss on sale of gifted
securities) carry the campaign when a gift was restricted to one.

Every function takes keyword-only arguments, returns the `LedgerTransaction`(s) it wrote, and relies on the unique
(kind, source) constraint of `LedgerTransaction`: posting the same event for the same source twice raises
`IntegrityError`, so callers inside `transaction.atomic` can treat a second delivery of a webhook as a no-op.
"""

from decimal import Decimal

from django.db.models import Sum

from portal.money import ZERO, money

from .ledger import LedgerError, Line, ledger_post, source_ref
from .models import Account, Entry, LedgerTransaction

K = Account.Kind
T = LedgerTransaction.Kind
CLEARING_ACCOUNTS = {K.STRIPE_CLEARING, K.CASH}


def _positive(amount, what="amount") -> Decimal:
    amount = money(amount)
    if amount <= ZERO:
        raise LedgerError(f"The {what} must be more than zero.")
    return amount


def _clearing(clearing_account) -> str:
    if clearing_account not in CLEARING_ACCOUNTS:
        raise LedgerError(f"Money moves through cash or Stripe clearing, not {clearing_account!r}.")
    return clearing_account


def ledger_record_donation(
    *,
    fund,
    campaign=None,
    amount,
    fee=ZERO,
    source,
    created_by=None,
    effective_date=None,
    clearing_account=K.STRIPE_CLEARING,
    memo="",
) -> tuple[LedgerTransaction, LedgerTransaction | None]:
    """A gift received: Dr clearing / Cr donations revenue (restricted to `campaign` if given), and its processing fee
    as its own transaction in the same group: Dr processing fees / Cr clearing. Card gifts go through Stripe clearing
    (kind `donation`); offline gifts (cheque, bank transfer) through cash (kind `offline_gift`)."""
    amount = _positive(amount)
    fee = money(fee or 0)
    clearing = _clearing(clearing_account)
    kind = T.DONATION if clearing == K.STRIPE_CLEARING else T.OFFLINE_GIFT
    gift = ledger_post(
        fund=fund,
        kind=kind,
        source=source,
        created_by=created_by,
        effective_date=effective_date,
        memo=memo or ("Gift received" if kind == T.DONATION else "Offline gift received"),
        lines=[Line(clearing, amount), Line(K.DONATIONS_REVENUE, -amount, campaign)],
    )
    fee_txn = None
    if fee > ZERO:
        fee_txn = ledger_post(
            fund=fund,
            kind=T.PROCESSING_FEE,
            source=source,
            created_by=created_by,
            group=gift.group,
            effective_date=gift.effective_date,
            memo="Processing fee",
            lines=[Line(K.PROCESSING_FEES, fee, campaign), Line(clearing, -fee)],
        )
    return gift, fee_txn


def ledger_record_noncash_gift(
    *,
    fund,
    campaign=None,
    amount,
    source,
    created_by=None,
    effective_date=None,
    memo="",
) -> LedgerTransaction:
    """A gift of securities (or other property) at its fair market value on the day given: Dr non-cash assets /
    Cr donations revenue (restricted to `campaign` if given). Kind `offline_gift`, like a cheque, so one gift is booked
    once whichever account it lands in. Not cash: it is not available to award until `ledger_record_noncash_sale`."""
    amount = _positive(amount)
    return ledger_post(
        fund=fund,
        kind=T.OFFLINE_GIFT,
        source=source,
        created_by=created_by,
        effective_date=effective_date,
        memo=memo or "Gift of securities received",
        lines=[Line(K.NONCASH_ASSETS, amount), Line(K.DONATIONS_REVENUE, -amount, campaign)],
    )


def noncash_booked_value(*, source) -> Decimal:
    """What the ledger holds in non-cash assets for one gift (its booking, less any sale, plus any reversal of one)."""
    source_type, source_id = source_ref(source)
    total = Entry.objects.filter(
        transaction__source_type=source_type,
        transaction__source_id=source_id,
        account__kind=K.NONCASH_ASSETS,
    ).aggregate(total=Sum("amount"))["total"]
    return money(total or 0)


def ledger_record_noncash_sale(
    *,
    fund,
    campaign=None,
    proceeds,
    source,
    created_by=None,
    effective_date=None,
    group=None,
    memo="",
) -> LedgerTransaction:
    """Gifted securities sold: Dr cash (the proceeds actually received) / Cr non-cash assets (everything still booked
    for `source`, the gift), and the difference to gain or loss on sale (a gain is a credit, a loss a debit), restricted
    to `campaign` like the gift's revenue. The value booked is read from the ledger, never supplied by the caller, so a
    sale always clears exactly its gift; one sale per gift (the unique (kind, source) constraint)."""
    proceeds = _positive(proceeds, "sale proceeds")
    held = noncash_booked_value(source=source)
    if held <= ZERO:
        raise LedgerError("Nothing is held in non-cash assets for this gift.")
    return ledger_post(
        fund=fund,
        kind=T.NONCASH_SALE,
        source=source,
        created_by=created_by,
        effective_date=effective_date,
        group=group,
        memo=memo or "Sale of gifted securities",
        lines=[Line(K.CASH, proceeds), Line(K.NONCASH_ASSETS, -held), Line(K.NONCASH_GAINS, held - proceeds, campaign)],
    )


def ledger_record_refund(
    *,
    fund,
    campaign=None,
    amount,
    source,
    created_by=None,
    effective_date=None,
    clearing_account=K.STRIPE_CLEARING,
    group=None,
    memo="",
) -> LedgerTransaction:
    """Money given back to a donor: Dr refunds / Cr clearing. Never blocked, even if the fund is fully committed.
    Pass the refund object (one per partial refund) as `source`; `group` ties it to the original gift's event."""
    amount = _positive(amount)
    return ledger_post(
        fund=fund,
        kind=T.REFUND,
        source=source,
        created_by=created_by,
        effective_date=effective_date,
        group=group,
        memo=memo or "Refund",
        lines=[Line(K.REFUNDS, amount, campaign), Line(_clearing(clearing_account), -amount)],
    )


def ledger_record_dispute_lost(
    *,
    fund,
    campaign=None,
    amount,
    source,
    fee=ZERO,
    created_by=None,
    effective_date=None,
    group=None,
    memo="",
) -> tuple[LedgerTransaction, LedgerTransaction | None]:
    """A card dispute lost: Dr dispute losses / Cr Stripe clearing; the bank's dispute fee, if any, as a processing fee
    transaction (Dr processing fees / Cr Stripe clearing) in the same group."""
    amount = _positive(amount)
    loss = ledger_post(
        fund=fund,
        kind=T.DISPUTE,
        source=source,
        created_by=created_by,
        effective_date=effective_date,
        group=group,
        memo=memo or "Dispute lost",
        lines=[Line(K.DISPUTE_LOSSES, amount, campaign), Line(K.STRIPE_CLEARING, -amount)],
    )
    fee = money(fee or 0)
    fee_txn = None
    if fee > ZERO:
        fee_txn = ledger_post(
            fund=fund,
            kind=T.PROCESSING_FEE,
            source=source,
            created_by=created_by,
            group=loss.group,
            effective_date=loss.effective_date,
            memo="Dispute fee",
            lines=[Line(K.PROCESSING_FEES, fee, campaign), Line(K.STRIPE_CLEARING, -fee)],
        )
    return loss, fee_txn


def ledger_record_pledge(
    *,
    fund,
    campaign=None,
    amount,
    source,
    created_by=None,
    effective_date=None,
    memo="",
) -> LedgerTransaction:
    """A written pledge: Dr pledges receivable / Cr donations revenue. Not available to award until paid."""
    amount = _positive(amount)
    return ledger_post(
        fund=fund,
        kind=T.PLEDGE,
        source=source,
        created_by=created_by,
        effective_date=effective_date,
        memo=memo or "Pledge",
        lines=[Line(K.PLEDGES_RECEIVABLE, amount), Line(K.DONATIONS_REVENUE, -amount, campaign)],
    )


def ledger_record_pledge_payment(
    *,
    fund,
    amount,
    source,
    created_by=None,
    effective_date=None,
    clearing_account=K.CASH,
    group=None,
    memo="",
) -> LedgerTransaction:
    """An instalment paid against a pledge: Dr cash (or Stripe clearing) / Cr pledges receivable."""
    amount = _positive(amount)
    return ledger_post(
        fund=fund,
        kind=T.PLEDGE_PAYMENT,
        source=source,
        created_by=created_by,
        effective_date=effective_date,
        group=group,
        memo=memo or "Pledge payment",
        lines=[Line(_clearing(clearing_account), amount), Line(K.PLEDGES_RECEIVABLE, -amount)],
    )


def ledger_record_payout(*, fund, amount, source, created_by=None, effective_date=None, memo="") -> LedgerTransaction:
    """Stripe paid out to the bank: Dr cash / Cr Stripe clearing."""
    amount = _positive(amount)
    return ledger_post(
        fund=fund,
        kind=T.PAYOUT,
        source=source,
        created_by=created_by,
        effective_date=effective_date,
        memo=memo or "Stripe payout",
        lines=[Line(K.CASH, amount), Line(K.STRIPE_CLEARING, -amount)],
    )


def ledger_record_award_committed(*, fund, amount, source, created_by=None, effective_date=None, memo=""):
    """An award offered: Dr grants expense / Cr grants payable. Guarded: the fund position refuses over-commitment.
    Callers lock the position first (`fund.ledger.lock_fund_position`) and check `available_to_award`."""
    amount = _positive(amount)
    return ledger_post(
        fund=fund,
        kind=T.AWARD_COMMITTED,
        source=source,
        created_by=created_by,
        effective_date=effective_date,
        memo=memo or "Award committed",
        lines=[Line(K.GRANTS_EXPENSE, amount), Line(K.GRANTS_PAYABLE, -amount)],
    )


def ledger_record_award_released(*, fund, amount, source, created_by=None, effective_date=None, group=None, memo=""):
    """Committed money given back to the fund (offer lowered, declined, expired, award terminated):
    Dr grants payable / Cr grants expense."""
    amount = _positive(amount)
    return ledger_post(
        fund=fund,
        kind=T.AWARD_RELEASED,
        source=source,
        created_by=created_by,
        effective_date=effective_date,
        group=group,
        memo=memo or "Award released",
        lines=[Line(K.GRANTS_PAYABLE, amount), Line(K.GRANTS_EXPENSE, -amount)],
    )


def ledger_record_disbursement_paid(*, fund, amount, source, created_by=None, effective_date=None, group=None, memo=""):
    """A grant payment left the bank: Dr grants payable / Cr cash."""
    amount = _positive(amount)
    return ledger_post(
        fund=fund,
        kind=T.DISBURSEMENT_PAID,
        source=source,
        created_by=created_by,
        effective_date=effective_date,
        group=group,
        memo=memo or "Grant payment",
        lines=[Line(K.GRANTS_PAYABLE, amount), Line(K.CASH, -amount)],
    )


def ledger_record_disbursement_returned(*, paid: LedgerTransaction, source=None, created_by=None, memo=""):
    """The bank returned a grant payment: the exact reversal of its DISBURSEMENT_PAID transaction (Dr cash / Cr grants
    payable), so the money is owed to the grantee again."""
    from .ledger import ledger_reverse

    return ledger_reverse(
        original=paid,
        kind=T.DISBURSEMENT_RETURNED,
        created_by=created_by,
        source=source,
        memo=memo or f"Payment returned (reverses #{paid.pk})",
    )
