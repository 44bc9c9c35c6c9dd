"""Staff screen for an award's funding sources (restricted campaign money and unrestricted money)."""

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fund.models import Campaign
from portal.forms import MoneyField

from . import funding, permissions
from .admin_views import _admin, requires
from .errors import AwardError
from .models import Award


class FundingForm(forms.Form):
    """One amount per campaign of the award's fund, and one for unrestricted money."""

    reason = forms.CharField(label=gettext_lazy("Reason for the change"), max_length=300, required=False)

    def __init__(self, *args, award, campaigns, current, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaigns = campaigns
        for campaign in campaigns:
            self.fields[f"campaign_{campaign.pk}"] = MoneyField(
                label=_("From %(campaign)s (restricted)") % {"campaign": campaign.title},
                max_digits=14,
                decimal_places=2,
                min_value=Decimal("0"),
                required=False,
                initial=current.get(campaign, Decimal("0.00")),
            )
        self.fields["unrestricted"] = MoneyField(
            label=_("From unrestricted money"),
            max_digits=14,
            decimal_places=2,
            min_value=Decimal("0"),
            required=False,
            initial=current.get(None, Decimal("0.00")),
        )
        self.order_fields([*(f"campaign_{c.pk}" for c in campaigns), "unrestricted", "reason"])

    def sources(self) -> dict:
        data = self.cleaned_data
        result = {c: data.get(f"campaign_{c.pk}") or Decimal("0") for c in self.campaigns}
        result[None] = data.get("unrestricted") or Decimal("0")
        return result


@requires(permissions.can_view_money)
def award_funding(request, pk):
    award = get_object_or_404(Award.objects.select_related("application", "organisation", "fund", "round"), pk=pk)
    campaigns = list(Campaign.objects.filter(fund=award.fund).order_by("title"))
    current = funding.award_sources(award)
    can_change = permissions.can_manage_awards(request.user)[0] and award.status in Award.OPEN_STATUSES
    form = FundingForm(
        request.POST if request.method == "POST" and can_change else None,
        award=award,
        campaigns=campaigns,
        current=current,
    )
    if request.method == "POST" and can_change and form.is_valid():
        try:
            funding.award_funding_set(
                award=award, sources=form.sources(), by=request.user, reason=form.cleaned_data["reason"]
            )
        except (AwardError, PermissionDenied) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The award's funding sources are saved."))
            return redirect("awards_funding:award_funding", pk=award.pk)
    return _admin(
        request,
        "award_funding.html",
        {
            "award": award,
            "form": form,
            "can_change": can_change,
            "sources": sorted(current.items(), key=lambda item: (item[0] is None, str(item[0]))),
            "availability": funding.campaign_availability(award.fund),
            "designated": funding.designated_campaigns(award.round),
            "page_title": _("Funding of award %(ref)s") % {"ref": award.application},
        },
    )
