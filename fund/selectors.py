"""Reads over the ledger. Every figure is a SQL aggregate over entries; nothing is cached in Python."""

from decimal import Decimal

from django.db.models import Sum

from portal.money import ZERO, money

from .ledger import account_balances
from .models import Account, Entry, LedgerTransaction

K = Account.Kind


def _figures(bal: dict[str, Decimal]) -> dict[str, Decimal]:
    received = -bal[K.DONATIONS_REVENUE]
    fees = bal[K.PROCESSING_FEES]
    refunded = bal[K.REFUNDS]
    dispute_losses = bal[K.DISPUTE_LOSSES]
    committed = bal[K.GRANTS_EXPENSE]
    outstanding = -bal[K.GRANTS_PAYABLE]
    cash_on_hand = bal[K.CASH] + bal[K.STRIPE_CLEARING]
    sale_gains = -bal[K.NONCASH_GAINS]
    return {
        "received": money(received),
        "fees": money(fees),
        "refunded": money(refunded),
        "dispute_losses": money(dispute_losses),
        # Gifts of securities count at their value on the day given; their sale adds its gain (or loss) here.
        "sale_gains": money(sale_gains),
        "net_received": money(received - fees - refunded - dispute_losses + sale_gains),
        "pledges_outstanding": money(bal[K.PLEDGES_RECEIVABLE]),
        # Withdrawn by Stripe while a card dispute is open: neither lost nor available until it is decided.
        "disputed": money(bal[K.DISPUTED_FUNDS]),
        "noncash_held": money(bal[K.NONCASH_ASSETS]),
        "committed": money(committed),
        "outstanding_commitments": money(outstanding),
        "disbursed": money(committed - outstanding),
        "cash_on_hand": money(cash_on_hand),
        "in_bank": money(bal[K.CASH]),
        "in_stripe": money(bal[K.STRIPE_CLEARING]),
        # Only money actually held can be promised: unpaid pledges and unsold securities are not available to award
        # (the same rule as the FundPosition counter that guards award commitments in the database).
        "available_to_award": money(cash_on_hand - outstanding),
    }


def fund_balances(fund) -> dict:
    """The fund's figures: received, fees, refunded, dispute_losses, sale_gains, net_received, pledges_outstanding,
    noncash_held (gifted securities not yet sold), committed (net of releases, including what was paid),
    outstanding_commitments, disbursed, cash_on_hand, available_to_award (cash on hand less what is owed: never
    pledges or unsold securities); plus `campaigns`: per restricted campaign its received, fees, refunded,
    dispute_losses, sale_gains, net, held, allocated and restricted_balance (two queries); restricted_unspent (what
    campaigns hold and have not allocated) and unrestricted_available (available_to_award less that)."""
    result = _figures(account_balances(fund))
    result["campaigns"] = campaign_balances(fund)
    # Money given to campaigns and not yet spent on their grants is not free for other awards.
    restricted = sum((max(c["restricted_balance"], ZERO) for c in result["campaigns"]), ZERO)
    result["restricted_unspent"] = money(restricted)
    result["unrestricted_available"] = money(result["available_to_award"] - restricted)
    return result


def campaign_balances(fund) -> list[dict]:
    rows = (
        Entry.objects.filter(account__fund=fund, account__campaign__isnull=False)
        .values("account__campaign", "account__campaign__title", "account__campaign__slug", "account__kind")
        .annotate(total=Sum("amount"))
        .order_by("account__campaign__title")
    )
    by_campaign: dict[int, dict] = {}
    for row in rows:
        item = by_campaign.setdefault(
            row["account__campaign"],
            {
                "campaign_id": row["account__campaign"],
                "title": row["account__campaign__title"],
                "slug": row["account__campaign__slug"],
                "received": ZERO,
                "fees": ZERO,
                "refunded": ZERO,
                "dispute_losses": ZERO,
                "sale_gains": ZERO,
                "held": ZERO,
                "allocated": ZERO,
            },
        )
        total = money(row["total"] or 0)
        kind = row["account__kind"]
        if kind == K.GRANTS_EXPENSE:
            item["allocated"] += total
        else:
            item["held"] -= total
        if kind == K.DONATIONS_REVENUE:
            item["received"] = -total
        elif kind == K.PROCESSING_FEES:
            item["fees"] = total
        elif kind == K.REFUNDS:
            item["refunded"] = total
        elif kind == K.DISPUTE_LOSSES:
            item["dispute_losses"] = total
        elif kind == K.NONCASH_GAINS:
            item["sale_gains"] = -total
    for item in by_campaign.values():
        # Restricted money the campaign still holds for awards not yet made (see fund.models.CampaignPosition).
        item["restricted_balance"] = money(item["held"] - item["allocated"])
        item["net"] = money(
            item["received"] - item["fees"] - item["refunded"] - item["dispute_losses"] + item["sale_gains"]
        )
    return list(by_campaign.values())


def campaign_raised(campaign) -> Decimal:
    """Net money raised for one campaign (gifts and pledges, less fees, refunds and lost disputes, plus any gain or
    less any loss on selling gifted securities)."""
    bal = account_balances(campaign.fund, campaign=campaign)
    return money(
        -bal[K.DONATIONS_REVENUE]
        - bal[K.PROCESSING_FEES]
        - bal[K.REFUNDS]
        - bal[K.DISPUTE_LOSSES]
        - bal[K.NONCASH_GAINS]
    )


def ledger_transactions(fund=None):
    """Ledger transactions newest first, with their entries and accounts prefetched (for listings and CSV export)."""
    qs = LedgerTransaction.objects.select_related("fund", "created_by").prefetch_related("entries__account__campaign")
    if fund is not None:
        qs = qs.filter(fund=fund)
    return qs.order_by("-created_at", "-pk")


def ledger_rows_for_export(fund):
    """One row per entry, oldest first, for accountants: (date, transaction, kind, memo, source, account, campaign,
    debit, credit). Iterates in chunks so a large ledger streams."""
    qs = (
        Entry.objects.filter(transaction__fund=fund)
        .select_related("transaction", "account", "account__campaign")
        .order_by("transaction__effective_date", "transaction_id", "pk")
    )
    for entry in qs.iterator(chunk_size=2000):
        txn = entry.transaction
        yield [
            txn.effective_date.isoformat(),
            txn.pk,
            txn.get_kind_display(),
            txn.memo,
            f"{txn.source_type}:{txn.source_id}" if txn.source_type else "",
            entry.account.get_kind_display(),
            entry.account.campaign.title if entry.account.campaign_id else "",
            f"{entry.amount:.2f}" if entry.amount > 0 else "",
            f"{-entry.amount:.2f}" if entry.amount < 0 else "",
        ]
