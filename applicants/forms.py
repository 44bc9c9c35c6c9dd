from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Membership, Neighbourhood, Organisation
from .validators import normalise_registration_number

PROFILE_FIELDS = [
    "legal_name",
    "operating_name",
    "org_type",
    "country",
    "registration_number",
    "fiscal_sponsor",
    "address_line1",
    "address_line2",
    "city",
    "region",
    "postal_code",
    "neighbourhood",
    "service_areas",
    "annual_budget",
    "staff_size",
    "peer_led",
    "culturally_specific",
    "communities_served",
    "mission",
    "website",
    "email",
    "phone",
    "publicly_named",
]


class SponsorChoiceField(forms.ModelChoiceField):
    """Registered organisations in the portal, each shown with its registration so the right one is picked."""

    def label_from_instance(self, obj):
        return _("%(name)s (registration %(number)s)") % {"name": obj.legal_name, "number": obj.registration_number}


def sponsor_candidates(exclude=None):
    """Organisations that can hold funds for a group: incorporated, with a registration number."""
    candidates = Organisation.objects.exclude(org_type=Organisation.Type.UNINCORPORATED).exclude(registration_number="")
    return candidates.exclude(pk=exclude.pk) if exclude is not None and exclude.pk else candidates


class OrganisationForm(forms.ModelForm):
    fiscal_sponsor = SponsorChoiceField(
        label=_("Fiscal sponsor"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_(
            "Required for unincorporated groups: the registered organisation that holds funds for you. "
            "Type to search. If it is not listed, ask it to register its organisation first."
        ),
        widget=forms.Select(attrs={"data-searchable-select": "", "data-search-label": _("Search organisations")}),
    )
    service_areas = forms.ModelMultipleChoiceField(
        label=_("Neighbourhoods served"),
        queryset=Neighbourhood.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Organisation
        fields = PROFILE_FIELDS
        widgets = {
            "communities_served": forms.Textarea(attrs={"rows": 3}),
            "mission": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "registration_number": _(
                "US: EIN (12-3456789). UK: charity number (1123456, SC012345, NIC100002) or, for companies and CICs, "
                "company number (01234567, SC123456, NI012345). Canada: business number with its RR (charity) or RC "
                "(nonprofit) account, like 123456782RR0001."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fiscal_sponsor"].queryset = sponsor_candidates(exclude=self.instance)

    def clean(self):
        data = super().clean()
        org_type, country = data.get("org_type"), data.get("country")
        if org_type and country:
            try:
                data["registration_number"] = normalise_registration_number(
                    country, org_type, data.get("registration_number", "")
                )
            except ValidationError as exc:
                self.add_error("registration_number", exc)
        if (
            org_type == Organisation.Type.UNINCORPORATED
            and not data.get("fiscal_sponsor")
            and not (self.instance.fiscal_sponsor_name or "").strip()  # named before sponsors were organisations
        ):
            self.add_error(
                "fiscal_sponsor", _("An unincorporated group must name its fiscal sponsor: choose it from the list.")
            )
        return data

    def service_kwargs(self):
        data = {name: self.cleaned_data[name] for name in PROFILE_FIELDS if name != "service_areas"}
        return {**data, "service_areas": list(self.cleaned_data.get("service_areas") or [])}


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.MEMBER)


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)


class MembershipPreferencesForm(forms.Form):
    decision_emails = forms.BooleanField(
        label=_("Email me the decision on each of this organisation's applications, with its letter"), required=False
    )
