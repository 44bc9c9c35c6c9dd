"""Impact reporting: the metric catalogue, what each round asks, the reports each award owes, and what grantees report.

An `ImpactReport` carries copies of its requirement's award, number, period and due date, so the payment hold
(`grants.awards.selectors.has_overdue_reports`), tranche release (`report_approved`) and the aggregations read one
table. Requirements come from the round's reporting plan when the grantee accepts; staff may add, move or remove one
award's reports (grants.impact.schedule), which changes the requirement and its report together.
"""

import secrets

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel


def private_storage():
    return storages["private"]


def _random_path(prefix):
    # The stored name is random: the uploader's file name is kept only as data, never as a path.
    return f"impact/{prefix}/{secrets.token_hex(2)}/{secrets.token_urlsafe(24)}"


def attachment_path(instance, filename):
    return _random_path("files")


def photo_path(instance, filename):
    return _random_path("photos")


def annual_report_path(instance, filename):
    return _random_path("annual")


class Metric(models.Model):
    class Kind(models.TextChoices):
        COUNT = "count", _("Count")
        MONEY = "money", _("Money")
        PERCENTAGE = "percentage", _("Percentage")
        YES_NO = "yes_no", _("Yes / no")
        TEXT = "text", _("Text")

    class Aggregation(models.TextChoices):
        SUM = "sum", _("Sum of all reports")
        AVERAGE = "average", _("Average of reports")
        LATEST = "latest", _("Latest report per grant, summed across grants")

    NUMERIC_KINDS = (Kind.COUNT, Kind.MONEY, Kind.PERCENTAGE, Kind.YES_NO)

    key = models.SlugField(_("key"), max_length=60, unique=True)
    label = models.CharField(_("label"), max_length=150)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.COUNT)
    aggregation = models.CharField(_("aggregation"), max_length=8, choices=Aggregation.choices, default=Aggregation.SUM)
    help_text = models.CharField(_("help text"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", "label"]
        verbose_name = _("metric")
        verbose_name_plural = _("metrics")

    def __str__(self):
        return self.label

    @property
    def is_numeric(self):
        return self.kind in self.NUMERIC_KINDS


class RoundMetric(models.Model):
    """A metric a round's grantees report on (part of the round's reporting plan, edited with the round)."""

    round = ParentalKey("grants.FundingRound", on_delete=models.CASCADE, related_name="impact_metrics")
    metric = models.ForeignKey(Metric, on_delete=models.PROTECT, related_name="round_links")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    required = models.BooleanField(_("required"), default=True)

    sort_order_field = "order"
    panels = [FieldPanel("metric"), FieldPanel("required")]

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("round metric")
        verbose_name_plural = _("round metrics")
        constraints = [models.UniqueConstraint(fields=["round", "metric"], name="impact_unique_round_metric")]

    def __str__(self):
        return f"{self.round}: {self.metric}"


class RoundReportQuestion(models.Model):
    """A narrative question a round asks in every report."""

    round = models.ForeignKey("grants.FundingRound", on_delete=models.CASCADE, related_name="impact_questions")
    key = models.SlugField(_("key"), max_length=40)
    text = models.CharField(_("question"), max_length=300)
    help_text = models.CharField(_("help text"), max_length=300, blank=True)
    required = models.BooleanField(_("required"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("report question")
        verbose_name_plural = _("report questions")
        constraints = [models.UniqueConstraint(fields=["round", "key"], name="impact_unique_round_question")]

    def __str__(self):
        return self.text


class ReportRequirement(models.Model):
    award = models.ForeignKey("awards.Award", on_delete=models.PROTECT, related_name="report_requirements")
    number = models.PositiveSmallIntegerField(_("report number"))
    period_start = models.DateField(_("period starts"))
    period_end = models.DateField(_("period ends"))
    due_date = models.DateField(_("due date"))
    final = models.BooleanField(_("final report"), default=False)
    metrics = models.ManyToManyField(Metric, verbose_name=_("metrics asked"), blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["award_id", "number"]
        verbose_name = _("report requirement")
        verbose_name_plural = _("report requirements")
        constraints = [
            models.UniqueConstraint(fields=["award", "number"], name="impact_unique_requirement_number"),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="impact_requirement_period_order"
            ),
        ]

    def __str__(self):
        return f"{self.award} – {self.number}"


class ImpactReportQuerySet(models.QuerySet):
    def overdue(self, today=None):
        """Past due and not handed in. A report sent back for changes is with the grantee but was submitted on time."""
        today = today or timezone.localdate()
        return self.filter(
            Q(status=ImpactReport.Status.OVERDUE) | Q(status__in=ImpactReport.OPEN_STATUSES, due_date__lt=today)
        )

    def approved(self):
        return self.filter(status=ImpactReport.Status.APPROVED)


class ImpactReport(models.Model):
    class Status(models.TextChoices):
        DUE = "due", _("Due")
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted, awaiting review")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        APPROVED = "approved", _("Approved")
        OVERDUE = "overdue", _("Overdue")

    # Not yet handed in: these become overdue once the due date passes.
    OPEN_STATUSES = (Status.DUE, Status.DRAFT)
    EDITABLE_STATUSES = (Status.DUE, Status.DRAFT, Status.OVERDUE, Status.CHANGES_REQUESTED)

    requirement = models.OneToOneField(ReportRequirement, on_delete=models.PROTECT, related_name="report")
    award = models.ForeignKey("awards.Award", on_delete=models.PROTECT, related_name="impact_reports")
    number = models.PositiveSmallIntegerField(_("report number"))
    period_start = models.DateField(_("period starts"))
    period_end = models.DateField(_("period ends"))
    due_date = models.DateField(_("due date"), db_index=True)
    final = models.BooleanField(_("final report"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DUE, db_index=True)
    narrative = models.TextField(_("narrative"), blank=True)  # sanitised rich text
    answers = models.JSONField(default=dict, blank=True)  # narrative question key -> plain text
    review_comment = models.TextField(_("comments from the fund"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ImpactReportQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = _("impact report")
        verbose_name_plural = _("impact reports")
        constraints = [models.UniqueConstraint(fields=["award", "number"], name="impact_unique_report_number")]
        indexes = [models.Index(fields=["status", "period_end"], name="impact_report_status_period")]

    def __str__(self):
        return _("Report %(n)s for %(award)s") % {"n": self.number, "award": self.award}

    def is_overdue(self, today=None):
        today = today or timezone.localdate()
        return self.status == self.Status.OVERDUE or (self.status in self.OPEN_STATUSES and self.due_date < today)

    @property
    def effective_status(self):
        return self.Status.OVERDUE if self.is_overdue() else self.status

    def get_effective_status_display(self):
        return self.Status(self.effective_status).label

    @property
    def is_editable(self):
        return self.status in self.EDITABLE_STATUSES


class MetricValue(models.Model):
    """One reported figure. Without a neighbourhood it is the report's total; with one, part of the breakdown."""

    report = models.ForeignKey(ImpactReport, on_delete=models.CASCADE, related_name="values")
    metric = models.ForeignKey(Metric, on_delete=models.PROTECT, related_name="values")
    neighbourhood = models.ForeignKey(
        "applicants.Neighbourhood", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        verbose_name = _("metric value")
        verbose_name_plural = _("metric values")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "metric"], condition=Q(neighbourhood__isnull=True), name="impact_one_total_per_metric"
            ),
            models.UniqueConstraint(
                fields=["report", "metric", "neighbourhood"],
                condition=Q(neighbourhood__isnull=False),
                name="impact_one_value_per_neighbourhood",
            ),
        ]
        indexes = [models.Index(fields=["metric", "report"], name="impact_value_metric_report")]

    def __str__(self):
        return f"{self.metric}: {self.value if self.value is not None else self.text}"


class Story(models.Model):
    report = models.ForeignKey(ImpactReport, on_delete=models.CASCADE, related_name="stories")
    title = models.CharField(_("title"), max_length=150)
    text = models.TextField(_("story"))
    photo = models.FileField(_("photo"), storage=private_storage, upload_to=photo_path, max_length=200, blank=True)
    photo_content_type = models.CharField(max_length=40, blank=True)
    photo_alt = models.CharField(_("photo description (for people who cannot see it)"), max_length=200, blank=True)
    consent_to_publish = models.BooleanField(
        _("the people in this story (and photo) agreed that the fund may publish it"), default=False
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("story")
        verbose_name_plural = _("stories")

    def __str__(self):
        return self.title


class ReportAttachment(models.Model):
    report = models.ForeignKey(ImpactReport, on_delete=models.CASCADE, related_name="attachments")
    original_name = models.CharField(_("file name"), max_length=200)
    file = models.FileField(storage=private_storage, upload_to=attachment_path, max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("report attachment")
        verbose_name_plural = _("report attachments")

    def __str__(self):
        return self.original_name


class ReportReminder(models.Model):
    """A reminder email that was sent. The unique constraint makes each kind go out once per report."""

    class Kind(models.TextChoices):
        BEFORE_14 = "before_14", _("14 days before the due date")
        BEFORE_3 = "before_3", _("3 days before the due date")
        DUE = "due", _("On the due date")
        OVERDUE = "overdue", _("Overdue")

    report = models.ForeignKey(ImpactReport, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("report reminder")
        verbose_name_plural = _("report reminders")
        constraints = [models.UniqueConstraint(fields=["report", "kind"], name="impact_reminder_once")]

    def __str__(self):
        return f"{self.report}: {self.kind}"


class AnnualReport(models.Model):
    """One request for the annual impact report PDF, built in the background."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to start")
        RUNNING = "running", _("Being built")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    fund = models.ForeignKey("fund.Fund", on_delete=models.PROTECT, related_name="annual_impact_reports")
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    file = models.FileField(storage=private_storage, upload_to=annual_report_path, max_length=200, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("annual impact report")
        verbose_name_plural = _("annual impact reports")

    def __str__(self):
        return f"{self.fund} {self.year}"


class MetricRollup(models.Model):
    """The approved figures of one award, folded per metric, quarter (of the report's period end) and breakdown
    neighbourhood, with the "latest" contributions already decided for each window the dashboard can ask for.
    Kept in step by grants.impact.rollup (on every save or delete of a report or value, in the same transaction).

    Each row also records the segment it is counted in (the award's round and fund, its organisation's type and main
    neighbourhood at the last refresh): when the organisation or the award changes, the rows whose segment is no
    longer the current one say which `MetricRollupSegment` rows to take them out of."""

    award = models.ForeignKey("awards.Award", on_delete=models.CASCADE, related_name="+")
    metric = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="+")
    neighbourhood = models.ForeignKey("applicants.Neighbourhood", null=True, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField()
    total = models.DecimalField(max_digits=20, decimal_places=2)
    count = models.PositiveIntegerField()
    # Sum of the values no later approved report of the award supersedes: at all, within the same year, within the
    # same quarter, within the same quarter number of any year (the windows of the year and quarter filters).
    latest = models.DecimalField(max_digits=20, decimal_places=2)
    latest_in_year = models.DecimalField(max_digits=20, decimal_places=2)
    latest_in_quarter = models.DecimalField(max_digits=20, decimal_places=2)
    latest_in_quarter_number = models.DecimalField(max_digits=20, decimal_places=2)
    # The segment (what the dashboard's round, fund, organisation type and neighbourhood filters select by).
    round = models.ForeignKey("grants.FundingRound", on_delete=models.CASCADE, related_name="+")
    fund = models.ForeignKey("fund.Fund", on_delete=models.CASCADE, related_name="+")
    org_type = models.CharField(max_length=32)
    # SET_NULL like Organisation.neighbourhood: deleting a neighbourhood moves both to "none" together.
    org_neighbourhood = models.ForeignKey(
        "applicants.Neighbourhood", null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("metric rollup")
        verbose_name_plural = _("metric rollups")
        indexes = [
            models.Index(fields=["round", "fund", "org_type", "org_neighbourhood"], name="impact_rollup_segment_idx"),
        ]


class MetricRollupSegment(models.Model):
    """`MetricRollup` summed over the awards of one segment (round, fund, organisation type, organisation's main
    neighbourhood): about a thousand rows for a fund of 20,000 reports instead of one per award. The dashboard sums
    these (aggregation.dashboard_figures_from_rollup). Recomputed from the per-award rows for the segments an award
    refresh touches (grants.impact.rollup.rollup_refresh), in the same transaction."""

    round = models.ForeignKey("grants.FundingRound", on_delete=models.CASCADE, related_name="+")
    fund = models.ForeignKey("fund.Fund", on_delete=models.CASCADE, related_name="+")
    org_type = models.CharField(max_length=32)
    # SET_NULL: rows of a deleted neighbourhood join the "none" segment; the sums stay right, the next refresh of
    # that segment merges them.
    org_neighbourhood = models.ForeignKey(
        "applicants.Neighbourhood", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    metric = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="+")
    neighbourhood = models.ForeignKey("applicants.Neighbourhood", null=True, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField()
    total = models.DecimalField(max_digits=20, decimal_places=2)
    count = models.PositiveIntegerField()
    latest = models.DecimalField(max_digits=20, decimal_places=2)
    latest_in_year = models.DecimalField(max_digits=20, decimal_places=2)
    latest_in_quarter = models.DecimalField(max_digits=20, decimal_places=2)
    latest_in_quarter_number = models.DecimalField(max_digits=20, decimal_places=2)

    class Meta:
        indexes = [
            models.Index(fields=["round", "fund", "org_type", "org_neighbourhood"], name="impact_segment_key_idx"),
        ]
