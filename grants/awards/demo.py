"""Demo: the 2025 Harm Reduction round decided and its awards in every state, made as they happened.

Staff decide the round (an approval prepares the award and commits its money), review the prepared offers and send
them; the grantees accept (the hand-over gives each award its report schedule from the round's plan), decline or let
the offer lapse; finance pays the first tranches in one payment batch (prepared by one officer, approved and marked
paid by the other); one award is terminated. The impact demo then files the reports (releasing tranches and closing
the award whose grant has ended) and `demo_payments` prepares this week's payment. Each step calls the service the
screen calls, with the clock moved to when it happened (portal.demo.at), so `manage.py ledger_check` passes.

Money in: an opening-balance journal (city and partner contributions carried forward) posted to cash before the round
opened, so the commitments have money behind them before the donations section adds individual gifts.
"""

import logging
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from fund.ledger import Line, ledger_post
from fund.models import Account, LedgerTransaction
from grants.demo_people import organisation_owner
from grants.impact.schedule import report_schedule_remove
from grants.models import FundingRound
from grants.review.decisions import decision_make
from grants.review.models import Decision
from portal.demo import at, moment
from portal.money import split_by_percentages

from .models import Award, Disbursement, Tranche
from .offers import award_send_offer, proposed_tranches
from .payments import disbursement_approve, disbursement_prepare, payment_batch_create, payment_batch_mark_paid
from .services import (
    TrancheSpec,
    award_accept,
    award_decline,
    award_revise_offer,
    award_terminate,
    bank_details_set,
    expire_overdue_offers,
)

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
    "accepted_partly_paid",  # 60/40: first paid in the batch, second released by report 1 and due
    "accepted_awaiting_approval",  # first tranche prepared by finance 1 this week, waiting for finance 2
    "closed",  # one tranche, paid in the batch; its grant has ended and every report is approved
    "accepted_report_tranches",  # 40/30/30 on acceptance and reports 1 and 2; its overdue report holds payment
    "terminated",
    "declined",
    "expired",
    "offered",  # re-planned and sent this week
    "prepared",  # approved; staff have not sent the offer yet
]
PAID_KINDS = ("accepted_partly_paid", "closed")


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
    """The payment schedule staff settle on when they review the prepared offer; None keeps the proposed one
    (half on acceptance, half when report 1 is approved)."""
    if kind in ("closed", "declined", "expired", "terminated"):
        return [TrancheSpec(amount, today)]
    if kind == "accepted_report_tranches":
        a, b, c = split_by_percentages(amount, [40, 30, 30])
        return [
            TrancheSpec(a, today),
            TrancheSpec(b, today + timedelta(days=120), "on_report_approval", 1),
            TrancheSpec(c, today + timedelta(days=240), "on_report_approval", 2),
        ]
    if kind == "accepted_partly_paid":
        a, b = split_by_percentages(amount, [60, 40])
        return [TrancheSpec(a, today), TrancheSpec(b, today + timedelta(days=180), "on_report_approval", 1)]
    return None


DECIDED = -615  # the 2025 panel met and staff decided (days from today)
MESSAGES = {
    "approve": "Congratulations: the panel was glad to support your work in Millbrook.",
    "waitlist": "Your application scored well; we will come back to you if money becomes available this year.",
    "decline": "Thank you for your application and for the work you do in Millbrook.",
}
CONDITIONS = "Spend the grant on the activities in your application; tell us about any major change."


def _decide(ctx, outcomes, staff):
    """The 2025 decisions, as staff made them in the portal: an approval prepares the award and commits its money."""
    approved = []
    for number, (application, status) in enumerate(outcomes):
        outcome = {"approved": "approve", "waitlisted": "waitlist", "declined": "decline"}[status]
        with at(ctx, DECIDED, 10 + number % 6):
            decision_make(
                application=application,
                outcome=outcome,
                by=staff,
                amount=application.requested_amount if outcome == "approve" else None,
                conditions=CONDITIONS if outcome == "approve" else "",
                message=MESSAGES[outcome],
                include_feedback=outcome == "decline",
            )
        ctx.note("decisions", True)
        if outcome == "approve":
            approved.append(application)
    with at(ctx, DECIDED, 18):  # staff mark the round decided in the admin
        round_ = outcomes[0][0].round
        round_.status = FundingRound.Status.DECIDED
        round_.save(update_fields=["status"])
    return approved


