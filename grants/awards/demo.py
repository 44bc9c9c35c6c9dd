"""Demo: awards for the 2025 Harm Reduction round in every state and bank details. Accepting an award gives it its
report schedule from the round's plan; the impact demo then fills in the reports, and `demo_payments` (after it) makes
one payment batch with two paid tranches (closing the award whose grant has ended and whose reports are all approved)
and a payment prepared and waiting for the second finance officer. The balances reconcile.

Money in: an opening-balance journal (city and partner contributions carried forward) posted to cash, so the
commitments have money behind them before the donations section adds individual gifts. Everything goes through the
services, so `manage.py ledger_check` passes.
"""

import logging
from datetime import timedelta
from decimal import Decimal

from django.conf import settings

from fund.ledger import Line, ledger_post
from fund.models import Account, LedgerTransaction
from portal.money import split_by_percentages

from .models import Award
from .services import TrancheSpec

logger = logging.getLogger(__name__)
OPENING_MEMO = "Opening balance: City of Millbrook and partner contributions carried forward"
OPENING_AMOUNT = Decimal("350000.00")
ROUTINGS = [
    "011000015",
    "021000021",
    "026009593",
    "122105278",
    "031000503",
    "071000013",
    "111000025",
    "121000358",
    "011000028",
]

# Per approved application (in order): what happens to its award.
PLAN = [
    "accepted_partly_paid",  # two tranches, first paid in the batch, second on report 1
    "accepted_awaiting_approval",  # first tranche prepared by finance 1, waiting for finance 2
    "closed",  # one tranche, paid in the batch; its grant has ended and every report is approved
    "accepted_report_tranches",  # 40/30/30 on acceptance and reports 1 and 2; its overdue report holds payment
    "terminated",
    "declined",
    "expired",
    "offered",
    "prepared",  # approved; staff have not sent the offer yet
]
PAID_KINDS = ("accepted_partly_paid", "closed", "accepted_awaiting_approval")


def _opening_balance(ctx, fund):
    if LedgerTransaction.objects.filter(fund=fund, memo=OPENING_MEMO).exists():
        return
    ledger_post(
        fund=fund,
        kind=LedgerTransaction.Kind.OFFLINE_GIFT,
        memo=OPENING_MEMO,
        created_by=ctx.users.get("finance_1"),
        effective_date=ctx.today - timedelta(days=400),
        lines=[Line(Account.Kind.CASH, OPENING_AMOUNT), Line(Account.Kind.DONATIONS_REVENUE, -OPENING_AMOUNT)],
    )
    ctx.note("ledger opening balances", True)


def _schedule(kind, amount, today):
    if kind in ("closed", "declined", "expired"):
        return [TrancheSpec(amount, today)]
    if kind == "accepted_report_tranches":
        a, b, c = split_by_percentages(amount, [40, 30, 30])
        return [
            TrancheSpec(a, today),
            TrancheSpec(b, today + timedelta(days=120), "on_report_approval", 1),
            TrancheSpec(c, today + timedelta(days=240), "on_report_approval", 2),
        ]
    if kind == "prepared":
        a, b = split_by_percentages(amount, [50, 50])
        return [
            TrancheSpec(a, today + timedelta(days=10), "on_date"),
            TrancheSpec(b, today + timedelta(days=190), "on_date"),
        ]
    a, b = split_by_percentages(amount, [60, 40])
    return [TrancheSpec(a, today), TrancheSpec(b, today + timedelta(days=180), "on_report_approval", 1)]


GRANTEE_CONTACTS = [
    ("Maria", "Alvarez"),
    ("Devon", "Brooks"),
    ("Aiyana", "Redcloud"),
    ("Luis", "Moreno"),
    ("Grace", "Okafor"),
    ("Tom", "Nguyen"),
    ("Beth", "Kaminski"),
    ("Andre", "Wallace"),
    ("Nina", "Patel"),
]


def _owner(ctx, organisation, index):
    """The organisation's first owner; organisations seeded without one get a grantee contact who signs for it
    (unusable password: the demo logins are the applicant users)."""
    from django.contrib.auth import get_user_model

    from applicants.models import Membership

    membership = organisation.memberships.filter(role="owner").select_related("user").order_by("pk").first()
    if membership:
        return membership.user
    first, last = GRANTEE_CONTACTS[index % len(GRANTEE_CONTACTS)]
    user, created = get_user_model().objects.get_or_create(
        email=f"grantee.{organisation.slug}@demo.millbrook-fund.example",
        defaults={"first_name": first, "last_name": last},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    Membership.objects.get_or_create(user=user, organisation=organisation, defaults={"role": Membership.Role.OWNER})
    ctx.note("grantee contacts", created)
    return user


def seed(ctx):
    from .offers import award_offer, award_prepare
    from .services import award_accept, award_decline, award_expire, award_terminate, bank_details_set

    applications = ctx.objects.get("applications_2025_approved")
    fund = ctx.objects.get("fund")
    if not applications or fund is None:
        return
    staff = ctx.users["program_officer"]
    can_encrypt = bool(getattr(settings, "BANK_DETAILS_KEYS", None))
    if not can_encrypt:
        logger.warning("BANK_DETAILS_KEYS is not set: the awards demo skips bank details and the payment batch.")
    _opening_balance(ctx, fund)
    today = ctx.today
    rng = ctx.rng_for("awards")
    awards, by_kind = [], {}
    for index, (application, kind) in enumerate(zip(applications, PLAN)):
        existing = Award.objects.filter(application=application).order_by("-pk").first()
        if existing is not None:
            awards.append(existing)
            by_kind[kind] = existing
            continue
        owner = _owner(ctx, application.organisation, index)
        amount = application.requested_amount or Decimal("10000.00")
        terms = {
            "application": application,
            "amount": amount,
            "by": staff,
            "tranches": _schedule(kind, amount, today),
            # 2025 grants run for two years, so the impact demo has two years of quarterly reports inside them; the
            # closed one ended earlier, so all of its reports are in.
            "period_start": today - timedelta(days=640),
            "period_end": today - timedelta(days=200) if kind == "closed" else today + timedelta(days=90),
            "conditions": "Spend the grant on the activities in your application; tell us about any major change.",
        }
        if kind == "prepared":
            award = award_prepare(**terms)
        else:
            award = award_offer(
                **terms, offer_expires_on=today - timedelta(days=1) if kind == "expired" else today + timedelta(days=30)
            )
        ctx.note("awards", True)
        awards.append(award)
        by_kind[kind] = award
        if kind == "expired":
            award_expire(award=award, today=today)
            continue
        if kind in ("offered", "prepared") or owner is None:
            continue
        if kind == "declined":
            award_decline(award=award, by=owner, reason="Our board decided to pause the project this year.")
            continue
        award_accept(
            award=award, by=owner, typed_name=owner.get_full_name() or owner.email, agreed=True, ip="203.0.113.10"
        )
        if kind == "terminated":
            award_terminate(award=award, by=staff, reason="The organisation closed its Millbrook programme.")
            continue
        if can_encrypt and not hasattr(application.organisation, "bank_details"):
            bank_details_set(
                organisation=application.organisation,
                by=owner,
                account_name=application.organisation.legal_name[:120],
                routing_number=ROUTINGS[index % len(ROUTINGS)],
                account_number=f"{rng.randint(10**9, 10**10 - 1)}",
                account_type="savings" if index % 4 == 3 else "checking",
            )
            ctx.note("bank details", True)
    ctx.objects["awards_2025"] = awards
    ctx.objects["awards_2025_by_kind"] = by_kind
