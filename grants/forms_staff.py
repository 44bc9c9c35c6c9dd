from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from applicants.models import Neighbourhood, Organisation
from portal.forms import MoneyField

from .models import Application, FormQuestion, FundingRound, QuestionKind

TRIGGER_KINDS = (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE, QuestionKind.YES_NO)
YES_NO_VALUES = ("yes", "no")

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


def _choices_of(kind: str, choices_text: str) -> list[str]:
    if kind == QuestionKind.YES_NO:
        return list(YES_NO_VALUES)
    return [line.strip() for line in (choices_text or "").splitlines() if line.strip()]


class TriggerPickerMixin:
    """A form question row: its condition is picked from lists of the round's choice questions and their choices
    (the round form validates the pick against the questions above it, as submitted)."""

    def __init__(self, *args, trigger_questions=None, **kwargs):
        super().__init__(*args, **kwargs)
        if trigger_questions is None or "show_if_key" not in self.fields:
            return
        current_key, current_value = self.initial.get("show_if_key") or "", self.initial.get("show_if_value") or ""
        keys = [("", _("Always shown"))]
        values = [("", "---------")]
        for q in trigger_questions:
            if q.key == self.instance.key and self.instance.pk:
                continue  # a question cannot depend on itself
            keys.append((q.key, f"{q.label} ({q.key})"))
            values.append((q.label, [(value, value) for value in _choices_of(q.kind, q.choices)]))
        if current_key and current_key not in [k for k, _label in keys]:
            keys.append((current_key, current_key))  # never drop a saved condition from the list
        if current_value and not any(current_value in [v for v, _l in group] for _label, group in values[1:]):
            values.append((current_value, current_value))
        self.fields["show_if_key"].widget = forms.Select(choices=keys)
        self.fields["show_if_value"].widget = forms.Select(choices=values)
        self.fields["show_if_key"].help_text = _(
            "An earlier choice or yes/no question. Save the form first to pick a question you have just added."
        )


class FundingRoundForm(WagtailAdminModelForm):
    """The round editor: validates each conditional question against the questions above it as submitted."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        formset = self.formsets.get("form_questions")
        if formset is not None:
            saved = FormQuestion.objects.none()
            if self.instance.pk:
                saved = self.instance.form_questions.filter(kind__in=TRIGGER_KINDS).order_by("sort_order", "pk")
            # The question rows (and the blank row Wagtail copies for "add question") get the condition pickers.
            row_form = formset.form
            formset.form = type(row_form)(row_form.__name__, (TriggerPickerMixin, row_form), {"__module__": __name__})
            formset.form_kwargs = {**formset.form_kwargs, "trigger_questions": list(saved)}
            formset.__dict__.pop("forms", None)

    def clean(self):
        data = super().clean()
        formset = self.formsets.get("form_questions")
        if formset is None:
            return data
        rows = []
        for index, form in enumerate(formset.forms):
            _errors = form.errors  # the round is cleaned before its rows: clean the row first
            cleaned = getattr(form, "cleaned_data", None)
            if not cleaned or cleaned.get("DELETE"):
                continue
            rows.append((cleaned.get("ORDER") or index + 1, index, form, cleaned))
        rows.sort(key=lambda row: (row[0], row[1]))
        earlier = {}
        for _order, _index, form, cleaned in rows:
            key, value = cleaned.get("show_if_key") or "", (cleaned.get("show_if_value") or "").strip()
            if key:
                trigger = earlier.get(key)
                if trigger is None:
                    form.add_error("show_if_key", _("Choose a question that comes before this one."))
                elif trigger.get("kind") not in TRIGGER_KINDS:
                    form.add_error("show_if_key", _("Choose a choice or yes/no question."))
                elif value not in _choices_of(trigger.get("kind"), trigger.get("choices")):
                    form.add_error("show_if_value", _("Choose one of that question's answers."))
            elif value:
                form.add_error("show_if_key", _("Choose the question whose answer shows this one."))
            if cleaned.get("key"):
                earlier[cleaned["key"]] = cleaned
        return data
