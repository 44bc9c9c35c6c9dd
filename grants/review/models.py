"""Review panels: rubrics, panels and members, assignments, conflict declarations, reviews and decisions.

The scoring maths lives in `scoring.py` (pure functions); a submitted review stores its weighted score so that
rankings aggregate in SQL.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel

from portal.money import MoneyField


class Rubric(ClusterableModel):
    """One version of the criteria a round's applications are scored against.

    A round has one current version. The first submitted review freezes it (`frozen_at`); from then on an edit creates
    the next version (services.rubric_version_create) and the frozen one stays as it was, so every submitted score keeps
    pointing at the criterion rows it was given against."""

    round = models.ForeignKey(
        "grants.FundingRound", on_delete=models.CASCADE, related_name="rubrics", verbose_name=_("round")
    )
    version = models.PositiveSmallIntegerField(_("version"), default=1, editable=False)
    is_current = models.BooleanField(_("current version"), default=True, editable=False)
    previous = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="next_version", editable=False
    )
    title = models.CharField(_("title"), max_length=200)
    introduction = models.TextField(_("introduction for reviewers"), blank=True)
    frozen_at = models.DateTimeField(_("frozen"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["round", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["round", "version"], name="review_rubric_unique_version"),
            models.UniqueConstraint(
                fields=["round"], condition=models.Q(is_current=True), name="review_rubric_one_current_per_round"
            ),
        ]
        verbose_name = _("rubric")
        verbose_name_plural = _("rubrics")

    def __str__(self):
        if self.version > 1:
            return _("%(title)s (version %(version)s)") % {"title": self.title, "version": self.version}
        return self.title

    @property
    def is_frozen(self):
        return self.frozen_at is not None

    @property
    def status_label(self):
        if not self.is_current:
            return _("Superseded (kept for the reviews given against it)")
        if self.is_frozen:
            return _("In use: edits make a new version")
        return _("Editable: no review submitted yet")

    status_label.fget.short_description = _("status")

    def clean(self):
        if self.round_id is None:
            return
        others = Rubric.objects.filter(round_id=self.round_id).exclude(pk=self.pk)
        if self.pk is None and others.exists():
            raise ValidationError(
                {
                    "round": _(
                        "This round already has a rubric. Edit it instead: once reviews are in, edits make a new version."
                    )
                }
            )
        if self.pk is not None:
            saved_round = Rubric.objects.filter(pk=self.pk).values_list("round_id", flat=True).first()
            if saved_round != self.round_id and (self.is_frozen or others.exists()):
                raise ValidationError({"round": _("A rubric in use cannot move to another round.")})
            if saved_round != self.round_id and Rubric.objects.filter(round_id=self.round_id).exists():
                raise ValidationError({"round": _("That round already has a rubric.")})


SCALE_TOP = 10  # the highest point a scale may reach (the admin offers a label field per point, 0–10)


class Criterion(models.Model):
    """A criterion of one rubric version. Its rows never change once the version is frozen; `key` follows the same
    criterion from version to version, so a reviewer's draft carries over when a new version is made."""

    rubric = ParentalKey(Rubric, on_delete=models.CASCADE, related_name="criteria")
    key = models.UUIDField(default=uuid.uuid4, editable=False)
    title = models.CharField(_("title"), max_length=200)
    guidance = models.TextField(_("guidance for reviewers"), blank=True)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2, default=1)
    scale_min = models.PositiveSmallIntegerField(
        _("lowest score"), default=1, validators=[MaxValueValidator(SCALE_TOP - 1)]
    )
    scale_max = models.PositiveSmallIntegerField(
        _("highest score"), default=5, validators=[MaxValueValidator(SCALE_TOP)]
    )
    # {"1": "Weak", "2": "...", ...}: a label per point of the scale, edited in the admin as one field per point.
    labels = models.JSONField(_("labels per point"), default=dict, blank=True)
    allow_na = models.BooleanField(_("'not applicable' allowed"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(weight__gt=0), name="review_criterion_weight_positive"),
            models.CheckConstraint(
                condition=models.Q(scale_max__gt=models.F("scale_min")), name="review_criterion_scale_valid"
            ),
        ]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")

    def __str__(self):
        return self.title

    def clean(self):
        if self.scale_min is not None and self.scale_max is not None and self.scale_max <= self.scale_min:
            raise ValidationError({"scale_max": _("The highest score must be above the lowest score.")})
        if self.labels and not isinstance(self.labels, dict):
            raise ValidationError({"labels": _("Give a label for each point of the scale.")})
        if self.labels and self.scale_min is not None and self.scale_max is not None:
            points = {str(p) for p in range(self.scale_min, self.scale_max + 1)}
            outside = sorted(str(point) for point, label in self.labels.items() if label and str(point) not in points)
            if outside:
                raise ValidationError(
                    {
                        "labels": _("Points %(points)s are outside the scale %(min)s–%(max)s: clear their labels.")
                        % {
                            "points": ", ".join(outside),
                            "min": self.scale_min,
                            "max": self.scale_max,
                        }
                    }
                )

    @property
    def points(self):
        return list(range(self.scale_min, self.scale_max + 1))

    def label_for(self, point):
        return (self.labels or {}).get(str(point), "")


