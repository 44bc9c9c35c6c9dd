from django import forms
from django.utils.translation import gettext_lazy as _

from portal.forms import MoneyField

from .models import PanelMember, Review

NA = "na"


class ConflictForm(forms.Form):
    has_conflict = forms.TypedChoiceField(
        label=_("Do you have a conflict of interest with this organisation?"),
        choices=[("no", _("No, I have no conflict of interest")), ("yes", _("Yes, I have a conflict of interest"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        help_text=_(
            "For example: you work or volunteer there, sit on its board, a relative or close friend does, "
            "or you would gain from the decision."
        ),
    )
    reason = forms.CharField(
        label=_("If yes, what is the conflict?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Staff see this in the conflict register. The other reviewers do not."),
    )

    def clean(self):
        data = super().clean()
        if data.get("has_conflict") and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Please say briefly what the conflict is."))
        return data


class ReviewForm(forms.Form):
    """One score (radio buttons, with 'not applicable' where allowed) and one comment per criterion, then the rest."""

    recommendation = forms.ChoiceField(
        label=_("Your overall recommendation"),
        choices=Review.Recommendation.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    comment_to_staff = forms.CharField(
        label=_("Comment to staff"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Only program staff read this."),
    )
    feedback_to_applicant = forms.CharField(
        label=_("Feedback for the applicant (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Staff may pass this on to the applicant without your name. Be kind and specific."),
    )

    # The rubric version the page shows: if it changed before the post, review_save keeps the work as a draft.
    rubric = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, criteria, rubric=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        if rubric is not None:
            self.fields["rubric"].initial = rubric.pk
        fields = {}
        for criterion in self.criteria:
            choices = [
                (str(p), f"{p}" + (f" – {criterion.label_for(p)}" if criterion.label_for(p) else ""))
                for p in criterion.points
            ]
            if criterion.allow_na:
                choices.append((NA, _("Not applicable")))
            fields[f"score_{criterion.pk}"] = forms.ChoiceField(
                label=criterion.title,
                choices=choices,
                widget=forms.RadioSelect,
                required=False,
                help_text=criterion.guidance,
            )
            fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=_("Comment on “%(criterion)s”") % {"criterion": criterion.title},
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        # Criteria first, in rubric order, then the overall fields.
        self.fields = {**fields, **self.fields}

    def criterion_rows(self):
        return [(c, self[f"score_{c.pk}"], self[f"comment_{c.pk}"]) for c in self.criteria]

    def overall_fields(self):
        return [self["recommendation"], self["comment_to_staff"], self["feedback_to_applicant"]]

    def entered(self) -> list:
        """(criterion, score or None) for what the form currently holds, for the running total without JavaScript."""
        result = []
        for criterion in self.criteria:
            raw = str(self[f"score_{criterion.pk}"].value() or "")
            result.append((criterion, int(raw) if raw.isdigit() else None))
        return result

    def scores(self) -> dict:
        result = {}
        for criterion in self.criteria:
            raw = self.cleaned_data.get(f"score_{criterion.pk}") or ""
            result[criterion.pk] = {
                "score": int(raw) if raw and raw != NA else None,
                "na": raw == NA,
                "comment": self.cleaned_data.get(f"comment_{criterion.pk}", ""),
            }
        return result

    @staticmethod
    def initial_from(review, criteria) -> dict:
        """The form's starting values for `criteria`: the draft if there is one (kept by criterion key, so it follows
        the criteria into a new rubric version), else the review's submitted scores matched the same way."""
        if review is None:
            return {}
        initial = {
            "recommendation": review.recommendation,
            "comment_to_staff": review.comment_to_staff,
            "feedback_to_applicant": review.feedback_to_applicant,
        }
        if review.draft_scores:
            by_key = review.draft_scores
        else:
            by_key = {
                str(row.criterion.key): {"score": row.score, "na": row.not_applicable, "comment": row.comment}
                for row in review.scores.all()
            }
        for criterion in criteria:
            entry = by_key.get(str(criterion.key))
            if not entry:
                continue
            score = entry.get("score")
            if entry.get("na") and criterion.allow_na:
                initial[f"score_{criterion.pk}"] = NA
            elif score is not None and criterion.scale_min <= score <= criterion.scale_max:
                initial[f"score_{criterion.pk}"] = str(score)
            initial[f"comment_{criterion.pk}"] = entry.get("comment") or ""
        return initial


class RecuseForm(forms.Form):
    reason = forms.CharField(
        label=_("What is the conflict?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Staff see this in the conflict register. The application goes to another reviewer."),
    )


class MemberInviteForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    first_name = forms.CharField(label=_("First name"), required=False, max_length=150)
    last_name = forms.CharField(label=_("Last name"), required=False, max_length=150)
    kind = forms.ChoiceField(label=_("Kind of member"), choices=PanelMember.Kind.choices)
    is_chair = forms.BooleanField(label=_("Chair of the panel"), required=False)


class PanelSettingsForm(forms.Form):
    name = forms.CharField(label=_("Panel name"), max_length=200)
    blind_review = forms.BooleanField(
        label=_("Blind review (hide the organisation's identity from reviewers)"), required=False
    )
    reviewers_see_others_after_submit = forms.BooleanField(
        label=_("Reviewers see the other reviews after submitting their own"), required=False
    )
    disagreement_threshold = forms.DecimalField(
        label=_("Disagreement threshold (points out of 100)"), min_value=0, max_value=100, decimal_places=2
    )
    review_deadline = forms.DateTimeField(
        label=_("Review deadline"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )


class ManualAssignForm(forms.Form):
    application = forms.ModelChoiceField(label=_("Application"), queryset=None)
    member = forms.ModelChoiceField(label=_("Reviewer"), queryset=None)

    def __init__(self, *args, round, **kwargs):
        super().__init__(*args, **kwargs)
        from grants.models import Application

        self.fields["application"].queryset = Application.objects.filter(
            round=round, status=Application.Status.IN_REVIEW
        ).order_by("reference")
        self.fields["member"].queryset = PanelMember.objects.filter(
            panel__round=round, removed_at__isnull=True
        ).select_related("user")


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=[("approve", _("Approve")), ("waitlist", _("Waitlist")), ("decline", _("Decline"))],
    )
    amount = MoneyField(
        label=_("Amount to award"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        help_text=_("For approvals: up to the amount requested."),
    )
    conditions = forms.CharField(label=_("Conditions"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    message = forms.CharField(
        label=_("Message to the applicant"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    include_feedback = forms.BooleanField(
        label=_("Send reviewers' approved feedback with a decline (never their names)"), required=False
    )


class BatchDecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Decision for the selected applications"),
        choices=[
            ("approve", _("Approve (you confirm the amount of each next)")),
            ("waitlist", _("Waitlist")),
            ("decline", _("Decline")),
        ],
    )
    message = forms.CharField(
        label=_("Message to the applicants"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    include_feedback = forms.BooleanField(label=_("Send approved reviewer feedback with declines"), required=False)
