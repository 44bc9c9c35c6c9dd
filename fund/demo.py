"""Demo: the Millbrook fund and its two campaigns."""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from portal.demo import SET_UP, at

from .models import Campaign, Fund


def _at(day):
    return timezone.make_aware(datetime.combine(day, time(9, 0)))


def seed(ctx):
    """The fund and its campaigns, set up before its first round opened (the campaigns carry their own dates)."""
    with at(ctx, SET_UP):
        _seed(ctx)


def _seed(ctx):
    fund, created = Fund.objects.get_or_create(
        slug="millbrook",
        defaults={
            "name": "Millbrook Community Resilience Fund",
            "currency": "USD",
            "is_default": True,
            "jurisdiction": "US",
            "legal_name": "Millbrook Community Foundation, Inc.",
            "charity_number": "EIN 12-3456789",
            "address": "100 River Street, Suite 4\nMillbrook, PA 19000",
            "email": "hello@millbrook-fund.example",
            "website": "https://millbrook-fund.example",
            "signatory_name": "Jamie Ortiz",
            "signatory_title": "Executive Director",
            "originator_name": "MILLBROOK COMM FDN",
            "originator_id": "1123456789",
            "originating_bank_routing": "031000503",
            "description": "A coalition of city departments, a community foundation and local philanthropists "
            "pooling money for community-led responses to the overdose crisis.",
        },
    )
    ctx.note("funds", created)
    ctx.objects["fund"] = fund
    naloxone, created = Campaign.objects.get_or_create(
        slug="naloxone-in-every-pocket",
        defaults={
            "fund": fund,
            "title": "Naloxone in Every Pocket",
            "goal": Decimal("250000.00"),
            "starts_at": _at(ctx.today - timedelta(days=60)),
            "ends_at": _at(ctx.today + timedelta(days=45)),
            "suggested_amounts": [25, 50, 100, 250, 500],
            "summary": "Put free naloxone and training within reach of everyone in Millbrook.",
        },
    )
    ctx.note("campaigns", created)
    winter, created = Campaign.objects.get_or_create(
        slug="peer-support-winter-appeal",
        defaults={
            "fund": fund,
            "title": "Peer Support Winter Appeal",
            "goal": Decimal("80000.00"),
            "starts_at": _at(ctx.today - timedelta(days=330)),
            "ends_at": _at(ctx.today - timedelta(days=240)),
            "suggested_amounts": [20, 40, 100, 200],
            "summary": "Keep peer workers on the street through the coldest months.",
        },
    )
    ctx.note("campaigns", created)
    ctx.objects["campaigns"] = {"naloxone": naloxone, "winter": winter}
