from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.forms import MoneyField
from portal.money import ZERO, money, split_by_percentages, split_equally

from .models import BankDetails, Tranche
from .services import TrancheSpec


class AcceptAwardForm(forms.Form):
    typed_name = forms.CharField(label=_("Type your full name to sign"), max_length=200)
    agree = forms.BooleanField(label=_("I have read the grant agreement and accept it on behalf of the organisation"))


class DeclineAwardForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are you declining? (optional)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class BankDetailsForm(forms.Form):
    """One form for the three countries: fill the bank code fields of the account's country (the service checks
    them per country and says which one is wrong)."""

    country = forms.ChoiceField(label=_("Country of the bank"), choices=BankDetails.Country.choices)
    account_name = forms.CharField(label=_("Name on the account"), max_length=120)
    routing_number = forms.CharField(label=_("Routing number (United States, 9 digits)"), max_length=11, required=False)
    sort_code = forms.CharField(label=_("Sort code (United Kingdom, 6 digits)"), max_length=8, required=False)
    institution_number = forms.CharField(label=_("Institution number (Canada, 3 digits)"), max_length=3, required=False)
    transit_number = forms.CharField(label=_("Transit number (Canada, 5 digits)"), max_length=5, required=False)
    account_number = forms.CharField(label=_("Account number"), max_length=20)
    account_type = forms.ChoiceField(
        label=_("Account type (United States)"), choices=BankDetails.AccountType.choices, required=False
    )

    def clean_account_type(self):
        return self.cleaned_data.get("account_type") or BankDetails.AccountType.CHECKING


class OfferForm(forms.Form):
    HELPERS = [
        ("", _("Use the amounts entered")),
        ("equal", _("Split the award equally over the tranches")),
        ("percent", _("Split by the percentages below")),
    ]

    amount = MoneyField(label=_("Award amount"), max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    period_start = forms.DateField(
        label=_("Grant period starts"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    period_end = forms.DateField(
        label=_("Grant period ends"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    offer_expires_on = forms.DateField(
        label=_("Offer expires on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    conditions = forms.CharField(label=_("Conditions"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    reporting_requirements = forms.CharField(
        label=_("Reporting requirements"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    split = forms.ChoiceField(label=_("Tranche amounts"), choices=HELPERS, required=False)
    percentages = forms.CharField(label=_("Percentages, in tranche order (e.g. 50, 30, 20)"), required=False)

    def __init__(self, *args, max_amount=None, sent=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_amount = max_amount
        if sent:
            self.fields["offer_expires_on"].required = True
        else:  # chosen when the offer is sent
            del self.fields["offer_expires_on"]

    def clean_amount(self):
        amount = money(self.cleaned_data["amount"])
        if self.max_amount is not None and amount > self.max_amount:
            raise forms.ValidationError(
                _("The award cannot be more than the %(max)s committed.") % {"max": self.max_amount}
            )
        return amount

    def clean_percentages(self):
        raw = self.cleaned_data.get("percentages", "")
        if not raw.strip():
            return []
        try:
            return [Decimal(p.strip()) for p in raw.split(",") if p.strip()]
        except Exception:  # noqa: BLE001 - any parse failure is a user error
            raise forms.ValidationError(_("Enter numbers separated by commas.")) from None


class TrancheForm(forms.Form):
    amount = MoneyField(label=_("Amount"), max_digits=14, decimal_places=2, required=False, min_value=Decimal("0.01"))
    due_date = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}))
    condition = forms.ChoiceField(label=_("Released"), choices=Tranche.Condition.choices)
    report_number = forms.IntegerField(label=_("Report number"), required=False, min_value=1)

    def clean(self):
        data = super().clean()
        if data.get("condition") == Tranche.Condition.ON_REPORT_APPROVAL and not data.get("report_number"):
            self.add_error("report_number", _("Say which report releases this tranche."))
        return data


class BaseTrancheFormSet(forms.BaseFormSet):
    def specs(self, *, amount, split, percentages) -> list[TrancheSpec]:
        """Tranches from the filled rows, with the split helper applied; refuses a schedule that does not add up."""
        rows = [f.cleaned_data for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        rows = [r for r in rows if r.get("due_date")]
        if not rows:
            raise forms.ValidationError(_("Add at least one tranche."))
        if split == "equal":
            amounts = split_equally(amount, len(rows))
        elif split == "percent":
            if len(percentages) != len(rows):
                raise forms.ValidationError(_("Give one percentage per tranche."))
            try:
                amounts = split_by_percentages(amount, percentages)
            except ValueError:
                raise forms.ValidationError(_("The percentages must add up to 100.")) from None
        else:
            if any(r.get("amount") is None for r in rows):
                raise forms.ValidationError(_("Enter an amount for every tranche, or choose a split."))
            amounts = [money(r["amount"]) for r in rows]
        total = sum(amounts, ZERO)
        if total != amount:
            raise forms.ValidationError(
                _("The tranches add up to %(total)s but the award is %(amount)s.") % {"total": total, "amount": amount}
            )
        return [TrancheSpec(a, r["due_date"], r["condition"], r.get("report_number")) for a, r in zip(amounts, rows)]


TrancheFormSet = forms.formset_factory(TrancheForm, formset=BaseTrancheFormSet, extra=1, max_num=12, validate_max=True)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000)


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("Return reason (e.g. R03 No account)"), max_length=200)


class OfferSendForm(forms.Form):
    offer_expires_on = forms.DateField(
        label=_("The grantee must accept by"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_offer_expires_on(self):
        day = self.cleaned_data["offer_expires_on"]
        if day < timezone.localdate():
            raise forms.ValidationError(_("Choose a date from today on."))
        return day


class ScheduleReportForm(forms.Form):
    """One report of an award's schedule: the period it covers and when it is due."""

    period_start = forms.DateField(label=_("Period starts"), widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(label=_("Period ends"), widget=forms.DateInput(attrs={"type": "date"}))
    due_date = forms.DateField(label=_("Due on"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        start, end, due = data.get("period_start"), data.get("period_end"), data.get("due_date")
        if start and end and end < start:
            self.add_error("period_end", _("The period ends before it starts."))
        if end and due and due < end:
            self.add_error("due_date", _("A report cannot be due before its period ends."))
        return data
