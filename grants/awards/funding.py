"""Restricted money funds named grants: which campaigns (and how much unrestricted money) pay for each award.

Rules:
- An award's funding sources add up, to the cent, to what it commits (its amount, less what was released).
- A campaign's restricted money is spent only on awards that name it, and never more than the campaign holds: the
  `award_funded` posting moves committed expense onto the campaign and `fund.models.CampaignPosition` refuses it in
  the database if the campaign's balance would go below zero (under the same row locks as every posting).
- Unrestricted money is what the fund holds less what is owed less what campaigns hold and have not spent: an award
  (or part of one) paid from unrestricted money never eats into donors' restricted gifts.
- A new award draws first on its round's designated campaigns, in order, then on unrestricted money; staff can change
  the split later (`award_funding_set`) while the award is open. A release gives unrestricted money back first.

Ledger: the commitment itself (`award_offer`) is Dr grants expense / Cr grants payable, unrestricted; each change of
sources is one `award_funded` transaction, sourced by an `AwardFundingChange` row, moving grants expense between the
unrestricted account and the campaigns' (Dr grants expense (campaign) / Cr grants expense).
"""

from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from fund.ledger import LedgerError, lock_campaign_positions, lock_fund_position
from fund.models import Account, Campaign, CampaignPosition, Entry, LedgerTransaction
from fund.services import ledger_record_award_funding
from portal.audit import audit
from portal.money import ZERO, format_money, money

from . import permissions
from .errors import AwardError, InsufficientFunds
from .funding_models import AwardFundingChange, AwardFundingSource, RoundCampaign
from .models import Award

UNRESTRICTED = None


def award_sources(award) -> dict:
    """{Campaign or None: amount} for the award's sources with money (None is unrestricted)."""
    rows = AwardFundingSource.objects.filter(award=award, amount__gt=0).select_related("campaign")
    return {row.campaign: row.amount for row in rows}


def designated_campaigns(funding_round) -> list:
    return [
        rc.campaign
        for rc in RoundCampaign.objects.filter(round=funding_round, campaign__fund=funding_round.fund)
        .select_related("campaign")
        .order_by("sort_order", "pk")
    ]


def unrestricted_available(fund) -> Decimal:
    """What the fund holds, less what it owes, less what its campaigns hold and have not yet allocated."""
    position = lock_fund_position(fund)
    restricted = ZERO
    for p in CampaignPosition.objects.filter(campaign__fund=fund):
        restricted += max(p.balance, ZERO)
    return money(position.available_to_award - restricted)


def _balances(campaigns) -> dict:
    positions = lock_campaign_positions([c for c in campaigns if c is not None]) if campaigns else {}
    return {campaign_id: money(p.balance) for campaign_id, p in positions.items()}


def _write(award, new: dict, *, by, reason: str) -> AwardFundingChange | None:
    """Replace the award's sources by `new`, posting the difference; refuse restricted or unrestricted overspending."""
    new = {c: money(a) for c, a in new.items() if money(a) != ZERO}
    first = not AwardFundingSource.objects.filter(award=award).exists()
    # Before its first split, an award's commitment is unrestricted expense (as award_offer posts it).
    old = award_sources(award) or {UNRESTRICTED: money(sum(new.values(), ZERO))}
    keys = set(old) | set(new)
    changes = {c: money(new.get(c, ZERO) - old.get(c, ZERO)) for c in keys}
    changes = {c: d for c, d in changes.items() if d != ZERO}
    if not changes and not first:
        return None
    lock_fund_position(award.fund)
    change = None
    if changes:
        balances = _balances([c for c in changes if c is not None])
        for campaign, delta in changes.items():
            if campaign is not None and delta > ZERO and balances.get(campaign.pk, ZERO) < delta:
                raise InsufficientFunds(
                    _("%(campaign)s holds only %(available)s of restricted money that no award uses yet.")
                    % {
                        "campaign": campaign.title,
                        "available": format_money(max(balances.get(campaign.pk, ZERO), ZERO), award.currency),
                    }
                )
        change = AwardFundingChange.objects.create(award=award, reason=reason[:300], created_by=by)
        try:
            with transaction.atomic():
                ledger_record_award_funding(
                    fund=award.fund,
                    changes=changes,
                    source=change,
                    created_by=by,
                    memo=f"Award {award.application}: funding sources",
                )
        except LedgerError as exc:  # the database guard, should the check above ever be bypassed
            raise InsufficientFunds(str(exc)) from exc
    unrestricted_added = new.get(UNRESTRICTED, ZERO) if first else changes.get(UNRESTRICTED, ZERO)
    if unrestricted_added > ZERO:
        free = unrestricted_available(award.fund)
        if free < ZERO:
            raise InsufficientFunds(
                _(
                    "Only %(available)s of unrestricted money is available: the rest of the fund's money is restricted "
                    "to campaigns. Fund the award from a campaign instead."
                )
                % {"available": format_money(max(free + unrestricted_added, ZERO), award.currency)}
            )
    for campaign in keys:
        AwardFundingSource.objects.update_or_create(
            award=award, campaign=campaign, defaults={"amount": new.get(campaign, ZERO)}
        )
    audit(
        award,
        "awards.award.funding",
        user=by,
        data={"sources": {(c.slug if c else "unrestricted"): str(a) for c, a in new.items()}, "reason": str(reason)},
    )
    return change


