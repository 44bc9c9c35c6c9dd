"""Demo, after the impact reports: this week finance officer 1 prepared the first payment of the award accepted
second, and it waits for the second finance officer (the paid batch of last year is in grants.awards.demo, made when
it happened). Idempotent: preparing a tranche that already has a payment in progress returns that payment."""

from django.conf import settings

from portal.demo import at

from .models import Tranche
from .payments import disbursement_prepare


def seed(ctx):
    award = (ctx.objects.get("awards_2025_by_kind") or {}).get("accepted_awaiting_approval")
    if award is None or not getattr(settings, "BANK_DETAILS_KEYS", None):
        return
    tranche = award.tranches.filter(status=Tranche.Status.SCHEDULED).order_by("sequence").first()
    if tranche is None or tranche.disbursements.exists():
        return
    with at(ctx, -2, 16):
        disbursement_prepare(tranche=tranche, by=ctx.users["finance_1"])
    ctx.note("payments awaiting approval", True)
