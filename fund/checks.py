"""The ledger's invariants, as checks that return readable problems. `manage.py ledger_check` runs them all.

Apps add checks for their own money events with the Wagtail hook "register_ledger_checks": a function taking no
arguments and yielding problem strings (grants.awards does, for awards and disbursements). fund never imports them.
"""

from collections import defaultdict
from decimal import Decimal

from django.apps import apps
from django.db.models import Count, F, Q, Sum

from portal.money import ZERO, money

from .models import Account, Campaign, CampaignPosition, Entry, Fund, FundPosition, LedgerTransaction

K = Account.Kind
T = LedgerTransaction.Kind
# Kinds a single source may post more than once (an award releases part of its commitment, then the rest).
REPEATABLE_KINDS = {T.AWARD_RELEASED}


# Amounts have two places, so any real imbalance is at least a cent. Comparing against half a cent rather than zero
# keeps SQLite, which sums decimals as binary floats (8212.40 - 8000.00 - 212.40 is not exactly 0 there), honest.
HALF_CENT = Decimal("0.005")


def check_transactions_balance():
    qs = (
        LedgerTransaction.objects.annotate(total=Sum("entries__amount"), n=Count("entries"))
        .filter(Q(total__isnull=True) | Q(total__gte=HALF_CENT) | Q(total__lte=-HALF_CENT) | Q(n__lt=2))
        .values_list("pk", "kind", "total", "n")
    )
    for pk, kind, total, n in qs:
        yield f"Transaction #{pk} ({kind}) does not balance: {n} entries summing to {money(total or 0)}."


def check_entries_belong_to_the_transaction_fund():
    qs = Entry.objects.exclude(account__fund_id=F("transaction__fund_id")).values_list("pk", "transaction_id")
    for pk, txn in qs:
        yield f"Entry #{pk} of transaction #{txn} posts to another fund's account."


def check_reversals_mirror_their_original():
    reversals = LedgerTransaction.objects.filter(reverses__isnull=False).values_list("pk", "reverses_id")
    pairs = dict(reversals)
    if not pairs:
        return
    sums = defaultdict(Decimal)
    rows = (
        Entry.objects.filter(Q(transaction_id__in=pairs.keys()) | Q(transaction_id__in=pairs.values()))
        .values("transaction_id", "account_id")
        .annotate(total=Sum("amount"))
    )
    original_of = {v: k for k, v in pairs.items()}
    for row in rows:
        key = row["transaction_id"] if row["transaction_id"] in pairs else original_of[row["transaction_id"]]
        sums[(key, row["account_id"])] += money(row["total"])
    for (reversal, account), total in sums.items():
        if total != ZERO:
            yield f"Reversal #{reversal} does not exactly reverse #{pairs[reversal]} (account #{account} off by {total})."


