"""Thin forms: field rules come from services.validate_metric_value / validate_breakdown so forms and services agree."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Metric
from .services import validate_breakdown, validate_metric_value


def metric_field_name(metric_id):
    return f"metric_{metric_id}"


def breakdown_field_name(metric_id, neighbourhood_id):
    return f"metric_{metric_id}_n_{neighbourhood_id}"


def attach_to_form(form, form_id):
    """Make these inputs part of the HTML form `form_id` wherever they sit on the page (the `form` attribute), so that
    adding a story or a file also sends, and keeps, the figures typed into the report above."""
    if form_id:
        for field in form.fields.values():
            field.widget.attrs["form"] = form_id


class ReportForm(forms.Form):
    narrative = forms.CharField(
        label=_("What happened this period"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("You may use simple formatting (paragraphs, lists, links)."),
    )

    def __init__(self, *args, spec, neighbourhoods=(), report=None, **kwargs):
        initial = kwargs.pop("initial", {}) or {}
        self.spec = spec
        self.neighbourhoods = list(neighbourhoods)
        self.breakdown_groups = []
        for metric, _required in spec["metrics"]:
            current = spec["values"].get(metric.pk)
            if metric.kind == Metric.Kind.YES_NO and current is not None:
                current = "1" if current else "0"
            initial[metric_field_name(metric.pk)] = current
            for n in self.neighbourhoods:
                initial[breakdown_field_name(metric.pk, n.pk)] = spec["breakdown"].get(metric.pk, {}).get(n.pk)
        for q in spec["questions"]:
            initial[f"q_{q.key}"] = (report.answers or {}).get(q.key, "") if report else ""
        if report is not None:
            initial.setdefault("narrative", report.narrative)
        super().__init__(*args, initial=initial, **kwargs)
        for metric, required in spec["metrics"]:
            label = f"{metric.label} ({metric.unit})" if metric.unit else metric.label
            help_text = metric.help_text or (_("Required before you submit.") if required else "")
            if metric.kind == Metric.Kind.TEXT:
                field = forms.CharField(
                    label=label, required=False, help_text=help_text, widget=forms.Textarea(attrs={"rows": 3})
                )
            elif metric.kind == Metric.Kind.YES_NO:
                field = forms.ChoiceField(
                    label=label,
                    required=False,
                    help_text=help_text,
                    choices=[("", "—"), ("1", _("Yes")), ("0", _("No"))],
                )
            else:
                attrs = {"min": "0", "inputmode": "decimal"}
                if metric.kind == Metric.Kind.PERCENTAGE:
                    attrs["max"] = "100"
                field = forms.CharField(
                    label=label, required=False, help_text=help_text, widget=forms.TextInput(attrs=attrs)
                )
            field.metric = metric
            self.fields[metric_field_name(metric.pk)] = field
            if metric.aggregation == Metric.Aggregation.SUM and metric.kind != Metric.Kind.TEXT and self.neighbourhoods:
                names = []
                for n in self.neighbourhoods:
                    name = breakdown_field_name(metric.pk, n.pk)
                    self.fields[name] = forms.CharField(
                        label=n.name, required=False, widget=forms.TextInput(attrs={"min": "0", "inputmode": "decimal"})
                    )
                    names.append(name)
                self.breakdown_groups.append((metric, names))
        for q in spec["questions"]:
            self.fields[f"q_{q.key}"] = forms.CharField(
                label=q.text, required=False, help_text=q.help_text, widget=forms.Textarea(attrs={"rows": 4})
            )

    def main_fields(self):
        breakdown = {name for _m, names in self.breakdown_groups for name in names}
        return [self[name] for name in self.fields if name != "narrative" and name not in breakdown]

    def breakdown_bound_groups(self):
        return [(metric, [self[name] for name in names]) for metric, names in self.breakdown_groups]

    def clean(self):
        cleaned = super().clean()
        self.values, self.breakdown = {}, {}
        for metric, _required in self.spec["metrics"]:
            name = metric_field_name(metric.pk)
            try:
                self.values[metric.pk] = validate_metric_value(metric, cleaned.get(name))
            except ValidationError as exc:
                self.add_error(name, exc)
                continue
            parts = {}
            for n in self.neighbourhoods:
                part_name = breakdown_field_name(metric.pk, n.pk)
                if part_name not in self.fields:
                    continue
                try:
                    parts[n.pk] = validate_metric_value(metric, cleaned.get(part_name))
                except ValidationError as exc:
                    self.add_error(part_name, exc)
            try:
                validate_breakdown(metric, self.values[metric.pk], parts)
            except ValidationError as exc:
                self.add_error(name, exc)
            self.breakdown[metric.pk] = parts
        self.answers = {q.key: cleaned.get(f"q_{q.key}", "") for q in self.spec["questions"]}
        return cleaned


class StoryForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=150)
    text = forms.CharField(
        label=_("Story"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Do not include anyone's full name or details that could identify them."),
    )
    photo = forms.FileField(label=_("Photo (optional)"), required=False, help_text=_("PNG or JPEG."))
    photo_alt = forms.CharField(
        label=_("Describe the photo"),
        max_length=200,
        required=False,
        help_text=_("For people who cannot see it. Required with a photo."),
    )
    consent_to_publish = forms.BooleanField(
        label=_("The people in this story and photo agreed that the fund may publish it"), required=False
    )

    def __init__(self, *args, form_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        attach_to_form(self, form_id)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("photo") and not cleaned.get("photo_alt"):
            self.add_error("photo_alt", _("Describe the photo for people who cannot see it."))
        return cleaned


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("Add a file"), help_text=_("PDF, Word, Excel, OpenDocument, PNG, JPEG or CSV."))

    def __init__(self, *args, form_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        attach_to_form(self, form_id)


class ReviewForm(forms.Form):
    DECISIONS = [("approve", _("Approve the report")), ("request_changes", _("Ask the grantee for changes"))]
    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("Comments to the grantee"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required when asking for changes."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "request_changes" and not (cleaned.get("comment") or "").strip():
            self.add_error("comment", _("Say what needs to change."))
        return cleaned


def _year_choices():
    this_year = timezone.localdate().year
    return [("", _("All years"))] + [(str(y), str(y)) for y in range(this_year, this_year - 6, -1)]


def _filter_choices():
    """Rounds and neighbourhoods for the filters in one query (the dashboard has a fixed query budget)."""
    from django.db.models import CharField, Value

    from applicants.models import Neighbourhood
    from grants.models import FundingRound

    rounds = (
        FundingRound.objects.annotate(kind=Value("r", output_field=CharField()))
        .values_list("pk", "title", "kind")
        .order_by()
    )
    places = (
        Neighbourhood.objects.annotate(kind=Value("n", output_field=CharField()))
        .values_list("pk", "name", "kind")
        .order_by()
    )
    rows = sorted(rounds.union(places, all=True), key=lambda r: (r[2], r[1]))
    return (
        [(str(pk), label) for pk, label, kind in rows if kind == "r"],
        [(str(pk), label) for pk, label, kind in rows if kind == "n"],
    )


class DashboardFilterForm(forms.Form):
    round = forms.TypedChoiceField(label=_("Round"), coerce=int, required=False, empty_value=None)
    year = forms.TypedChoiceField(label=_("Year"), choices=(), coerce=int, required=False, empty_value=None)
    neighbourhood = forms.TypedChoiceField(label=_("Neighbourhood"), coerce=int, required=False, empty_value=None)
    org_type = forms.ChoiceField(label=_("Organisation type"), required=False)

    def __init__(self, *args, **kwargs):
        from applicants.models import Organisation

        super().__init__(*args, **kwargs)
        rounds, places = _filter_choices()
        self.fields["round"].choices = [("", _("All rounds"))] + rounds
        self.fields["neighbourhood"].choices = [("", _("All neighbourhoods"))] + places
        self.fields["year"].choices = _year_choices()
        self.fields["org_type"].choices = [("", _("All types"))] + list(Organisation.Type.choices)

    def filters(self) -> dict:
        """Keyword arguments for grants.impact.aggregation (round and neighbourhood as ids)."""
        if not self.is_bound or not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "round": data.get("round"),
            "year": data.get("year"),
            "neighbourhood": data.get("neighbourhood"),
            "org_type": data.get("org_type") or None,
        }


class AnnualReportRequestForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), choices=(), coerce=int)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = _year_choices()[1:]
        self.fields["year"].initial = timezone.localdate().year - 1
