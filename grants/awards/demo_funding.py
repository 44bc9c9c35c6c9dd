"""Demo: restricted money funds a named grant. Runs after the donations section (the Naloxone in Every Pocket
campaign's gifts must be in): one accepted 2025 award is paid from the campaign's restricted money, through
`award_funding_set` as program staff would, so the campaign page lists it and its donors can follow their gift."""

from fund.models import CampaignPosition
from portal.money import ZERO

from .funding import award_funding_set
from .funding_models import AwardFundingSource
from .models import Award


def seed(ctx):
    campaigns = ctx.objects.get("campaigns") or {}
    naloxone = campaigns.get("naloxone")
    awards = ctx.objects.get("awards_2025") or []
    if naloxone is None or AwardFundingSource.objects.filter(campaign=naloxone, amount__gt=0).exists():
        return
    position = CampaignPosition.objects.filter(campaign=naloxone).first()
    balance = position.balance if position else ZERO
    chosen = next(
        (
            a
            for a in awards
            if Award.objects.filter(pk=a.pk, status=Award.Status.ACCEPTED).exists() and a.organisation.publicly_named
        ),
        None,
    )
    if chosen is None or balance <= ZERO:
        return
    chosen.refresh_from_db()
    from_campaign = min(chosen.amount, balance)
    award_funding_set(
        award=chosen,
        sources={naloxone: from_campaign, None: chosen.amount - from_campaign},
        by=ctx.users["program_officer"],
        reason="Naloxone kits and trainings: paid from the Naloxone in Every Pocket campaign",
    )
    ctx.note("awards funded by a campaign", True)
