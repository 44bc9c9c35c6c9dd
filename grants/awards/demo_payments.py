"""Demo, after the impact reports: one payment batch with two paid tranches (prepared by one finance officer,
approved by the other) and a payment prepared and waiting for the second finance officer. Paying the last tranche of
the award whose grant has ended closes it, as the product does."""

from datetime import timedelta

from django.conf import settings

from .demo import PAID_KINDS
from .models import PaymentBatch, Tranche
from .payments import disbursement_approve, disbursement_prepare, payment_batch_create, payment_batch_mark_paid


def seed(ctx):
    fund = ctx.objects.get("fund")
    by_kind = ctx.objects.get("awards_2025_by_kind") or {}
    if fund is None or not getattr(settings, "BANK_DETAILS_KEYS", None):
        return
    to_pay = [(kind, by_kind[kind]) for kind in PAID_KINDS if kind in by_kind]
    if not to_pay or PaymentBatch.objects.filter(fund=fund).exists():
        return
    finance_1, finance_2 = ctx.users["finance_1"], ctx.users["finance_2"]
    for kind, award in to_pay:
        tranche = award.tranches.filter(status=Tranche.Status.SCHEDULED).order_by("sequence").first()
        disbursement = disbursement_prepare(tranche=tranche, by=finance_1)
        if kind != "accepted_awaiting_approval":
            disbursement_approve(disbursement=disbursement, by=finance_2)
    batch = payment_batch_create(fund=fund, by=finance_1, effective_date=ctx.today - timedelta(days=3))
    payment_batch_mark_paid(batch=batch, by=finance_2)
    ctx.note("payment batches", True)