class Panel(models.Model):
    round = models.OneToOneField(
        "grants.FundingRound", on_delete=models.CASCADE, related_name="panel", verbose_name=_("round")
    )
    name = models.CharField(_("name"), max_length=200)
    blind_review = models.BooleanField(
        _("blind review"),
        default=False,
        help_text=_("Reviewers do not see the organisation's identity or identifying answers."),
    )
    reviewers_see_others_after_submit = models.BooleanField(
        _("reviewers see other reviews after submitting their own"), default=False
    )
    disagreement_threshold = models.DecimalField(
        _("disagreement threshold (points out of 100)"),
        max_digits=5,
        decimal_places=2,
        default=30,
        help_text=_("A spread of weighted scores above this flags disagreement."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("review panel")
        verbose_name_plural = _("review panels")

    def __str__(self):
        return self.name


class PanelMember(models.Model):
    class Kind(models.TextChoices):
        STAFF = "staff", _("Staff")
        COMMUNITY = "community", _("Community member with lived experience")
        EXTERNAL = "external", _("Outside expert")

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="panel_memberships")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    is_chair = models.BooleanField(_("chair"), default=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    invited_at = models.DateTimeField(auto_now_add=True)
    # A removed member stays on record (their submitted reviews still count) but gets no work and opens nothing.
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["panel", "kind", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["panel", "user"], name="review_unique_panel_member"),
            models.UniqueConstraint(
                fields=["panel"], condition=models.Q(is_chair=True), name="review_one_chair_per_panel"
            ),
        ]
        verbose_name = _("panel member")
        verbose_name_plural = _("panel members")

    def __str__(self):
        return f"{self.user} ({self.get_kind_display()})"

    @property
    def is_active(self):
        return self.removed_at is None


class Assignment(models.Model):
    class Status(models.TextChoices):
        ASSIGNED = "assigned", _("Assigned")
        RECUSED = "recused", _("Recused (conflict of interest)")
        COMPLETED = "completed", _("Completed")

    application = models.ForeignKey("grants.Application", on_delete=models.CASCADE, related_name="review_assignments")
    member = models.ForeignKey(PanelMember, on_delete=models.CASCADE, related_name="assignments")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ASSIGNED)
    due_at = models.DateTimeField(_("review due"), null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["application", "member"], name="review_unique_assignment")]
        indexes = [
            models.Index(fields=["member", "status"]),
            # The work queue's overdue reviews: only the assignments still waiting, however many are done.
            models.Index(fields=["due_at"], condition=models.Q(status="assigned"), name="review_assignment_waiting"),
        ]
        verbose_name = _("review assignment")
        verbose_name_plural = _("review assignments")

    def __str__(self):
        return f"{self.application} → {self.member}"


