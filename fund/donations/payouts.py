"""Stripe to bank: import Stripe's balance transactions and payouts, post each gift's actual fee and each payout.

Run inside `stripe_reconcile` (hourly). Everything is keyed by Stripe's ids (unique), and every posting has its own
source row (a balance transaction for a fee adjustment, a payout share for a payout), so importing twice posts nothing
twice. Disputes found in a payout go through `donation_record_dispute`, the same function the webhook uses.

  charge        -> the gift it paid (by charge id, else its PaymentIntent or invoice); Stripe's actual fee replaces the
                   estimate posted with the gift: the difference is a `fee_adjustment` (Dr/Cr fees, Cr/Dr clearing)
  refund        -> the gift it refunded (the refund itself is posted by the charge.refunded event)
  adjustment    -> a dispute's withdrawal (with the dispute fee) or reinstatement, posted once
  payout        -> the payout itself; when paid: Dr cash / Cr Stripe clearing, per fund, for the net of its gifts
"""

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from fund.ledger import ledger_reverse, source_ref
from fund.models import Account, Entry, Fund, LedgerTransaction
from portal.audit import audit
from portal.money import ZERO, from_minor_units, money

from . import accounting, services
from .models import RECEIVED_STATUSES, Donation, StripeBalanceTransaction, StripePayout, StripePayoutShare
from .stripe_client import as_dict, balance_transactions_list, payouts_list

logger = logging.getLogger(__name__)
CHARGE_TYPES = {"charge", "payment"}
REFUND_TYPES = {"refund", "payment_refund"}


@dataclass
class PayoutImportReport:
    payouts: int = 0
    balance_transactions: int = 0
    fee_adjustments: int = 0
    payouts_posted: int = 0
    unmatched: list = field(default_factory=list)


def _when(timestamp) -> datetime:
    return datetime.fromtimestamp(int(timestamp), tz=UTC)


def _local_date(timestamp):
    return timezone.localtime(_when(timestamp)).date()


def _id(value):
    if isinstance(value, dict):
        return value.get("id", "")
    return value or ""


def _donation_for(bt: dict) -> Donation | None:
    source = bt.get("source")
    source = as_dict(source) if source is not None and not isinstance(source, (str, dict)) else source
    source_id = _id(source)
    qs = Donation.objects.select_related("fund", "campaign")
    if bt.get("type") in CHARGE_TYPES:
        found = qs.filter(stripe_charge_id=source_id).first() if source_id else None
        if found is None and isinstance(source, dict):
            for field_name, value in (
                ("stripe_payment_intent_id", _id(source.get("payment_intent"))),
                ("stripe_invoice_id", _id(source.get("invoice"))),
            ):
                if value:
                    found = qs.filter(**{field_name: value}).first()
                    if found:
                        break
            if found is not None and not found.stripe_charge_id:
                Donation.objects.filter(pk=found.pk, stripe_charge_id__isnull=True).update(stripe_charge_id=source_id)
        return found
    if isinstance(source, dict) and (source.get("charge") or source.get("payment_intent")):
        charge_id = _id(source.get("charge"))
        intent = _id(source.get("payment_intent"))
        return (qs.filter(stripe_charge_id=charge_id).first() if charge_id else None) or (
            qs.filter(stripe_payment_intent_id=intent).first() if intent else None
        )
    return None


def _fee_adjustment_posted(row) -> bool:
    source_type, source_id = source_ref(row)
    return LedgerTransaction.objects.filter(
        kind=LedgerTransaction.Kind.FEE_ADJUSTMENT, source_type=source_type, source_id=source_id
    ).exists()


def _apply_actual_fee(row, donation, *, by) -> bool:
    """Replace the gift's estimated fee by Stripe's, once. Returns whether an adjustment was posted."""
    if row.currency != donation.currency or donation.status not in RECEIVED_STATUSES:
        return False
    with transaction.atomic():
        donation = (
            Donation.objects.select_for_update(of=("self",)).select_related("fund", "campaign").get(pk=donation.pk)
        )
        if donation.fee_amount == row.fee or _fee_adjustment_posted(row):
            return False
        estimated = donation.fee_amount
        accounting.post_fee_adjustment(donation, actual_fee=row.fee, source=row, by=by)
        donation.fee_amount = row.fee
        donation.net_amount = money(donation.amount - row.fee)
        donation.save(update_fields=["fee_amount", "net_amount"])
        audit(
            donation,
            "donations.donation.fee_adjusted",
            user=by,
            data={"estimated": str(estimated), "actual": str(row.fee), "balance_transaction": row.stripe_id},
        )
    return True


