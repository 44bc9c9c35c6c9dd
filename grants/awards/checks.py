"""Ledger checks for awards and payments, registered with fund's `ledger_check` through the Wagtail hook
"register_ledger_checks". Each yields readable problems."""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Sum

from fund.models import Account, Entry, LedgerTransaction
from portal.money import ZERO, money

from .models import Award, Disbursement, RoundCommitment, Tranche

T = LedgerTransaction.Kind
AWARD = "awards.award"
DISBURSEMENT = "awards.disbursement"


def _amounts_by_source(kind, source_type):
    """{source_id: [amount posted to grants payable as a positive number, ...]} for non-reversal transactions."""
    rows = Entry.objects.filter(
        transaction__kind=kind,
        transaction__source_type=source_type,
        transaction__reverses__isnull=True,
        account__kind=Account.Kind.GRANTS_PAYABLE,
    ).values_list("transaction__source_id", "transaction_id", "amount")
    result = defaultdict(list)
    for source_id, _txn, amount in rows:
        result[int(source_id)].append(abs(money(amount)))
    return result


def check_award_commitments_and_releases():
    committed = _amounts_by_source(T.AWARD_COMMITTED, AWARD)
    released = _amounts_by_source(T.AWARD_RELEASED, AWARD)
    paid_net = _paid_net_by_award()
    for award in Award.objects.only("pk", "status", "amount", "approved_amount"):
        c = committed.pop(award.pk, [])
        r = sum(released.pop(award.pk, []), ZERO)
        if len(c) != 1 or c[0] != award.approved_amount:
            yield f"Award #{award.pk}: expected one commitment of {award.approved_amount}, found {c or 'none'}."
            continue
        paid = paid_net.get(award.pk, ZERO)
        if award.status in (Award.Status.DECLINED, Award.Status.EXPIRED):
            expected = award.approved_amount
        elif award.status == Award.Status.TERMINATED:
            expected = award.approved_amount - paid
        else:
            expected = award.approved_amount - award.amount
        if r != expected:
            yield f"Award #{award.pk} ({award.status}): released {r}, expected {expected}."
        if paid > award.amount:
            yield f"Award #{award.pk}: paid {paid}, more than the award of {award.amount}."
        elif award.status == Award.Status.CLOSED and paid != award.amount:
            yield f"Award #{award.pk} is closed at {award.amount} but {paid} was paid."
    for source_id in committed:
        yield f"Commitment posted for award #{source_id}, which does not exist."
    for source_id in released:
        yield f"Release posted for award #{source_id}, which does not exist."


def _paid_net_by_award():
    """Paid minus returned per award, from the ledger."""
    rows = Entry.objects.filter(
        transaction__kind__in=[T.DISBURSEMENT_PAID, T.DISBURSEMENT_RETURNED], account__kind=Account.Kind.GRANTS_PAYABLE
    ).values_list("transaction__kind", "transaction__source_id", "transaction__reverses__source_id", "amount")
    by_disbursement = defaultdict(Decimal)
    for kind, source_id, reversed_source, amount in rows:
        key = source_id if kind == T.DISBURSEMENT_PAID else (source_id or reversed_source)
        by_disbursement[int(key)] += money(amount)
    award_of = dict(Disbursement.objects.filter(pk__in=by_disbursement).values_list("pk", "tranche__award_id"))
    result = defaultdict(Decimal)
    for pk, amount in by_disbursement.items():
        if pk in award_of:
            result[award_of[pk]] += amount
    return result


def check_disbursements_match_ledger():
    paid = _amounts_by_source(T.DISBURSEMENT_PAID, DISBURSEMENT)
    returned_ids = set(
        int(s)
        for s in LedgerTransaction.objects.filter(
            kind=T.DISBURSEMENT_RETURNED, reverses__source_type=DISBURSEMENT
        ).values_list("reverses__source_id", flat=True)
    )
    for d in Disbursement.objects.only("pk", "status", "amount"):
        posted = paid.pop(d.pk, [])
        if d.status in (Disbursement.Status.PAID, Disbursement.Status.RETURNED):
            if posted != [d.amount]:
                yield f"Disbursement #{d.pk} ({d.status}) of {d.amount}: ledger shows payments {posted or 'none'}."
            if (d.status == Disbursement.Status.RETURNED) != (d.pk in returned_ids):
                yield f"Disbursement #{d.pk} ({d.status}): return posting {'missing' if d.pk not in returned_ids else 'unexpected'}."
        elif posted:
            yield f"Disbursement #{d.pk} is {d.status} but the ledger shows it paid."
    for source_id in paid:
        yield f"Payment posted for disbursement #{source_id}, which does not exist."


def check_paid_tranches_have_one_paid_disbursement():
    paid_tranches = set(
        Disbursement.objects.filter(status=Disbursement.Status.PAID).values_list("tranche_id", flat=True)
    )
    marked = set(Tranche.objects.filter(status=Tranche.Status.PAID).values_list("pk", flat=True))
    for pk in sorted(marked - paid_tranches):
        yield f"Tranche #{pk} is marked paid without a paid disbursement."
    for pk in sorted(paid_tranches - marked):
        yield f"Tranche #{pk} has a paid disbursement but is not marked paid."


def check_tranches_sum_to_awards():
    """A live award's tranches add up to it. Cancelled tranches stay committed until the award closes, when the
    award is lowered to what was paid: so either every tranche or the tranches not cancelled add up to the award."""
    every = dict(Tranche.objects.values("award_id").annotate(t=Sum("amount")).values_list("award_id", "t"))
    kept = dict(
        Tranche.objects.exclude(status=Tranche.Status.CANCELLED)
        .values("award_id")
        .annotate(t=Sum("amount"))
        .values_list("award_id", "t")
    )
    for award in Award.objects.filter(status__in=Award.ACTIVE_STATUSES).only("pk", "amount", "status"):
        total, live = money(every.get(award.pk) or 0), money(kept.get(award.pk) or 0)
        allowed = {live} if award.status == Award.Status.CLOSED else {total, live}
        if award.amount not in allowed:
            yield f"Award #{award.pk}: tranches add up to {total} ({live} not cancelled), award is {award.amount}."


def check_round_counters():
    committed = defaultdict(Decimal)
    rows = Entry.objects.filter(
        transaction__kind__in=[T.AWARD_COMMITTED, T.AWARD_RELEASED],
        transaction__source_type=AWARD,
        account__kind=Account.Kind.GRANTS_EXPENSE,
    ).values_list("transaction__source_id", "amount")
    round_of = dict(Award.objects.values_list("pk", "round_id"))
    for source_id, amount in rows:
        if int(source_id) in round_of:
            committed[round_of[int(source_id)]] += money(amount)
    counters = {c.round_id: c for c in RoundCommitment.objects.all()}
    for round_id in sorted(set(committed) | set(counters)):
        have = counters[round_id].committed if round_id in counters else ZERO
        if have != committed.get(round_id, ZERO):
            yield f"Round #{round_id}: counter says {have} committed, ledger says {committed.get(round_id, ZERO)}."


AWARD_CHECKS = [
    check_award_commitments_and_releases,
    check_disbursements_match_ledger,
    check_paid_tranches_have_one_paid_disbursement,
    check_tranches_sum_to_awards,
    check_round_counters,
]