class ConflictDeclaration(models.Model):
    """Made before the reviewer sees the application. A conflict recuses the reviewer from the organisation."""

    assignment = models.OneToOneField(Assignment, on_delete=models.CASCADE, related_name="conflict_declaration")
    # Denormalised so the register and the assignment algorithm can ask "is this member conflicted with this organisation?"
    member = models.ForeignKey(PanelMember, on_delete=models.CASCADE, related_name="conflict_declarations")
    organisation = models.ForeignKey("applicants.Organisation", on_delete=models.PROTECT, related_name="+")
    has_conflict = models.BooleanField(_("has a conflict of interest"))
    reason = models.TextField(_("reason"), blank=True)
    declared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-declared_at", "-pk"]
        indexes = [models.Index(fields=["member", "organisation", "has_conflict"])]
        verbose_name = _("conflict of interest declaration")
        verbose_name_plural = _("conflict of interest declarations")

    def __str__(self):
        return f"{self.member}: {'conflict' if self.has_conflict else 'no conflict'} ({self.assignment.application})"


class Review(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    class Recommendation(models.TextChoices):
        FUND = "fund", _("Fund")
        MAYBE = "maybe", _("Maybe")
        DO_NOT_FUND = "do_not_fund", _("Do not fund")

    assignment = models.OneToOneField(Assignment, on_delete=models.CASCADE, related_name="review")
    # Denormalised from the assignment so rankings aggregate with one join.
    application = models.ForeignKey("grants.Application", on_delete=models.CASCADE, related_name="reviews")
    member = models.ForeignKey(PanelMember, on_delete=models.CASCADE, related_name="reviews")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    recommendation = models.CharField(_("recommendation"), max_length=16, choices=Recommendation.choices, blank=True)
    comment_to_staff = models.TextField(_("comment to staff"), blank=True)
    feedback_to_applicant = models.TextField(_("feedback to the applicant"), blank=True)
    feedback_approved_by_staff = models.BooleanField(_("feedback approved for the applicant"), default=False)
    feedback_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The rubric version the submitted scores were given against (None until the first submission). A draft is always
    # scored against the round's current version and keeps its work in `draft_scores`, keyed by criterion key, so a new
    # version never deletes or strands it: ReviewScore rows are written only on submission.
    rubric = models.ForeignKey(
        Rubric,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reviews",
        verbose_name=_("rubric version"),
    )
    draft_scores = models.JSONField(default=dict, blank=True)
    # Weighted score out of 100 over the non-n/a criteria (see scoring.review_weighted_score); set on submission.
    weighted_score = models.DecimalField(_("weighted score"), max_digits=5, decimal_places=2, null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["application", "status"]), models.Index(fields=["member", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(submitted_at__isnull=False),
                name="review_submitted_has_time",
            ),
        ]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")

    def __str__(self):
        return f"Review of {self.application_id} by member {self.member_id}"

    @property
    def is_submitted(self):
        return self.status == self.Status.SUBMITTED


class ReviewScore(models.Model):
    """A submitted score. It points at the criterion row of the version it was given against; that row can never be
    deleted while the score exists (PROTECT), and frozen versions are never edited."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    not_applicable = models.BooleanField(_("not applicable"), default=False)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="review_unique_score_per_criterion"),
            models.CheckConstraint(
                condition=~(models.Q(not_applicable=True) & models.Q(score__isnull=False)),
                name="review_score_na_has_no_score",
            ),
        ]
        verbose_name = _("criterion score")
        verbose_name_plural = _("criterion scores")


class ReviewReminder(models.Model):
    """A reminder email sent to a reviewer. The unique constraint sends each kind once per assignment and due date,
    however often `send_review_reminders` runs (a moved deadline earns a fresh reminder)."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("Due soon")
        OVERDUE = "overdue", _("Overdue")

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    due_at = models.DateTimeField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assignment", "kind", "due_at"], name="review_reminder_once_per_due_date")
        ]
        verbose_name = _("review reminder")
        verbose_name_plural = _("review reminders")


class Decision(models.Model):
    """A staff decision on an application after review. The application's status moves through grants.workflow."""

    class Outcome(models.TextChoices):
        APPROVE = "approve", _("Approve")
        WAITLIST = "waitlist", _("Waitlist")
        DECLINE = "decline", _("Decline")

    application = models.ForeignKey("grants.Application", on_delete=models.PROTECT, related_name="review_decisions")
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    amount = MoneyField(_("amount awarded"), null=True, blank=True)
    conditions = models.TextField(_("conditions"), blank=True)
    message = models.TextField(_("message to the applicant"), blank=True)
    include_feedback = models.BooleanField(_("include reviewers' approved feedback"), default=False)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(outcome="approve") | models.Q(amount__gt=0),
                name="review_decision_approval_has_amount",
            ),
        ]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self):
        return f"{self.get_outcome_display()}: {self.application}"


