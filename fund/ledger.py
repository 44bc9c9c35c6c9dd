"""Posting to the ledger. Every money event of the portal goes through `ledger_post`; nothing edits or deletes entries."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from portal.money import ZERO, money

from .models import Account, Entry, Fund, LedgerTransaction

Kind = Account.Kind


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
    """Write one balanced transaction. Refuses empty, zero or unbalanced postings."""
    cleaned = [Line(line.account, money(line.amount), line.campaign) for line in lines if money(line.amount) != ZERO]
    if len(cleaned) < 2:
        raise LedgerError("A transaction needs at least two non-zero entries.")
    total = sum((line.amount for line in cleaned), ZERO)
    if total != ZERO:
        raise LedgerError(f"Entries must sum to zero; they sum to {total}.")
    source_type, source_id = source_ref(source) if source is not None else ("", "")
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
        [Entry(transaction=txn, account=get_account(fund, line.account, line.campaign), amount=line.amount) for line in cleaned]
    )
    return txn


@transaction.atomic
def ledger_reverse(*, original: LedgerTransaction, kind: str = LedgerTransaction.Kind.REVERSAL, memo="", created_by=None, source=None):
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
