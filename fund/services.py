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

from .ledger import LedgerError, Line, ledger_post, ledger_reverse, source_ref
from .models import Account, Campaign, Entry, LedgerTransaction

K = Account.Kind
T = LedgerTransaction.Kind
CLEARING_ACCOUNTS = {K.STRIPE_CLEARING, K.CASH}


def _positive(amount, what="amount") -> Decimal:
    amount = money(amount)
    if amount <= ZERO:
        raise LedgerError(f"The {what} must be more than zero.")
    return amount


def _campaign(campaign_id):
    return Campaign.objects.get(pk=campaign_id) if campaign_id else None


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
        lines=[Line(K.NONCASH_ASSETS, amount, campaign), Line(K.DONATIONS_REVENUE, -amount, campaign)],
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
    # Credit the non-cash account the gift was booked to (restricted to its campaign, or not, as it was booked).
    source_type, source_id = source_ref(source)
    booked = (
        Entry.objects.filter(
            transaction__source_type=source_type, transaction__source_id=source_id, account__kind=K.NONCASH_ASSETS
        )
        .values("account__campaign")
        .annotate(total=Sum("amount"))
    )
    held_lines = [
        Line(K.NONCASH_ASSETS, -money(row["total"]), _campaign(row["account__campaign"]))
        for row in booked
        if money(row["total"] or 0) != ZERO
    ]
    return ledger_post(
        fund=fund,
        kind=T.NONCASH_SALE,
        source=source,
        created_by=created_by,
        effective_date=effective_date,
        group=group,
        memo=memo or "Sale of gifted securities",
        lines=[Line(K.CASH, proceeds), *held_lines, Line(K.NONCASH_GAINS, held - proceeds, campaign)],
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


def ledger_record_dispute_opened(
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
    """Stripe withdrew a disputed charge when the dispute opened: Dr disputed funds / Cr Stripe clearing (restricted
    to the gift's campaign: the campaign no longer holds that money), and the dispute fee at once as a processing fee
    (Dr processing fees / Cr Stripe clearing) in the same group."""
    amount = _positive(amount)
    withdrawal = ledger_post(
        fund=fund,
        kind=T.DISPUTE_OPENED,
        source=source,
        created_by=created_by,
        effective_date=effective_date,
        group=group,
        memo=memo or "Dispute opened: funds withdrawn",
        lines=[Line(K.DISPUTED_FUNDS, amount, campaign), Line(K.STRIPE_CLEARING, -amount)],
    )
    return withdrawal, _dispute_fee(fund, campaign, fee, source, created_by, withdrawal, "Dispute fee")


def _dispute_fee(fund, campaign, fee, source, created_by, txn, memo):
    """A dispute fee (positive: charged) or a returned one (negative) as a processing fee transaction."""
    fee = money(fee or 0)
    if fee == ZERO:
        return None
    return ledger_post(
        fund=fund,
        kind=T.PROCESSING_FEE,
        source=source,
        created_by=created_by,
        group=txn.group,
        effective_date=txn.effective_date,
        memo=memo,
        lines=[Line(K.PROCESSING_FEES, fee, campaign), Line(K.STRIPE_CLEARING, -fee)],
    )


def ledger_record_dispute_won(
    *,
    fund,
    campaign=None,
    amount,
    source,
    fee_returned=ZERO,
    created_by=None,
    effective_date=None,
    group=None,
    memo="",
) -> tuple[LedgerTransaction, LedgerTransaction | None]:
    """Stripe reinstated a disputed charge (dispute won): Dr Stripe clearing / Cr disputed funds; a dispute fee
    returned by Stripe, if any, as a negative processing fee in the same group."""
    amount = _positive(amount)
    reinstated = ledger_post(
        fund=fund,
        kind=T.DISPUTE_WON,
        source=source,
        created_by=created_by,
        effective_date=effective_date,
        group=group,
        memo=memo or "Dispute won: funds reinstated",
        lines=[Line(K.STRIPE_CLEARING, amount), Line(K.DISPUTED_FUNDS, -amount, campaign)],
    )
    return reinstated, _dispute_fee(
        fund, campaign, -money(fee_returned or 0), source, created_by, reinstated, "Dispute fee returned"
    )


def ledger_record_dispute_lost(
    *,
    fund,
    campaign=None,
    amount,
    source,
    fee=ZERO,
    withdrawn=False,
    created_by=None,
    effective_date=None,
    group=None,
    memo="",
) -> tuple[LedgerTransaction, LedgerTransaction | None]:
    """A card dispute lost: Dr dispute losses, Cr disputed funds when Stripe already withdrew the money when the
    dispute opened (`withdrawn`), else Cr Stripe clearing; a dispute fee not yet posted, if any, as a processing fee
    transaction (Dr processing fees / Cr Stripe clearing) in the same group."""
    amount = _positive(amount)
    credit = Line(K.DISPUTED_FUNDS, -amount, campaign) if withdrawn else Line(K.STRIPE_CLEARING, -amount)
    loss = ledger_post(
        fund=fund,
        kind=T.DISPUTE,
        source=source,
        created_by=created_by,
        effective_date=effective_date,
        group=group,
        memo=memo or "Dispute lost",
        lines=[Line(K.DISPUTE_LOSSES, amount, campaign), credit],
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
    """A written pledge: Dr pledges receivable / Cr donations revenue, both restricted to `campaign` if given.
    Not available to award (nor to the campaign) until paid."""
    amount = _positive(amount)
    return ledger_post(
        fund=fund,
        kind=T.PLEDGE,
        source=source,
        created_by=created_by,
        effective_date=effective_date,
        memo=memo or "Pledge",
        lines=[Line(K.PLEDGES_RECEIVABLE, amount, campaign), Line(K.DONATIONS_REVENUE, -amount, campaign)],
    )


def ledger_record_pledge_payment(
    *,
    fund,
    campaign=None,
    amount,
    source,
    created_by=None,
    effective_date=None,
    clearing_account=K.CASH,
    group=None,
    memo="",
) -> LedgerTransaction:
    """An instalment paid against a pledge: Dr cash (or Stripe clearing) / Cr pledges receivable (the pledge's
    campaign, if restricted: the money now counts towards what the campaign holds)."""
    amount = _positive(amount)
    return ledger_post(
        fund=fund,
        kind=T.PLEDGE_PAYMENT,
        source=source,
        created_by=created_by,
        effective_date=effective_date,
        group=group,
        memo=memo or "Pledge payment",
        lines=[Line(_clearing(clearing_account), amount), Line(K.PLEDGES_RECEIVABLE, -amount, campaign)],
    )


def ledger_record_fee_adjustment(
    *, fund, campaign=None, difference, source, created_by=None, effective_date=None, group=None, memo=""
) -> LedgerTransaction:
    """Stripe's actual fee differed from the estimate posted with the gift: the difference (positive: Stripe kept more)
    as Dr processing fees / Cr Stripe clearing, or the other way round when it kept less."""
    difference = money(difference)
    if difference == ZERO:
        raise LedgerError("A fee adjustment needs a difference.")
    return ledger_post(
        fund=fund,
        kind=T.FEE_ADJUSTMENT,
        source=source,
        created_by=created_by,
        effective_date=effective_date,
        group=group,
        memo=memo or "Processing fee adjusted to Stripe's actual fee",
        lines=[Line(K.PROCESSING_FEES, difference, campaign), Line(K.STRIPE_CLEARING, -difference)],
    )


def ledger_record_pledge_cancelled(
    *, fund, campaign=None, amount, source, written_off=False, created_by=None, effective_date=None, group=None, memo=""
) -> LedgerTransaction:
    """The unpaid part of a pledge will not be paid: the receivable is reversed out of revenue
    (Dr donations revenue / Cr pledges receivable, restricted to the pledge's campaign). Kind `pledge_written_off`
    when the donor cannot pay, `pledge_cancelled` when the pledge is withdrawn by agreement."""
    amount = _positive(amount)
    return ledger_post(
        fund=fund,
        kind=T.PLEDGE_WRITTEN_OFF if written_off else T.PLEDGE_CANCELLED,
        source=source,
        created_by=created_by,
        effective_date=effective_date,
        group=group,
        memo=memo or ("Pledge written off" if written_off else "Pledge cancelled"),
        lines=[Line(K.DONATIONS_REVENUE, amount, campaign), Line(K.PLEDGES_RECEIVABLE, -amount, campaign)],
    )


def ledger_record_award_funding(
    *, fund, changes: dict, source, created_by=None, effective_date=None, group=None, memo=""
) -> LedgerTransaction:
    """Move an award's committed expense between its funding sources: `changes` maps a Campaign (restricted money)
    or None (unrestricted) to the change in what it pays, summing to zero. Dr grants expense (campaign) /
    Cr grants expense (unrestricted) when restricted money takes over part of an award, and back on a release.
    Guarded: the campaign's position refuses spending more restricted money than the campaign holds."""
    lines = [Line(K.GRANTS_EXPENSE, money(delta), campaign) for campaign, delta in changes.items()]
    return ledger_post(
        fund=fund,
        kind=T.AWARD_FUNDED,
        source=source,
        created_by=created_by,
        effective_date=effective_date,
        group=group,
        memo=memo or "Award funding sources",
        lines=lines,
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
    return ledger_reverse(
        original=paid,
        kind=T.DISBURSEMENT_RETURNED,
        created_by=created_by,
        source=source,
        memo=memo or f"Payment returned (reverses #{paid.pk})",
    )


def ledger_record_gift_reversed(*, gift: LedgerTransaction, bounced=False, source=None, created_by=None, memo=""):
    """An offline gift (or pledge instalment) that never became money: the exact reversal of its posting. Kind
    `cheque_returned` when the bank returned the cheque unpaid, `gift_voided` when it was recorded in error."""
    return ledger_reverse(
        original=gift,
        kind=T.CHEQUE_RETURNED if bounced else T.GIFT_VOIDED,
        created_by=created_by,
        source=source,
        memo=memo
        or (f"Cheque returned unpaid (reverses #{gift.pk})" if bounced else f"Gift voided (reverses #{gift.pk})"),
    )
