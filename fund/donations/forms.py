"""The donate form (used at /donate/ and embedded in campaign pages), and the donor's address form."""

from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fund.models import Campaign, Fund
from portal.forms import MoneyField
from portal.money import format_money, money

from . import conf, fees, giftaid
from .models import Dedication, Donor


def default_fund():
    return Fund.objects.filter(is_default=True).first() or Fund.objects.order_by("pk").first()


def open_campaigns(fund):
    now = timezone.now()
    return Campaign.objects.filter(fund=fund, starts_at__lte=now).exclude(ends_at__lt=now).order_by("title")


class DonateForm(forms.Form):
    amount_choice = forms.ChoiceField(label=_("Amount"), widget=forms.RadioSelect, required=False)
    custom_amount = MoneyField(label=_("Other amount"), required=False, max_digits=10)
    frequency = forms.ChoiceField(
        label=_("How often"),
        choices=[("once", _("Once")), ("monthly", _("Monthly"))],
        initial="once",
        widget=forms.RadioSelect,
    )
    cover_fee = forms.BooleanField(
        label=_("Cover the processing fee so the fund receives my whole gift"), required=False
    )
    designation = forms.ChoiceField(label=_("Direct my gift to"))
    name = forms.CharField(label=_("Full name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField(
        label=_("Email"),
        help_text=_("Your receipt is sent here."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    address_line1 = forms.CharField(
        label=_("Address"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-line1"}),
    )
    city = forms.CharField(
        label=_("Town or city"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )
    postal_code = forms.CharField(
        label=_("Postal code"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code"}),
    )
    anonymous = forms.BooleanField(label=_("Give anonymously (your name is never shown publicly)"), required=False)
    dedication_type = forms.ChoiceField(label=_("Dedicate this gift"), choices=Dedication.choices, required=False)
    dedication_name = forms.CharField(label=_("Name of the person"), max_length=200, required=False)
    dedication_notify_email = forms.EmailField(label=_("Let someone know (optional email)"), required=False)
    gift_aid = forms.BooleanField(label=_("Yes, add Gift Aid to my gift"), required=False)
    # Honeypot: hidden from people with CSS and aria-hidden; bots fill it in.
    website = forms.CharField(label=_("Leave this field empty"), required=False)

    def __init__(self, *args, fund, campaign=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fund = fund
        self.campaign = campaign
        suggested = (
            campaign.suggested_amounts if campaign and campaign.suggested_amounts else None
        ) or conf.default_suggested_amounts()
        self.suggested = [money(a) for a in suggested]
        self.fields["amount_choice"].choices = [(str(a), format_money(a, fund.currency)) for a in self.suggested] + [
            ("other", _("Other amount"))
        ]
        self.fields["amount_choice"].initial = str(self.suggested[min(1, len(self.suggested) - 1)])
        campaigns = list(open_campaigns(fund))
        if campaign and campaign not in campaigns:
            campaigns.insert(0, campaign)
        self.fields["designation"].choices = [("general", _("Where it is needed most (general fund)"))] + [
            (c.slug, c.title) for c in campaigns
        ]
        self.fields["designation"].initial = campaign.slug if campaign else "general"
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        self.is_uk = fund.jurisdiction == "UK"
        if not self.is_uk:
            del self.fields["gift_aid"]
        else:
            self.fields["gift_aid"].help_text = giftaid.declaration_text(charity_name=fund.legal_name or fund.name)
        self.fields["custom_amount"].help_text = _("Minimum %(min)s.") % {
            "min": format_money(conf.minimum_amount(), fund.currency)
        }

    def clean_website(self):
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(_("Please leave this field empty."))
        return ""

    def clean(self):
        data = super().clean()
        choice = data.get("amount_choice") or ("other" if data.get("custom_amount") else "")
        if choice == "other" or not choice:
            gift = data.get("custom_amount")
            if gift is None:
                self.add_error("custom_amount", _("Enter an amount, or choose one of the suggested amounts."))
                return data
        else:
            try:
                gift = money(choice)
            except ValueError:
                self.add_error("amount_choice", _("Choose an amount."))
                return data
        gift = money(gift)
        if gift < conf.minimum_amount():
            self.add_error(
                "custom_amount",
                _("The minimum gift is %(min)s.") % {"min": format_money(conf.minimum_amount(), self.fund.currency)},
            )
        elif gift > conf.maximum_amount():
            self.add_error(
                "custom_amount",
                _("For gifts over %(max)s please contact us.")
                % {"max": format_money(conf.maximum_amount(), self.fund.currency)},
            )
        data["gift"] = gift
        designation = data.get("designation")
        data["campaign_obj"] = None
        if designation and designation != "general":
            data["campaign_obj"] = Campaign.objects.filter(slug=designation, fund=self.fund).first()
        if data.get("dedication_type") and not data.get("dedication_name"):
            self.add_error("dedication_name", _("Tell us who the gift is dedicated to."))
        if data.get("gift_aid") and not (data.get("address_line1") and data.get("postal_code")):
            self.add_error("address_line1", _("Gift Aid needs your home address and postcode."))
        return data

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        return {
            "fund": self.fund,
            "campaign": d["campaign_obj"],
            "gift": d["gift"],
            "cover_fee": d.get("cover_fee", False),
            "monthly": d.get("frequency") == "monthly",
            "email": d["email"],
            "name": d["name"],
            "address": {
                "address_line1": d.get("address_line1", ""),
                "city": d.get("city", ""),
                "postal_code": d.get("postal_code", ""),
                "country": {"UK": "GB", "CA": "CA"}.get(self.fund.jurisdiction, "US"),
            },
            "anonymous": d.get("anonymous", False),
            "dedication_type": d.get("dedication_type", ""),
            "dedication_name": d.get("dedication_name", ""),
            "dedication_notify_email": d.get("dedication_notify_email", ""),
            "gift_aid": d.get("gift_aid", False),
        }


def percent_display(fraction: Decimal) -> str:
    """A rate given as a fraction, as a percentage without trailing zeros: 0.029 -> "2.9%", 0.03 -> "3%"."""
    return f"{(Decimal(fraction) * 100).normalize():f}%"


def donate_form_context(request, campaign=None, form=None) -> dict:
    """Everything `donations/includes/donate_form.html` needs; the cms CampaignPage calls this for its embedded form."""
    fund = campaign.fund if campaign is not None else default_fund()
    if fund is None:
        return {"donate_unavailable": True, "donate_debug": settings.DEBUG}
    if form is None:
        user = getattr(request, "user", None)
        initial = (
            {"email": user.email, "name": user.get_full_name()} if getattr(user, "is_authenticated", False) else {}
        )
        form = DonateForm(fund=fund, campaign=campaign, initial=initial)
    example_gift = Decimal("50")
    example = fees.checkout_amounts(example_gift, cover_fee=True)
    return {
        "donate_form": form,
        "donate_fund": fund,
        "donate_campaign": campaign,
        "donate_ready": conf.stripe_configured(),
        "donate_debug": settings.DEBUG,
        "donate_test_mode": settings.STRIPE_STANDIN,
        "donate_fee_percent": str(conf.fee_percent()),
        "donate_fee_fixed": str(conf.fee_fixed()),
        "donate_fee_example": example,
        "donate_fee_percent_display": percent_display(conf.fee_percent()),
        "donate_fee_fixed_display": format_money(conf.fee_fixed(), fund.currency),
        "donate_fee_example_gift": format_money(example_gift, fund.currency),
        "donate_fee_example_charged": format_money(example["amount"], fund.currency),
        "donate_minimum": conf.minimum_amount(),
        "donate_currency": fund.currency,
    }


class DonorAddressForm(forms.ModelForm):
    class Meta:
        model = Donor
        fields = [
            "name",
            "address_line1",
            "address_line2",
            "city",
            "region",
            "postal_code",
            "country",
            "anonymous_by_default",
        ]


class StatementRangeForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(_("The start date must be before the end date."))
        return data


class StatementRunForm(forms.Form):
    """Staff: the calendar year to issue annual statements for (from the first statement year to this year)."""

    year = forms.IntegerField(label=_("Year"))

    def __init__(self, *args, **kwargs):
        from .statements import statement_year_bounds

        super().__init__(*args, **kwargs)
        first, last = statement_year_bounds()
        self.fields["year"].widget.attrs.update({"min": first, "max": last})
        self.fields["year"].initial = last - 1 if last > first else last
        self.fields["year"].error_messages["invalid"] = _("Enter a year as a number, such as %(year)s.") % {
            "year": last - 1
        }

    def clean_year(self):
        from .statements import StatementYearError, statement_year_check

        try:
            return statement_year_check(self.cleaned_data["year"])
        except StatementYearError as exc:
            raise forms.ValidationError(str(exc)) from None
