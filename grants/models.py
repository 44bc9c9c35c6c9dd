"""Funding rounds and applications. Form builder, attachments and messages extend this module."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.money import MoneyField


class FundingRound(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")  # open to applications between opens_at and closes_at
        REVIEW = "review", _("In review")
        DECIDED = "decided", _("Decided")
        ARCHIVED = "archived", _("Archived")

    fund = models.ForeignKey("fund.Fund", on_delete=models.PROTECT, related_name="rounds")
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), unique=True)
    summary = models.TextField(_("summary"), blank=True)
    reference_prefix = models.CharField(_("reference prefix"), max_length=10, default="CRF")
    budget = MoneyField(_("budget"))
    max_request = MoneyField(_("maximum request"))
    min_request = MoneyField(_("minimum request"), default=0)
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"), null=True, blank=True, help_text=_("Leave empty for a rolling round."))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    reviews_per_application = models.PositiveSmallIntegerField(_("reviewers per application"), default=3)
    review_deadline = models.DateTimeField(_("review deadline"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opens_at"]
        verbose_name = _("funding round")
        verbose_name_plural = _("funding rounds")

    def __str__(self):
        return self.title

    @property
    def currency(self):
        return self.fund.currency

    @property
    def is_rolling(self):
        return self.closes_at is None

    def is_accepting_applications(self, at=None):
        at = at or timezone.now()
        if self.status != self.Status.OPEN or at < self.opens_at:
            return False
        return self.closes_at is None or at < self.closes_at


class Application(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        MORE_INFO = "more_info", _("More information requested")
        IN_REVIEW = "in_review", _("In review")
        APPROVED = "approved", _("Approved")
        WAITLISTED = "waitlisted", _("Waitlisted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    round = models.ForeignKey(FundingRound, on_delete=models.PROTECT, related_name="applications")
    organisation = models.ForeignKey("applicants.Organisation", on_delete=models.PROTECT, related_name="applications")
    reference = models.CharField(_("reference"), max_length=32, unique=True, null=True, blank=True)
    title = models.CharField(_("project title"), max_length=200, blank=True)
    summary = models.TextField(_("project summary"), blank=True)
    requested_amount = MoneyField(_("amount requested"), null=True, blank=True)
    # Answers keyed by stable question ids, and the form version they answered (so editing a form never corrupts them).
    answers = models.JSONField(default=dict, blank=True)
    form_snapshot = models.JSONField(default=dict, blank=True)
    # The organisation profile as it was at submission; later profile edits never change it.
    organisation_snapshot = models.JSONField(default=dict, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["round", "status"])]
        verbose_name = _("application")
        verbose_name_plural = _("applications")

    def __str__(self):
        return self.reference or f"Draft #{self.pk}"

    @property
    def currency(self):
        return self.round.fund.currency


class ApplicationStatusChange(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=16, choices=Application.Status.choices)
    to_status = models.CharField(max_length=16, choices=Application.Status.choices)
    action = models.CharField(max_length=32)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
