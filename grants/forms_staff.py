from django import forms
from django.utils.translation import gettext_lazy as _

from applicants.models import Neighbourhood, Organisation
from portal.forms import MoneyField

from .models import Application, FundingRound

ORDERINGS = {
    "-submitted_at": _("Newest first"),
    "submitted_at": _("Oldest first"),
    "-requested_amount": _("Largest request"),
    "requested_amount": _("Smallest request"),
    "reference": _("Reference"),
    "organisation__legal_name": _("Organisation"),
    "status": _("Status"),
}


class ApplicationFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, help_text=_("Reference, title or organisation"))
    round = forms.ModelChoiceField(label=_("Round"), queryset=FundingRound.objects.only("pk", "title"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All submitted"))] + list(Application.Status.choices)
    )
    min_amount = MoneyField(label=_("Amount from"), required=False, min_value=0)
    max_amount = MoneyField(label=_("Amount to"), required=False, min_value=0)
    neighbourhood = forms.ModelChoiceField(
        label=_("Neighbourhood"), queryset=Neighbourhood.objects.all(), required=False
    )
    org_type = forms.ChoiceField(
        label=_("Organisation type"), required=False, choices=[("", _("Any"))] + list(Organisation.Type.choices)
    )
    order = forms.ChoiceField(label=_("Sort by"), required=False, choices=list(ORDERINGS.items()))

    def selector_kwargs(self):
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "round_id": data.get("round").pk if data.get("round") else None,
            "status": data.get("status") or None,
            "min_amount": data.get("min_amount"),
            "max_amount": data.get("max_amount"),
            "neighbourhood_id": data.get("neighbourhood").pk if data.get("neighbourhood") else None,
            "org_type": data.get("org_type") or None,
            "search": (data.get("q") or "").strip(),
            "order": data.get("order") or "-submitted_at",
        }
