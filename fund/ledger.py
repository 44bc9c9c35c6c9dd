"""Posting to the ledger. Every money event of the portal goes through `ledger_post`; nothing edits or deletes entries."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from portal.money import ZERO, money

from .models import Account, CampaignPosition, Entry, Fund, FundPosition, LedgerTransaction

Kind = Account.Kind
# Money the fund can promise. Deliberately not pledges receivable (promises) nor non-cash assets (gifted securities,
# whose price moves until they are sold): those become liquid only when a payment or a sale posts cash.
LIQUID_KINDS = (Kind.CASH, Kind.STRIPE_CLEARING)
PAYABLE_KIND = Kind.GRANTS_PAYABLE
# Postings that may only go through when the fund can afford them (the position's ceiling is not raised for them).
GUARDED_KINDS = {LedgerTransaction.Kind.AWARD_COMMITTED}
# Postings that spend a campaign's restricted money: the campaign's ceiling is not raised for them.
CAMPAIGN_GUARDED_KINDS = {LedgerTransaction.Kind.AWARD_FUNDED}
# A campaign-tagged line on this account spends restricted money; on any other account it adds to or takes from what
# the campaign holds (revenue, fees, refunds, disputes, gains; and pledges or securities not yet turned into money).
ALLOCATION_KIND = Kind.GRANTS_EXPENSE


class LedgerError(Exception):
    pass


@dataclass(frozen=True)
class Line:
    account: str  # an Account.Kind value
    amount: Decimal  # debit positive, credit negative
    campaign: object = None  # a Campaign for restricted money, else None


def source_ref(obj) -> tuple[str, str]:
    return f"{obj._meta.app_label}.{obj._meta.model_name}", str(obj.pk)


def get_account(fund: Fund, kind: str, campaign=None) -> Account:
    account, _ = Account.objects.get_or_create(fund=fund, kind=kind, campaign=campaign)
    return account


def lock_fund_position(fund: Fund) -> FundPosition:
    """The fund's counter row, locked until the end of the current transaction. Call inside `transaction.atomic`."""
    FundPosition.objects.get_or_create(fund=fund)
    return FundPosition.objects.select_for_update().get(fund=fund)


def _apply_to_position(position: FundPosition, kind: str, lines: list[Line]):
    liquid_delta = sum((line.amount for line in lines if line.account in LIQUID_KINDS), ZERO)
    payable_delta = -sum((line.amount for line in lines if line.account == PAYABLE_KIND), ZERO)
    position.liquid = money(position.liquid + liquid_delta)
    position.payable = money(position.payable + payable_delta)
    if kind not in GUARDED_KINDS:
        # External money events are never blocked: the ceiling follows what the fund holds, or what it owes if more.
        position.ceiling = max(position.liquid, position.payable)
    if position.payable > position.ceiling:
        raise LedgerError(
            f"This commitment would leave {position.payable} payable against {position.ceiling} available."
        )
    position.save(update_fields=["liquid", "payable", "ceiling", "updated_at"])


def lock_campaign_positions(campaigns) -> dict[int, CampaignPosition]:
    """The campaigns' restricted-money counters, locked in campaign order. Call after `lock_fund_position`."""
    ids = sorted({c.pk if hasattr(c, "pk") else int(c) for c in campaigns})
    for campaign_id in ids:
        CampaignPosition.objects.get_or_create(campaign_id=campaign_id)
    return {
        p.campaign_id: p
        for p in CampaignPosition.objects.select_for_update().filter(campaign_id__in=ids).order_by("campaign_id")
    }


def campaign_deltas(lines: list[Line]) -> dict[int, tuple[Decimal, Decimal]]:
    """Per campaign id: (change in restricted money held, change in money allocated to awards)."""
    deltas: dict[int, tuple[Decimal, Decimal]] = {}
    for line in lines:
        if line.campaign is None:
            continue
        held, allocated = deltas.get(line.campaign.pk, (ZERO, ZERO))
        if line.account == ALLOCATION_KIND:
            allocated += line.amount
        else:
            held -= line.amount
        deltas[line.campaign.pk] = (held, allocated)
    return deltas


