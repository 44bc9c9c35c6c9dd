from django import forms
from django.utils.translation import gettext_lazy as _

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class EligibilityForm(forms.Form):
    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for q in questions:
            # In the visitor's language when staff translated the question.
            self.fields[f"e_{q.pk}"] = forms.ChoiceField(
                label=q.localized("text"), choices=YES_NO, widget=forms.RadioSelect
            )

    def answers(self) -> dict:
        return {q.pk: self.cleaned_data[f"e_{q.pk}"] == "yes" for q in self.questions}


class MessageForm(forms.Form):
    body = forms.CharField(label=_("Your message"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    internal = forms.BooleanField(label=_("Internal note (staff only, never shown to the applicant)"), required=False)

    def __init__(self, *args, applicant=False, **kwargs):
        super().__init__(*args, **kwargs)
        if applicant:
            del self.fields["internal"]


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are you withdrawing? (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (sent to the applicant)"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


class ExtensionForm(forms.Form):
    new_deadline = forms.DateTimeField(
        label=_("New deadline"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)
