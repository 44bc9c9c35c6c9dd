"""Staff forms: donation filters, offline gifts, pledges, instalment payments."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fund.models import Campaign, Fund
from portal.forms import MoneyField

from .models import DonationStatus, Donor, Method

OFFLINE_METHODS = [(m.value, m.label) for m in Method if m != Method.STRIPE]


class DonationFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"), required=False, help_text=_("Donor name or email, reference, Stripe id, number")
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any"))] + list(DonationStatus.choices)
    )
    method = forms.ChoiceField(label=_("Method"), required=False, choices=[("", _("Any"))] + list(Method.choices))
    campaign = forms.ChoiceField(label=_("Designation"), required=False)
    # The date the money was received (an offline gift may be entered weeks later), not the date the row was made.
    received_from = forms.DateField(
        label=_("Received from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    received_to = forms.DateField(
        label=_("Received to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].choices = [("", _("Any")), ("general", _("General fund"))] + list(
            Campaign.objects.values_list("slug", "title")
        )

    def clean(self):
        data = super().clean()
        start, end = data.get("received_from"), data.get("received_to")
        if start and end and start > end:
            self.add_error("received_to", _("The end date must be on or after the start date."))
        return data

    def filters(self) -> dict:
        """Keyword arguments for `selectors.staff_donations`. An invalid form has no filters to give: the caller must
        show its errors rather than list (or export) every donation."""
        if not self.is_bound:
            return {}
        if not self.is_valid():
            raise ValueError("Invalid donation filters; show form.errors instead.")
        return {k: v for k, v in self.cleaned_data.items() if v}


class DonorChoiceMixin(forms.Form):
    donor = forms.ModelChoiceField(label=_("Existing donor"), queryset=Donor.objects.order_by("name"), required=False)
    new_donor_name = forms.CharField(label=_("Or new donor: name"), required=False, max_length=200)
    new_donor_email = forms.EmailField(label=_("New donor: email"), required=False)
    fund = forms.ModelChoiceField(label=_("Fund"), queryset=Fund.objects.all())
    campaign = forms.ModelChoiceField(
        label=_("Campaign (restricted gift)"), queryset=Campaign.objects.all(), required=False
    )

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
    amount = MoneyField(
        label=_("Amount"),
        min_value=0.01,
        max_digits=14,
        decimal_places=2,
        help_text=_("For stock, the value for the books (not shown on US receipts)."),
    )
    received_on = forms.DateField(
        label=_("Received on"), initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"})
    )
    reference = forms.CharField(label=_("Cheque number or bank reference"), required=False, max_length=100)
    description = forms.CharField(label=_("Description (required for stock)"), required=False, max_length=300)
    advantage_amount = MoneyField(
        label=_("Value of goods or services given in return"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
    )
    advantage_description = forms.CharField(
        label=_("What was given in return (described on US and Canadian receipts)"), required=False, max_length=300
    )
    # Canadian funds only: CRA receipts for appraised gifts in kind name the appraiser. Listed securities need none.
    appraised_value = MoneyField(
        label=_("Appraised value (Canada, gifts in kind)"),
        required=False,
        min_value=0.01,
        max_digits=14,
        decimal_places=2,
        help_text=_(
            "Only if the property was appraised; publicly traded securities need no appraisal. Must equal the amount."
        ),
    )
    appraiser_name = forms.CharField(label=_("Appraiser's name"), required=False, max_length=200)
    appraiser_address = forms.CharField(
        label=_("Appraiser's address"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean(self):
        from .offline import appraisal_problems

        data = super().clean()
        advantage, amount = data.get("advantage_amount"), data.get("amount")
        if advantage is not None and amount is not None and advantage > amount:
            self.add_error("advantage_amount", _("The value given in return cannot be more than the amount."))
        if advantage and not data.get("advantage_description"):
            self.add_error("advantage_description", _("Describe what was given in return: the receipt must say."))
        if data.get("method") == Method.STOCK and not data.get("description"):
            self.add_error("description", _("Describe the stock gift (security and number of shares)."))
        if "appraised_value" in self.errors:
            return data
        problems = appraisal_problems(
            fund=data.get("fund"),
            method=data.get("method"),
            amount=amount,
            appraised_value=data.get("appraised_value"),
            appraiser_name=data.get("appraiser_name", ""),
            appraiser_address=data.get("appraiser_address", ""),
        )
        for field, message in problems.items():
            self.add_error(field, message)
        return data

    def service_kwargs(self) -> dict:
        """Everything `offline.donation_record_offline` takes from this form (all but `donor` and `by`)."""
        data = self.cleaned_data
        return {
            "fund": data["fund"],
            "campaign": data["campaign"],
            "amount": data["amount"],
            "method": data["method"],
            "received_on": data["received_on"],
            "reference": data["reference"],
            "description": data["description"],
            "advantage_amount": data.get("advantage_amount") or 0,
            "advantage_description": data.get("advantage_description", ""),
            "appraised_value": data.get("appraised_value"),
            "appraiser_name": data.get("appraiser_name", ""),
            "appraiser_address": data.get("appraiser_address", ""),
        }


class OfflineGiftSaleForm(forms.Form):
    """Staff record what a gift of securities fetched when the fund sold it."""

    proceeds = MoneyField(
        label=_("Proceeds received"),
        min_value=0.01,
        max_digits=14,
        decimal_places=2,
        help_text=_("What reached the bank, after the broker's commission."),
    )
    sold_on = forms.DateField(
        label=_("Sold on"), initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"})
    )


class PledgeForm(DonorChoiceMixin):
    amount = MoneyField(label=_("Pledged amount"), min_value=0.01, max_digits=14, decimal_places=2)
    pledged_on = forms.DateField(
        label=_("Pledged on"), initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"})
    )
    instalments = forms.IntegerField(label=_("Number of instalments"), min_value=1, max_value=60, initial=4)
    first_due = forms.DateField(label=_("First instalment due"), widget=forms.DateInput(attrs={"type": "date"}))
    interval_months = forms.IntegerField(label=_("Months between instalments"), min_value=1, max_value=24, initial=3)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class InstalmentPaymentForm(forms.Form):
    method = forms.ChoiceField(label=_("Received by"), choices=OFFLINE_METHODS)
    received_on = forms.DateField(
        label=_("Received on"), initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"})
    )
    reference = forms.CharField(label=_("Reference"), required=False, max_length=100)


class ReissueForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)