class ApplicationScore(models.Model):
    """An application's review results, kept up to date by `results.scores_refresh` whenever a review is submitted or
    reopened, so the ranking sorts and pages rows instead of aggregating every review on each request."""

    application = models.OneToOneField(
        "grants.Application", on_delete=models.CASCADE, primary_key=True, related_name="review_score"
    )
    round = models.ForeignKey("grants.FundingRound", on_delete=models.CASCADE, related_name="+")
    mean_score = models.DecimalField(max_digits=5, decimal_places=2, null=True)
    normalised_score = models.DecimalField(max_digits=7, decimal_places=3, null=True)
    max_score = models.DecimalField(max_digits=5, decimal_places=2, null=True)
    min_score = models.DecimalField(max_digits=5, decimal_places=2, null=True)
    # Sort keys that are never NULL (unscored sorts last), so one plain index per sort serves SQLite and PostgreSQL.
    sort_mean = models.DecimalField(max_digits=6, decimal_places=2, default=-1)
    sort_normalised = models.DecimalField(max_digits=7, decimal_places=3, default=-999)
    submitted_reviews = models.PositiveSmallIntegerField(default=0)
    fund_count = models.PositiveSmallIntegerField(default=0)
    maybe_count = models.PositiveSmallIntegerField(default=0)
    no_count = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        # One index per sort of the ranking, so a page is read in order and the scan stops after it.
        indexes = [
            models.Index(
                fields=["round", "-sort_mean", "-sort_normalised", "application"], name="review_score_rank_raw"
            ),
            models.Index(
                fields=["round", "-sort_normalised", "-sort_mean", "application"], name="review_score_rank_norm"
            ),
        ]
        verbose_name = _("application review score")
        verbose_name_plural = _("application review scores")

    @property
    def spread(self):
        if self.max_score is None or self.min_score is None:
            return None
        return self.max_score - self.min_score


class RankingTotals(models.Model):
    """Per round: how many applications the ranking lists and the sum of their undecided requests (the funding line's
    total). Kept by database triggers (migration 0005) on review_applicationscore and grants_application, so every
    write path counts, bulk updates included; the ranking's pages near the end take their rank and running total from
    it (total − the rows after the page) instead of reading every row before them. Never written by Django."""

    round = models.OneToOneField(
        "grants.FundingRound", on_delete=models.CASCADE, primary_key=True, related_name="ranking_totals"
    )
    applications = models.IntegerField(default=0)
    undecided_amount = models.DecimalField(max_digits=16, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("ranking totals")
        verbose_name_plural = _("ranking totals")


class ReviewProgress(models.Model):
    """Per application in review or with reviewers: its round, whether it is in review, and how many of its
    assignments are active (not recused), still waiting (assigned) and done (completed). Kept by database triggers
    (migration 0006) on review_assignment and grants_application, so every write path counts; the staff work queue
    (grants.workqueue) seeks in its indexes instead of aggregating every assignment of every application in review.
    Never written by Django."""

    application = models.OneToOneField(
        "grants.Application", on_delete=models.CASCADE, primary_key=True, related_name="review_progress"
    )
    round = models.ForeignKey("grants.FundingRound", on_delete=models.CASCADE, related_name="+", db_index=False)
    in_review = models.BooleanField(default=False)
    active = models.IntegerField(default=0)
    pending = models.IntegerField(default=0)
    completed = models.IntegerField(default=0)

    class Meta:
        indexes = [
            # "Rounds needing reviewers": per round, is there an application in review with fewer active reviewers?
            models.Index(fields=["round", "in_review", "active"], name="review_progress_short"),
            # "Every review in and no decision": in review, nothing waiting, something done (counted up to a cap).
            models.Index(
                fields=["application"],
                condition=models.Q(in_review=True, pending=0, completed__gt=0),
                name="review_progress_ready",
            ),
        ]
        verbose_name = _("review progress")
        verbose_name_plural = _("review progress")
