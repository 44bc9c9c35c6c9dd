"""Where an award's money comes from: restricted campaign money and/or the fund's unrestricted money.

Kept apart from the award lifecycle (grants.awards.models): the only link is `award_funding_apply_default` called once
from `award_offer` and `award_funding_release` from the release of a commitment. Re-exported by grants.awards.models.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel
from wagtail.models import Orderable

from portal.money import MoneyField


class RoundCampaign(Orderable):
    """A campaign whose restricted money a round's awards draw on first, in this order."""

    round = ParentalKey("grants.FundingRound", on_delete=models.CASCADE, related_name="designated_campaigns")
    campaign = models.ForeignKey("fund.Campaign", on_delete=models.PROTECT, related_name="+")

    panels = [FieldPanel("campaign")]

    class Meta(Orderable.Meta):
        verbose_name = _("designated campaign")
        verbose_name_plural = _("designated campaigns")
        constraints = [models.UniqueConstraint(fields=["round", "campaign"], name="unique_round_campaign")]

    def __str__(self):
        return f"{self.round}: {self.campaign}"


class AwardFundingSource(models.Model):
    """How much of an award one source pays: a campaign's restricted money, or unrestricted money (campaign empty).
    The sources of an award add up to what it commits (its amount, less what was released)."""

    award = models.ForeignKey("awards.Award", on_delete=models.PROTECT, related_name="funding_sources")
    campaign = models.ForeignKey(
        "fund.Campaign", null=True, blank=True, on_delete=models.PROTECT, related_name="award_funding"
    )
    amount = MoneyField(_("amount"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["award_id", "campaign_id"]
        verbose_name = _("award funding source")
        verbose_name_plural = _("award funding sources")
        constraints = [
            models.UniqueConstraint(fields=["award", "campaign"], name="unique_award_funding_campaign"),
            models.UniqueConstraint(
                fields=["award"], condition=Q(campaign__isnull=True), name="unique_award_funding_unrestricted"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="award_funding_not_negative"),
        ]

    def __str__(self):
        return f"{self.award}: {self.amount} from {self.campaign or _('unrestricted money')}"


class AwardFundingChange(models.Model):
    """One change of an award's funding sources: the source of its `award_funded` ledger posting."""

    award = models.ForeignKey("awards.Award", on_delete=models.PROTECT, related_name="funding_changes")
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("award funding change")
        verbose_name_plural = _("award funding changes")