def balance_transaction_import(
    *, bt: dict, payout: StripePayout | None = None, by=None, report=None
) -> StripeBalanceTransaction:
    """Store one balance transaction (once), link it to its gift and payout, and post what it says about money."""
    bt = as_dict(bt)
    report = report or PayoutImportReport()
    currency = bt["currency"].upper()
    donation = _donation_for(bt)
    defaults = {
        "type": bt.get("type", ""),
        "reporting_category": bt.get("reporting_category") or "",
        "amount": from_minor_units(bt["amount"], currency),
        "fee": from_minor_units(bt.get("fee") or 0, currency),
        "net": from_minor_units(bt["net"], currency),
        "currency": currency,
        "created": _when(bt["created"]),
        "source_id": _id(bt.get("source")),
    }
    try:
        with transaction.atomic():
            row, _created = StripeBalanceTransaction.objects.get_or_create(stripe_id=bt["id"], defaults=defaults)
    except IntegrityError:  # imported at the same moment by another run
        row = StripeBalanceTransaction.objects.get(stripe_id=bt["id"])
    changed = []
    if payout is not None and row.payout_id != payout.pk:
        row.payout = payout
        changed.append("payout")
    if donation is not None and row.donation_id != donation.pk:
        row.donation, row.fund = donation, donation.fund
        changed += ["donation", "fund"]
    if changed:
        row.save(update_fields=changed)
    report.balance_transactions += 1
    if row.type in CHARGE_TYPES and donation is not None:
        if _apply_actual_fee(row, donation, by=by):
            report.fee_adjustments += 1
    elif row.type == "adjustment" and isinstance(bt.get("source"), dict) and bt["source"].get("object") == "dispute":
        try:
            services.donation_record_dispute(dispute=bt["source"], by=by)
        except services.WaitForRecording:
            pass
    if not row.matched:
        report.unmatched.append(f"{row.stripe_id} ({row.type} {row.net} {row.currency}) matches no gift.")
    return row


def _fund_for_currency(currency) -> Fund | None:
    funds = Fund.objects.filter(currency=currency)
    return funds.filter(is_default=True).first() or funds.order_by("pk").first()


def _shares(payout: StripePayout) -> dict:
    """The payout's amount per fund: each fund's gifts' net; the rest (fees Stripe charged outside a gift, unmatched
    lines) to the fund that keeps money in this currency."""
    by_fund = defaultdict(lambda: ZERO)
    for fund_id, net in payout.balance_transactions.exclude(type="payout").values_list("fund_id", "net"):
        if fund_id:
            by_fund[fund_id] += net
    rest = money(payout.amount - sum(by_fund.values(), ZERO))
    default = _fund_for_currency(payout.currency)
    if rest != ZERO and default is not None:
        by_fund[default.pk] += rest
    return {fund_id: money(amount) for fund_id, amount in by_fund.items() if fund_id and money(amount) != ZERO}


def payout_post(*, payout: StripePayout, by=None) -> list:
    """A paid payout moves its money from Stripe clearing to cash, per fund, once; a failed or cancelled one that was
    posted is reversed (the money went back to Stripe)."""
    posted = []
    with transaction.atomic():
        payout = StripePayout.objects.select_for_update().get(pk=payout.pk)
        if payout.status == StripePayout.Status.PAID and not payout.shares.exists():
            for fund_id, amount in sorted(_shares(payout).items()):
                share = StripePayoutShare.objects.create(payout=payout, fund_id=fund_id, amount=amount)
                if amount > ZERO:
                    posted.append(accounting.post_payout_share(share, by=by))
            audit(payout, "donations.payout.posted", user=by, data={"amount": str(payout.amount)})
        elif payout.status in (StripePayout.Status.FAILED, StripePayout.Status.CANCELED):
            for share in payout.shares.all():
                source_type, source_id = source_ref(share)
                txn = LedgerTransaction.objects.filter(
                    kind=LedgerTransaction.Kind.PAYOUT, source_type=source_type, source_id=source_id
                ).first()
                if txn is not None and not LedgerTransaction.objects.filter(reverses=txn).exists():
                    posted.append(ledger_reverse(original=txn, memo=f"Payout {payout.stripe_id} {payout.status}"))
    return posted


def payout_import(*, payout: dict, balance_transactions: list, by=None, report=None) -> StripePayout:
    """Store a payout and its balance transactions (once), then post it if it has been paid."""
    payout = as_dict(payout)
    report = report or PayoutImportReport()
    currency = payout["currency"].upper()
    fields = {
        "amount": from_minor_units(payout["amount"], currency),
        "currency": currency,
        "status": payout.get("status", "pending"),
        "arrival_date": _local_date(payout.get("arrival_date") or payout["created"]),
        "created": _when(payout["created"]),
    }
    row, created = StripePayout.objects.get_or_create(stripe_id=payout["id"], defaults=fields)
    if not created and row.status != fields["status"]:
        row.status = fields["status"]
        row.save(update_fields=["status", "updated_at"])
    report.payouts += 1
    for bt in balance_transactions:
        balance_transaction_import(bt=bt, payout=row, by=by, report=report)
    if payout_post(payout=row, by=by):
        report.payouts_posted += 1
    return row