def _apply_to_campaigns(kind: str, lines: list[Line]):
    deltas = campaign_deltas(lines)
    if not deltas:
        return
    positions = lock_campaign_positions(deltas.keys())
    for campaign_id, (held, allocated) in deltas.items():
        position = positions[campaign_id]
        position.restricted = money(position.restricted + held)
        position.allocated = money(position.allocated + allocated)
        if kind not in CAMPAIGN_GUARDED_KINDS:
            position.ceiling = max(position.restricted, position.allocated)
        if position.allocated > position.ceiling and allocated > ZERO:
            raise LedgerError(
                f"This would spend {position.allocated} of a campaign's restricted money, which holds {position.ceiling}."
            )
        position.save(update_fields=["restricted", "allocated", "ceiling", "updated_at"])


@transaction.atomic
def ledger_post(
    *,
    fund: Fund,
    kind: str,
    lines: list[Line],
    memo: str = "",
    source=None,
    created_by=None,
    group=None,
    effective_date: date | None = None,
    reverses: LedgerTransaction | None = None,
) -> LedgerTransaction:
    """Write one balanced transaction and update the fund's position counters in the same database transaction.

    Refuses empty, zero or unbalanced postings, and (for award commitments) postings the fund cannot afford.
    """
    cleaned = [Line(line.account, money(line.amount), line.campaign) for line in lines if money(line.amount) != ZERO]
    if len(cleaned) < 2:
        raise LedgerError("A transaction needs at least two non-zero entries.")
    total = sum((line.amount for line in cleaned), ZERO)
    if total != ZERO:
        raise LedgerError(f"Entries must sum to zero; they sum to {total}.")
    source_type, source_id = source_ref(source) if source is not None else ("", "")
    position = lock_fund_position(fund)
    _apply_to_position(position, kind, cleaned)
    _apply_to_campaigns(kind, cleaned)
    txn = LedgerTransaction.objects.create(
        fund=fund,
        kind=kind,
        memo=memo[:300],
        source_type=source_type,
        source_id=source_id,
        created_by=created_by,
        group=group or LedgerTransaction._meta.get_field("group").default(),
        effective_date=effective_date or timezone.localdate(),
        reverses=reverses,
    )
    Entry.objects.bulk_create(
        [
            Entry(transaction=txn, account=get_account(fund, line.account, line.campaign), amount=line.amount)
            for line in cleaned
        ]
    )
    return txn


@transaction.atomic
def ledger_reverse(
    *, original: LedgerTransaction, kind: str = LedgerTransaction.Kind.REVERSAL, memo="", created_by=None, source=None
):
    """Post the exact opposite of a transaction. A transaction can be reversed once."""
    original = LedgerTransaction.objects.select_for_update().get(pk=original.pk)
    if LedgerTransaction.objects.filter(reverses=original).exists():
        raise LedgerError("This transaction has already been reversed.")
    lines = [Line(e.account.kind, -e.amount, e.account.campaign) for e in original.entries.select_related("account")]
    return ledger_post(
        fund=original.fund,
        kind=kind,
        lines=lines,
        memo=memo or f"Reversal of #{original.pk}",
        source=source,
        created_by=created_by,
        group=original.group,
        reverses=original,
    )


def account_balances(fund: Fund, *, campaign=None, until=None) -> dict[str, Decimal]:
    """Signed sum of entries per account kind (debit +)."""
    qs = Entry.objects.filter(account__fund=fund)
    if campaign is not None:
        qs = qs.filter(account__campaign=campaign)
    if until is not None:
        qs = qs.filter(transaction__effective_date__lte=until)
    rows = qs.values("account__kind").annotate(total=Sum("amount"))
    result = {kind: ZERO for kind in Kind.values}
    for row in rows:
        result[row["account__kind"]] = money(row["total"] or 0)
    return result
