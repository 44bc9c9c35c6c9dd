"""Staff forms: donation filters, offline gifts, pledges, instalment payments."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fund.models import Campaign, Fund

from .models import DonationStatus, Donor, Method

OFFLINE_METHODS = [(m.value, m.label) for m in Method if m != Method.STRIPE]


class DonationFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, help_text=_("Donor name or email, reference, Stripe id, number"))
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Any"))] + list(DonationStatus.choices))
    method = forms.ChoiceField(label=_("Method"), required=False, choices=[("", _("Any"))] + list(Method.choices))
    campaign = forms.ChoiceField(label=_("Designation"), required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].choices = [("", _("Any")), ("general", _("General fund"))] + list(
            Campaign.objects.values_list("slug", "title"))

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}


class DonorChoiceMixin(forms.Form):
    donor = forms.ModelChoiceField(label=_("Existing donor"), queryset=Donor.objects.order_by("name"), required=False)
    new_donor_name = forms.CharField(label=_("Or new donor: name"), required=False, max_length=200)
    new_donor_email = forms.EmailField(label=_("New donor: email"), required=False)
    fund = forms.ModelChoiceField(label=_("Fund"), queryset=Fund.objects.all())
    campaign = forms.ModelChoiceField(label=_("Campaign (restricted gift)"), queryset=Campaign.objects.all(), required=False)

    def clean(self):
        data = super().clean()
        if not data.get("donor") and not (data.get("new_donor_name") and data.get("new_donor_email")):
            raise forms.ValidationError(_("Choose a donor, or give the new donor's name and email."))
        campaign, fund = data.get("campaign"), data.get("fund")
        if campaign and fund and campaign.fund_id != fund.pk:
            self.add_error("campaign", _("That campaign belongs to another fund."))
        return data


class OfflineGiftForm(DonorChoiceMixin):
    method = forms.ChoiceField(label=_("Received by"), choices=OFFLINE_METHODS)
    amount = forms.DecimalField(label=_("Amount"), min_value=0.01, max_digits=14, decimal_places=2,
                                help_text=_("For stock, the value for the books (not shown on US receipts)."))
    received_on = forms.DateField(label=_("Received on"), initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"}))
    reference = forms.CharField(label=_("Cheque number or bank reference"), required=False, max_length=100)
    description = forms.CharField(label=_("Description (required for stock)"), required=False, max_length=300)
    advantage_amount = forms.DecimalField(label=_("Value of goods or services given in return"), required=False,
                                          min_value=0, max_digits=14, decimal_places=2)


class PledgeForm(DonorChoiceMixin):
    amount = forms.DecimalField(label=_("Pledged amount"), min_value=0.01, max_digits=14, decimal_places=2)
    pledged_on = forms.DateField(label=_("Pledged on"), initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"}))
    instalments = forms.IntegerField(label=_("Number of instalments"), min_value=1, max_value=60, initial=4)
    first_due = forms.DateField(label=_("First instalment due"), widget=forms.DateInput(attrs={"type": "date"}))
    interval_months = forms.IntegerField(label=_("Months between instalments"), min_value=1, max_value=24, initial=3)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class InstalmentPaymentForm(forms.Form):
    method = forms.ChoiceField(label=_("Received by"), choices=OFFLINE_METHODS)
    received_on = forms.DateField(label=_("Received on"), initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"}))
    reference = forms.CharField(label=_("Reference"), required=False, max_length=100)


class ReissueForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)