def stripe_payouts_import(*, since: int, by=None) -> PayoutImportReport:
    """What the reconcile job runs: recent balance transactions (actual fees before the money is paid out), then each
    recent payout with the balance transactions it paid out."""
    report = PayoutImportReport()
    for bt in balance_transactions_list(created_gte=since):
        balance_transaction_import(bt=bt, by=by, report=report)
    for obj in payouts_list(created_gte=since):
        payout = as_dict(obj)
        payout_import(
            payout=payout,
            balance_transactions=list(balance_transactions_list(payout=payout["id"])),
            by=by,
            report=report,
        )
    return report


# --- Reads for the reconciliation screen ---------------------------------------------------------------------------


def payout_summary(payout: StripePayout) -> dict:
    """Gifts, refunds, fees and disputes in a payout and whether it matches (lines add up, every line has its gift,
    and, once paid, the ledger moved exactly its amount to cash)."""
    rows = list(payout.balance_transactions.select_related("donation").order_by("created", "pk"))
    lines = [r for r in rows if r.type != "payout"]
    gross = defaultdict(lambda: ZERO)
    for r in lines:
        key = (
            "gifts"
            if r.type in CHARGE_TYPES
            else "refunds"
            if r.type in REFUND_TYPES
            else "disputes"
            if r.type == "adjustment"
            else "other"
        )
        gross[key] += r.amount
    fees = sum((r.fee for r in lines), ZERO)
    net = sum((r.net for r in lines), ZERO)
    unmatched = [r for r in lines if not r.matched]
    posted = ZERO
    for share in payout.shares.all():
        source_type, source_id = source_ref(share)
        if LedgerTransaction.objects.filter(kind="payout", source_type=source_type, source_id=source_id).exists():
            posted += share.amount
    matches = net == payout.amount and not unmatched and (payout.status != "paid" or posted == payout.amount)
    return {
        "payout": payout,
        "lines": lines,
        "gifts": money(gross["gifts"]),
        "refunds": money(gross["refunds"]),
        "disputes": money(gross["disputes"]),
        "other": money(gross["other"]),
        "fees": money(fees),
        "net": money(net),
        "posted": money(posted),
        "unmatched": unmatched,
        "matches": matches,
    }


# --- Ledger checks (registered with `ledger_check` in wagtail_hooks) ---------------------------------------------------


def check_stripe_clearing_reconciles():
    """Stripe clearing agrees with what Stripe reported: every imported gift's clearing entries (gift less fee, with
    any fee adjustment) equal its balance transaction's net; every payout's lines add up to it; every paid payout moved
    exactly its amount from clearing to cash (failed ones were reversed)."""
    clearing = defaultdict(lambda: ZERO)
    for source_type, source_id, amount in Entry.objects.filter(
        account__kind=Account.Kind.STRIPE_CLEARING,
        transaction__kind__in=[
            LedgerTransaction.Kind.DONATION,
            LedgerTransaction.Kind.PROCESSING_FEE,
            LedgerTransaction.Kind.FEE_ADJUSTMENT,
        ],
    ).values_list("transaction__source_type", "transaction__source_id", "amount"):
        clearing[(source_type, source_id)] += amount
    charges = StripeBalanceTransaction.objects.filter(type__in=CHARGE_TYPES, donation__isnull=False).select_related(
        "donation"
    )
    for bt in charges.iterator(chunk_size=2000):
        if bt.currency != bt.donation.currency:
            continue
        posted = money(clearing[source_ref(bt.donation)] + clearing[source_ref(bt)])
        if posted != bt.net:
            yield (
                f"Donation #{bt.donation_id}: Stripe clearing holds {posted} for it, Stripe's balance transaction "
                f"{bt.stripe_id} says {bt.net}."
            )
    moved = defaultdict(lambda: ZERO)
    for source_id, amount in Entry.objects.filter(
        account__kind=Account.Kind.CASH,
        transaction__source_type=source_ref(StripePayoutShare())[0],
    ).values_list("transaction__source_id", "amount"):
        moved[int(source_id)] += amount
    for payout in StripePayout.objects.prefetch_related("shares"):
        lines = payout.balance_transactions.exclude(type="payout")
        total = money(sum(lines.values_list("net", flat=True), ZERO))
        if lines.exists() and total != payout.amount:
            yield f"Payout {payout.stripe_id}: its balance transactions add up to {total}, the payout is {payout.amount}."
        cash = money(sum((moved[s.pk] for s in payout.shares.all()), ZERO))
        expected = payout.amount if payout.status == StripePayout.Status.PAID else ZERO
        if payout.shares.exists() or payout.status == StripePayout.Status.PAID:
            if cash != expected:
                yield f"Payout {payout.stripe_id} ({payout.status}): the ledger moved {cash} to cash, expected {expected}."
