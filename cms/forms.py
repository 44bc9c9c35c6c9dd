from django import forms
from django.utils.translation import gettext_lazy as _


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    round = forms.ChoiceField(label=_("Funding round"), required=False)
    neighbourhood = forms.ChoiceField(label=_("Neighbourhood"), required=False)
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, **kwargs):
        from cms.selectors import directory_filter_choices

        super().__init__(*args, **kwargs)
        rounds, hoods, years = directory_filter_choices()
        any_choice = [("", _("Any"))]
        self.fields["round"].choices = any_choice + rounds
        self.fields["neighbourhood"].choices = any_choice + hoods
        self.fields["year"].choices = any_choice + [(y, str(y)) for y in years]