def _pay_first_tranches(ctx, fund, awards):
    """Finance pays the first tranches of the first accepted awards: prepared by one officer, approved by the other,
    sent in one payment file and marked paid when the bank confirms."""
    finance_1, finance_2 = ctx.users["finance_1"], ctx.users["finance_2"]
    with at(ctx, -588, 10):
        for award in awards:
            tranche = award.tranches.filter(status=Tranche.Status.SCHEDULED).order_by("sequence").first()
            disbursement_prepare(tranche=tranche, by=finance_1)
    with at(ctx, -587, 11):
        for disbursement in Disbursement.objects.filter(tranche__award__in=awards, status="pending"):
            disbursement_approve(disbursement=disbursement, by=finance_2)
    with at(ctx, -587, 15):
        batch = payment_batch_create(fund=fund, by=finance_1, effective_date=moment(ctx, -585).date())
    with at(ctx, -584, 10):
        payment_batch_mark_paid(batch=batch, by=finance_2)
    ctx.note("payment batches", True)


def seed(ctx):
    outcomes = ctx.objects.get("applications_2025_outcomes")
    fund = ctx.objects.get("fund")
    if not outcomes or fund is None:
        return
    round_ = outcomes[0][0].round
    if Decision.objects.filter(application__round=round_).exists():
        return  # seeded before
    staff = ctx.users["program_officer"]
    can_encrypt = bool(getattr(settings, "BANK_DETAILS_KEYS", None))
    if not can_encrypt:
        logger.warning("BANK_DETAILS_KEYS is not set: the awards demo skips bank details and the payment batch.")
    with at(ctx, -725):
        _opening_balance(ctx, fund)
    approved = _decide(ctx, outcomes, staff)
    rng = ctx.rng_for("awards")
    awards, by_kind = [], {}
    # Staff review the prepared offers (schedule, the closed grant's shorter period) and send them.
    for index, (application, kind) in enumerate(zip(approved, PLAN)):
        award = Award.objects.get(application=application, status=Award.Status.PREPARED)
        ctx.note("awards", True)
        awards.append(award)
        by_kind[kind] = award
        if kind in ("prepared", "offered"):
            continue
        with at(ctx, DECIDED + 3, 10 + index % 6):
            today = timezone.localdate()
            award_revise_offer(
                award=award,
                by=staff,
                tranches=_schedule(kind, award.amount, today),
                period_end=moment(ctx, -200).date() if kind == "closed" else None,
            )
            award_send_offer(award=award, by=staff)
    # The grantees answer within the month; the one that never answers lapses.
    for index, (award, kind) in enumerate(zip(awards, PLAN)):
        if kind in ("prepared", "offered", "expired"):
            continue
        owner = organisation_owner(ctx, award.organisation)
        with at(ctx, DECIDED + 8 + index, 11 + index % 5):
            if kind == "declined":
                award_decline(award=award, by=owner, reason="Our board decided to pause the project this year.")
                continue
            award_accept(
                award=award, by=owner, typed_name=owner.get_full_name() or owner.email, agreed=True, ip="203.0.113.10"
            )
            if can_encrypt and not hasattr(award.organisation, "bank_details"):
                bank_details_set(
                    organisation=award.organisation,
                    by=owner,
                    account_name=award.organisation.legal_name[:120],
                    routing_number=ROUTINGS[index % len(ROUTINGS)],
                    account_number=f"{rng.randint(10**9, 10**10 - 1)}",
                    account_type="savings" if index % 4 == 3 else "checking",
                )
                ctx.note("bank details", True)
    if can_encrypt:
        _pay_first_tranches(ctx, fund, [by_kind[k] for k in PAID_KINDS if k in by_kind])
    if "expired" in by_kind:
        with at(ctx, DECIDED + 3 + fund.award_offer_days + 1, 1):  # the nightly job
            expire_overdue_offers()
    if "terminated" in by_kind:
        _terminate(ctx, by_kind["terminated"], staff)
    if "offered" in by_kind:
        # Held back when the programme it funds was re-planned; staff re-did the schedule and sent it this week.
        award = by_kind["offered"]
        with at(ctx, -6, 10):
            award_revise_offer(
                award=award, by=staff, tranches=proposed_tranches(award.round, award.amount, today=timezone.localdate())
            )
            award_send_offer(award=award, by=staff)
    for award in awards:
        award.refresh_from_db()
    ctx.objects["awards_2025"] = awards
    ctx.objects["awards_2025_by_kind"] = by_kind


def _terminate(ctx, award, staff):
    """The organisation closed its Millbrook programme before its first report: staff take the reports it will never
    file off the schedule, then end the award (its unpaid money goes back to the fund)."""
    with at(ctx, -540, 14):
        for number in award.impact_reports.order_by("-number").values_list("number", flat=True):
            report_schedule_remove(award=award, number=number, by=staff, reason="The programme has closed.")
        award_terminate(award=award, by=staff, reason="The organisation closed its Millbrook programme.")