def default_sources(award) -> dict:
    """The round's designated campaigns in order, each giving what it holds unallocated, then unrestricted money."""
    remaining = money(award.amount)
    campaigns = designated_campaigns(award.round)
    balances = _balances(campaigns)
    plan = {}
    for campaign in campaigns:
        take = min(max(balances.get(campaign.pk, ZERO), ZERO), remaining)
        if take > ZERO:
            plan[campaign] = take
            remaining -= take
    if remaining > ZERO:
        plan[UNRESTRICTED] = remaining
    return plan


def award_funding_apply_default(*, award, by=None) -> AwardFundingChange | None:
    """Called once by `award_offer`, inside its transaction and locks, after the commitment is posted."""
    return _write(award, default_sources(award), by=by, reason=_("Default: the round's designated campaigns"))


def award_funding_release(*, award, amount, by=None) -> AwardFundingChange | None:
    """Part of an award's commitment goes back to the fund: its sources shrink by `amount`, unrestricted money first,
    then the campaigns in reverse order; the campaigns' share goes back to them. Called by the award's release."""
    old = award_sources(award)
    if not old:
        return None  # an award without recorded sources is all unrestricted: the release posting says it all
    amount = money(amount)
    order = [UNRESTRICTED] + sorted(
        (c for c in old if c is not None), key=lambda c: _designation_rank(award, c), reverse=True
    )
    new = dict(old)
    for source in order:
        take = min(new.get(source, ZERO), amount)
        new[source] = new.get(source, ZERO) - take
        amount -= take
    if amount > ZERO:
        raise AwardError(_("Cannot release more than the award's sources pay."))
    restricted_back = sum((old[c] - new[c] for c in old if c is not None), ZERO)
    if restricted_back > ZERO:
        # The release posting credits unrestricted expense; move the campaigns' part there first.
        changes = {c: new[c] - old[c] for c in old if c is not None and new[c] != old[c]}
        changes[UNRESTRICTED] = restricted_back
        change = AwardFundingChange.objects.create(
            award=award, reason=_("Released money goes back to its campaigns"), created_by=by
        )
        ledger_record_award_funding(
            fund=award.fund, changes=changes, source=change, created_by=by, memo=f"Award {award.application}: release"
        )
    for source, value in new.items():
        AwardFundingSource.objects.filter(award=award, campaign=source).update(amount=value)
    return None


def _designation_rank(award, campaign) -> int:
    ids = [c.pk for c in designated_campaigns(award.round)]
    return ids.index(campaign.pk) if campaign.pk in ids else len(ids) + campaign.pk