def check_one_posting_per_source():
    qs = (
        LedgerTransaction.objects.exclude(source_type="")
        .filter(reverses__isnull=True)
        .exclude(kind__in=REPEATABLE_KINDS)
        .values("kind", "source_type", "source_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    for row in qs:
        yield f"{row['n']} '{row['kind']}' transactions for {row['source_type']}:{row['source_id']}; expected one."


def check_sources_exist():
    by_type = defaultdict(set)
    for source_type, source_id in (
        LedgerTransaction.objects.exclude(source_type="").values_list("source_type", "source_id").distinct()
    ):
        by_type[source_type].add(source_id)
    for source_type, ids in sorted(by_type.items()):
        try:
            model = apps.get_model(source_type)
        except (LookupError, ValueError):
            yield f"Transactions point to {source_type}, which is not a model of this project."
            continue
        pk_field = model._meta.pk
        try:
            wanted = {pk_field.to_python(i) for i in ids}
        except Exception:  # noqa: BLE001 - a malformed id is itself the problem to report
            yield f"Transactions point to malformed {source_type} ids."
            continue
        found = set(model._default_manager.filter(pk__in=wanted).values_list("pk", flat=True))
        for missing in sorted(wanted - found, key=str):
            yield f"Transactions point to {source_type}:{missing}, which does not exist (orphan money event)."


def derived_positions() -> dict[int, dict[str, Decimal]]:
    """liquid and payable per fund, from the entries."""
    result = defaultdict(lambda: {"liquid": ZERO, "payable": ZERO})
    rows = (
        Entry.objects.filter(account__kind__in=[K.CASH, K.STRIPE_CLEARING, K.GRANTS_PAYABLE])
        .values("account__fund_id", "account__kind")
        .annotate(total=Sum("amount"))
    )
    for row in rows:
        total = money(row["total"] or 0)
        if row["account__kind"] == K.GRANTS_PAYABLE:
            result[row["account__fund_id"]]["payable"] -= total
        else:
            result[row["account__fund_id"]]["liquid"] += total
    return result


def check_fund_positions():
    derived = derived_positions()
    positions = {p.fund_id: p for p in FundPosition.objects.all()}
    names = dict(Fund.objects.values_list("pk", "name"))
    for fund_id in sorted(set(derived) | set(positions)):
        want = derived.get(fund_id, {"liquid": ZERO, "payable": ZERO})
        have = positions.get(fund_id)
        name = names.get(fund_id, fund_id)
        if have is None:
            yield f"Fund {name} has ledger entries but no position counter."
            continue
        if have.liquid != want["liquid"]:
            yield f"Fund {name}: position says {have.liquid} held, entries say {want['liquid']}."
        if have.payable != want["payable"]:
            yield f"Fund {name}: position says {have.payable} payable, entries say {want['payable']}."
        if have.ceiling != max(have.liquid, have.payable):
            yield f"Fund {name}: commitment ceiling {have.ceiling} should be {max(have.liquid, have.payable)}."


def derived_campaign_positions() -> dict[int, dict[str, Decimal]]:
    """restricted (held) and allocated per campaign, from the campaign-tagged entries (see `fund.ledger`)."""
    result = defaultdict(lambda: {"restricted": ZERO, "allocated": ZERO})
    rows = (
        Entry.objects.filter(account__campaign__isnull=False)
        .values("account__campaign_id", "account__kind")
        .annotate(total=Sum("amount"))
    )
    for row in rows:
        total = money(row["total"] or 0)
        if row["account__kind"] == K.GRANTS_EXPENSE:
            result[row["account__campaign_id"]]["allocated"] += total
        else:
            result[row["account__campaign_id"]]["restricted"] -= total
    return result


def check_campaign_positions():
    """Each campaign's restricted-money counter equals its entries, and no allocation spent more than it held."""
    derived = derived_campaign_positions()
    positions = {p.campaign_id: p for p in CampaignPosition.objects.all()}
    titles = dict(Campaign.objects.values_list("pk", "title"))
    for campaign_id in sorted(set(derived) | set(positions)):
        want = derived.get(campaign_id, {"restricted": ZERO, "allocated": ZERO})
        have = positions.get(campaign_id)
        name = titles.get(campaign_id, campaign_id)
        if have is None:
            if want["restricted"] or want["allocated"]:
                yield f"Campaign {name} has restricted entries but no position counter."
            continue
        if have.restricted != want["restricted"]:
            yield f"Campaign {name}: position says {have.restricted} held, entries say {want['restricted']}."
        if have.allocated != want["allocated"]:
            yield f"Campaign {name}: position says {have.allocated} allocated, entries say {want['allocated']}."
        if have.ceiling < have.allocated:
            yield f"Campaign {name}: {have.allocated} allocated to awards exceeds its ceiling {have.ceiling}."


def check_noncash_gifts_are_sold_exactly_once():
    """Per gift: what non-cash assets hold for it is never negative, and a (not reversed) sale cleared all of it.
    Across the fund, non-cash assets are never negative either (the fund cannot hold less than no securities)."""
    sold = set(
        LedgerTransaction.objects.filter(
            kind=T.NONCASH_SALE, reverses__isnull=True, reversed_by__isnull=True
        ).values_list("fund_id", "source_type", "source_id")
    )
    rows = (
        Entry.objects.filter(account__kind=K.NONCASH_ASSETS)
        .values("transaction__fund_id", "transaction__source_type", "transaction__source_id")
        .annotate(total=Sum("amount"))
        .order_by("transaction__fund_id", "transaction__source_type", "transaction__source_id")
    )
    per_fund = defaultdict(Decimal)
    for row in rows:
        key = (row["transaction__fund_id"], row["transaction__source_type"], row["transaction__source_id"])
        total = money(row["total"] or 0)
        per_fund[key[0]] += total
        source = f"{key[1]}:{key[2]}" if key[1] else "entries without a source"
        if total < ZERO:
            yield f"Non-cash assets for {source} are {total}: more was sold than the gift booked."
        elif key in sold and total != ZERO:
            yield f"The sale of gifted securities for {source} left {total} in non-cash assets; it must clear the gift."
    names = dict(Fund.objects.values_list("pk", "name"))
    for fund_id, total in sorted(per_fund.items()):
        if total < ZERO:
            yield f"Fund {names.get(fund_id, fund_id)}: non-cash assets are {money(total)}, below zero."


CORE_CHECKS = [
    check_transactions_balance,
    check_entries_belong_to_the_transaction_fund,
    check_reversals_mirror_their_original,
    check_one_posting_per_source,
    check_sources_exist,
    check_fund_positions,
    check_campaign_positions,
    check_noncash_gifts_are_sold_exactly_once,
]


def all_checks():
    from wagtail import hooks

    return [*CORE_CHECKS, *hooks.get_hooks("register_ledger_checks")]


def run_ledger_checks() -> list[tuple[str, list[str]]]:
    """[(check name, [problems])] for every check, core and registered."""
    results = []
    for check in all_checks():
        name = check.__name__.removeprefix("check_").replace("_", " ")
        results.append((name, list(check())))
    return results


# Money events that must name what caused them. Offline gifts without a source are opening-balance journals.
SOURCE_REQUIRED = {
    T.DONATION,
    T.PROCESSING_FEE,
    T.REFUND,
    T.DISPUTE,
    T.DISPUTE_OPENED,
    T.DISPUTE_WON,
    T.FEE_ADJUSTMENT,
    T.PLEDGE_CANCELLED,
    T.PLEDGE_WRITTEN_OFF,
    T.AWARD_FUNDED,
    T.PLEDGE,
    T.PLEDGE_PAYMENT,
    T.AWARD_COMMITTED,
    T.AWARD_RELEASED,
    T.DISBURSEMENT_PAID,
    T.NONCASH_SALE,
}


def check_money_events_name_their_source():
    qs = LedgerTransaction.objects.filter(source_type="", kind__in=SOURCE_REQUIRED).values_list("pk", "kind")
    for pk, kind in qs:
        yield f"Transaction #{pk} ({kind}) does not say what caused it."
    qs = LedgerTransaction.objects.filter(source_type="", kind=T.OFFLINE_GIFT).exclude(
        memo__startswith="Opening balance"
    )
    for pk in qs.values_list("pk", flat=True):
        yield f"Offline gift #{pk} has no source and is not an opening balance."


CORE_CHECKS.append(check_money_events_name_their_source)