@transaction.atomic
def award_funding_set(*, award, sources: dict, by, reason: str = "") -> Award:
    """Program staff change where an open award's money comes from: {Campaign or None: amount}, adding up to what the
    award commits. Refused when a campaign would spend more restricted money than it holds, or unrestricted money
    would dip into restricted gifts."""
    allowed, why = permissions.can_manage_awards(by)
    if not allowed:
        raise PermissionDenied(why)
    award = Award.objects.select_for_update().select_related("fund", "round", "application").get(pk=award.pk)
    if award.status not in Award.OPEN_STATUSES:
        raise AwardError(_("Only an open award's funding can be changed."))
    cleaned = {}
    for campaign, amount in sources.items():
        try:
            amount = money(amount or 0)
        except ValueError:
            raise AwardError(_("Enter each amount as a number.")) from None
        if amount < ZERO:
            raise AwardError(_("Amounts cannot be negative."))
        if campaign is not None and campaign.fund_id != award.fund_id:
            raise AwardError(_("%(campaign)s belongs to another fund.") % {"campaign": campaign.title})
        if amount > ZERO:
            cleaned[campaign] = amount
    total = money(sum(cleaned.values(), ZERO))
    current = money(sum(award_sources(award).values(), ZERO)) or money(award.amount)
    if total != current:
        raise AwardError(
            _("The sources add up to %(total)s but the award commits %(amount)s.")
            % {"total": format_money(total, award.currency), "amount": format_money(current, award.currency)}
        )
    _write(award, cleaned, by=by, reason=reason or _("Changed by staff"))
    return award


# --- Reads -------------------------------------------------------------------------------------------------------


def campaign_availability(fund) -> list[dict]:
    """Per campaign of the fund: held, allocated and balance (restricted money not yet allocated)."""
    positions = {p.campaign_id: p for p in CampaignPosition.objects.filter(campaign__fund=fund)}
    rows = []
    for campaign in Campaign.objects.filter(fund=fund).order_by("title"):
        p = positions.get(campaign.pk)
        rows.append(
            {
                "campaign": campaign,
                "held": p.restricted if p else ZERO,
                "allocated": p.allocated if p else ZERO,
                "balance": p.balance if p else ZERO,
            }
        )
    return rows


def awards_funded_by_campaigns(campaign_ids, *, statuses, limit=None):
    """AwardFundingSource rows (with award, application, organisation) of the given campaigns, largest first."""
    qs = (
        AwardFundingSource.objects.filter(campaign_id__in=list(campaign_ids), amount__gt=0, award__status__in=statuses)
        .select_related(
            "award__application__round__fund",
            "award__application__organisation__neighbourhood",
            "award__organisation",
            "campaign",
        )
        .order_by("-award__offered_at", "-pk")
    )
    return list(qs[:limit] if limit else qs)


# --- Ledger checks (registered in wagtail_hooks) ------------------------------------------------------------------


def check_award_funding_matches_ledger():
    """Per campaign, what awards' sources say it pays equals its grants expense in the ledger; per award with
    sources, the sources add up to its net commitment."""
    expense = defaultdict(lambda: ZERO)
    for row in (
        Entry.objects.filter(account__kind=Account.Kind.GRANTS_EXPENSE, account__campaign__isnull=False)
        .values("account__campaign_id")
        .annotate(total=Sum("amount"))
    ):
        expense[row["account__campaign_id"]] = money(row["total"] or 0)
    sources = defaultdict(lambda: ZERO)
    for row in (
        AwardFundingSource.objects.filter(campaign__isnull=False).values("campaign_id").annotate(total=Sum("amount"))
    ):
        sources[row["campaign_id"]] = money(row["total"] or 0)
    for campaign_id in sorted(set(expense) | set(sources)):
        if expense[campaign_id] != sources[campaign_id]:
            yield (
                f"Campaign #{campaign_id}: awards' sources say it pays {sources[campaign_id]}, "
                f"the ledger's grants expense says {expense[campaign_id]}."
            )
    net = defaultdict(lambda: ZERO)
    for row in (
        Entry.objects.filter(
            transaction__source_type="awards.award",
            transaction__kind__in=[LedgerTransaction.Kind.AWARD_COMMITTED, LedgerTransaction.Kind.AWARD_RELEASED],
            account__kind=Account.Kind.GRANTS_EXPENSE,
        )
        .values("transaction__source_id")
        .annotate(total=Sum("amount"))
    ):
        net[int(row["transaction__source_id"])] = money(row["total"] or 0)
    totals = AwardFundingSource.objects.values("award_id").annotate(total=Sum("amount"))
    for row in totals:
        if money(row["total"] or 0) != net[row["award_id"]]:
            yield f"Award #{row['award_id']}: sources add up to {money(row['total'] or 0)}, it commits {net[row['award_id']]}."
