"""Funding rounds and applications. Form builder, attachments and messages extend this module."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable

from portal.money import MoneyField


class ReportingFrequency(models.IntegerChoices):
    FINAL_ONLY = 0, _("No progress reports: a final report only")
    MONTHLY = 1, _("Monthly progress reports")
    QUARTERLY = 3, _("Quarterly progress reports")
    HALF_YEARLY = 6, _("Progress reports every six months")
    YEARLY = 12, _("Yearly progress reports")


class FundingRound(ClusterableModel):
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
    closes_at = models.DateTimeField(
        _("closes"), null=True, blank=True, help_text=_("Leave empty for a rolling round.")
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    reviews_per_application = models.PositiveSmallIntegerField(_("reviewers per application"), default=3)
    review_deadline = models.DateTimeField(_("review deadline"), null=True, blank=True)
    # The reporting plan: every award of the round gets its report schedule from it when the grantee accepts.
    report_every_months = models.PositiveSmallIntegerField(
        _("progress reports"), choices=ReportingFrequency.choices, default=ReportingFrequency.QUARTERLY
    )
    report_due_days = models.PositiveSmallIntegerField(_("each report is due (days after its period ends)"), default=30)
    grant_months = models.PositiveSmallIntegerField(
        _("grant period (months)"),
        default=12,
        help_text=_("Used when an award does not set its own start and end dates; the period starts on acceptance."),
    )
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

    @property
    def rubric(self):
        """The current version of the round's review rubric (grants.review keeps every version), or None."""
        return self.rubrics.filter(is_current=True).first()

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("fund"),
                FieldPanel("title"),
                FieldPanel("slug"),
                FieldPanel("summary"),
                FieldPanel("reference_prefix"),
            ],
            heading=_("Round"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("budget"), FieldPanel("min_request"), FieldPanel("max_request")]),
                FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")]),
                FieldPanel("status"),
                FieldRowPanel([FieldPanel("reviews_per_application"), FieldPanel("review_deadline")]),
            ],
            heading=_("Money and dates"),
        ),
        InlinePanel("eligibility_questions", heading=_("Eligibility questions"), label=_("Eligibility question")),
        InlinePanel("form_questions", heading=_("Application form"), label=_("Question")),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("report_every_months"), FieldPanel("report_due_days")]),
                FieldPanel("grant_months"),
            ],
            heading=_("Reporting plan"),
            help_text=_(
                "Progress reports cover each period of the grant and the last report is the final report. "
                "Changing the plan never changes awards that were already accepted."
            ),
        ),
        InlinePanel(
            "impact_metrics",
            heading=_("Metrics every report asks for"),
            label=_("Metric"),
            help_text=_("Without any, reports ask for every active metric in the catalogue, none required."),
        ),
        InlinePanel(
            "designated_campaigns",
            heading=_("Campaigns whose restricted money this round's awards draw on first"),
            label=_("Designated campaign"),
        ),
    ]

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
    # The language the applicant filled the form in (recorded on submission): its questions, answers and PDF keep it.
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="en")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["round", "status"]),
            models.Index(fields=["-submitted_at", "-id"], name="grants_app_submitted_idx"),
        ]
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


class EligibilityQuestion(Orderable):
    """A yes/no question asked before anyone starts an application; the wrong answer explains why they are not eligible."""

    round = ParentalKey(FundingRound, on_delete=models.CASCADE, related_name="eligibility_questions")
    text = models.CharField(_("question"), max_length=300)
    required_answer = models.BooleanField(_("eligible answer is 'yes'"), default=True)
    ineligible_message = models.CharField(
        _("not eligible because..."),
        max_length=300,
        help_text=_("Shown to people who give the other answer, e.g. 'this round funds groups working in Millbrook'."),
    )

    # Translations (one pair per content language other than English; empty: the English text is shown).
    text_es = models.CharField(_("question (Spanish)"), max_length=300, blank=True)
    ineligible_message_es = models.CharField(_("not eligible because... (Spanish)"), max_length=300, blank=True)
    text_fr = models.CharField(_("question (French)"), max_length=300, blank=True)
    ineligible_message_fr = models.CharField(_("not eligible because... (French)"), max_length=300, blank=True)

    panels = [
        FieldPanel("text"),
        FieldPanel("required_answer"),
        FieldPanel("ineligible_message"),
        MultiFieldPanel(
            [
                FieldPanel("text_es"),
                FieldPanel("ineligible_message_es"),
                FieldPanel("text_fr"),
                FieldPanel("ineligible_message_fr"),
            ],
            heading=_("Translations"),
            classname="collapsed",
        ),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("eligibility question")

    def localized(self, field, language=None):
        """`field` ("text" or "ineligible_message") in `language` (default: the active one), else in English."""
        return translated_text(self, field, language)


class EligibilityResponse(models.Model):
    """The eligibility answers a person gave for a round (before or after signing up), kept to pre-fill their application.

    `answers` maps the eligibility question's id (as text) to "yes" or "no"."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="eligibility_responses")
    round = models.ForeignKey(FundingRound, on_delete=models.CASCADE, related_name="eligibility_responses")
    answers = models.JSONField(default=dict)
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "round"], name="unique_eligibility_response")]
        verbose_name = _("eligibility response")

    def __str__(self):
        return f"{self.user} / {self.round}"


class QuestionKind(models.TextChoices):
    SECTION = "section", _("Section heading (starts a new step)")
    SHORT_TEXT = "short_text", _("Short text")
    LONG_TEXT = "long_text", _("Long text")
    RICH_TEXT = "rich_text", _("Formatted text")
    NUMBER = "number", _("Number")
    MONEY = "money", _("Amount of money")
    DATE = "date", _("Date")
    SINGLE_CHOICE = "single_choice", _("Single choice")
    MULTIPLE_CHOICE = "multiple_choice", _("Multiple choice")
    YES_NO = "yes_no", _("Yes / no")
    FILE = "file", _("File upload")
    BUDGET = "budget", _("Budget table")


class PrefillSource(models.TextChoices):
    """Organisation profile fields that can answer a question before the applicant types anything."""

    NEIGHBOURHOODS = "neighbourhoods", _("Organisation profile: neighbourhoods served")
    PEER_LED = "peer_led", _("Organisation profile: peer-led")
    CULTURALLY_SPECIFIC = "culturally_specific", _("Organisation profile: culturally specific")
    COMMUNITIES_SERVED = "communities_served", _("Organisation profile: communities served")
    MISSION = "mission", _("Organisation profile: mission")
    STAFF_SIZE = "staff_size", _("Organisation profile: staff (people)")
    ANNUAL_BUDGET = "annual_budget", _("Organisation profile: annual budget")


# Content languages other than English that staff translate questions into (one field per language on each question).
TRANSLATED_LANGUAGES = ("es", "fr")


def _lines(text) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def translated_text(instance, field, language=None):
    language = (language or get_language() or "en").split("-")[0]
    if language in TRANSLATED_LANGUAGES:
        value = getattr(instance, f"{field}_{language}", "")
        if value:
            return value
    return getattr(instance, field)


def _new_question_key():
    return "q" + secrets.token_hex(4)


class FormQuestion(Orderable):
    """One question of a round's application form, edited by staff. Answers are keyed by `key`, which never changes."""

    round = ParentalKey(FundingRound, on_delete=models.CASCADE, related_name="form_questions")
    key = models.SlugField(
        _("stable id"),
        max_length=40,
        default=_new_question_key,
        help_text=_("Answers are stored under this id. Keep it when you reword a question."),
    )
    kind = models.CharField(_("type"), max_length=20, choices=QuestionKind.choices, default=QuestionKind.SHORT_TEXT)
    label = models.CharField(_("question"), max_length=300)
    help_text = models.CharField(_("help text"), max_length=500, blank=True)
    required = models.BooleanField(_("required"), default=True)
    word_limit = models.PositiveIntegerField(_("word limit"), null=True, blank=True)
    choices = models.TextField(_("choices"), blank=True, help_text=_("For choice questions: one choice per line."))
    prefill_from = models.CharField(
        _("pre-fill from"),
        max_length=40,
        blank=True,
        choices=PrefillSource.choices,
        help_text=_(
            "The applicant can change a pre-filled answer. A yes/no question worded exactly like an eligibility "
            "question is pre-filled with the eligibility answer."
        ),
    )
    show_if_key = models.SlugField(_("show only if question (id)"), max_length=40, blank=True)
    show_if_value = models.CharField(_("has the answer"), max_length=200, blank=True)
    identifying = models.BooleanField(
        _("identifies the applicant"),
        default=False,
        help_text=_("Hidden from reviewers when the panel reviews blind (e.g. names, addresses, websites)."),
    )
    # Translations: empty fields show the English text. Translated choices are matched to the English ones line by
    # line; answers always store the English choice, so conditions and reports do not depend on the language.
    label_es = models.CharField(_("question (Spanish)"), max_length=300, blank=True)
    help_text_es = models.CharField(_("help text (Spanish)"), max_length=500, blank=True)
    choices_es = models.TextField(_("choices (Spanish)"), blank=True, help_text=_("Same order, one per line."))
    label_fr = models.CharField(_("question (French)"), max_length=300, blank=True)
    help_text_fr = models.CharField(_("help text (French)"), max_length=500, blank=True)
    choices_fr = models.TextField(_("choices (French)"), blank=True, help_text=_("Same order, one per line."))

    panels = [
        FieldRowPanel([FieldPanel("kind"), FieldPanel("key"), FieldPanel("required"), FieldPanel("identifying")]),
        FieldPanel("label"),
        FieldPanel("help_text"),
        FieldRowPanel([FieldPanel("word_limit"), FieldPanel("choices")]),
        FieldPanel("prefill_from"),
        FieldRowPanel([FieldPanel("show_if_key"), FieldPanel("show_if_value")]),
        MultiFieldPanel(
            [
                FieldPanel("label_es"),
                FieldPanel("help_text_es"),
                FieldPanel("choices_es"),
                FieldPanel("label_fr"),
                FieldPanel("help_text_fr"),
                FieldPanel("choices_fr"),
            ],
            heading=_("Translations"),
            classname="collapsed",
        ),
    ]

    class Meta(Orderable.Meta):
        constraints = [models.UniqueConstraint(fields=["round", "key"], name="unique_question_key_per_round")]
        verbose_name = _("question")

    def clean(self):
        super().clean()
        english = _lines(self.choices)
        errors = {}
        for language in TRANSLATED_LANGUAGES:
            translated = _lines(getattr(self, f"choices_{language}"))
            if translated and len(translated) != len(english):
                errors[f"choices_{language}"] = _(
                    "Give exactly one translated choice per English choice (%(count)s), in the same order."
                ) % {"count": len(english)}
        if errors:
            raise ValidationError(errors)

    def translations(self) -> dict:
        """{language: {label, help_text, choices}} of the languages with at least one translated text."""
        result = {}
        for language in TRANSLATED_LANGUAGES:
            entry = {
                "label": getattr(self, f"label_{language}"),
                "help_text": getattr(self, f"help_text_{language}"),
                "choices": _lines(getattr(self, f"choices_{language}")),
            }
            if any(entry.values()):
                result[language] = entry
        return result

    def as_definition(self) -> dict:
        definition = {
            "key": self.key,
            "kind": self.kind,
            "label": self.label,
            "help_text": self.help_text,
            "required": self.required,
            "word_limit": self.word_limit,
            "choices": [line.strip() for line in self.choices.splitlines() if line.strip()],
            "show_if": {"key": self.show_if_key, "value": self.show_if_value} if self.show_if_key else None,
            "identifying": self.identifying,
        }
        if self.prefill_from:  # only when set, so forms published before this option keep their definition
            definition["prefill"] = self.prefill_from
        # Only when translated, so a form published before translations existed is not republished unchanged.
        if translations := self.translations():
            definition["translations"] = translations
        return definition


class ApplicationFormVersion(models.Model):
    """A published, immutable version of a round's application form (JSON). Drafts answer the newest one."""

    round = models.ForeignKey(FundingRound, on_delete=models.CASCADE, related_name="form_versions")
    number = models.PositiveIntegerField()
    definition = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["round", "-number"]
        constraints = [models.UniqueConstraint(fields=["round", "number"], name="unique_form_version")]
        verbose_name = _("application form version")

    def __str__(self):
        return f"{self.round} v{self.number}"


class ApplicationSubmission(models.Model):
    """Exactly what was sent on each submit or resubmit: staff diff consecutive ones and the PDF copy prints the latest."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="submissions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200, blank=True)
    summary = models.TextField(blank=True)
    requested_amount = MoneyField(null=True, blank=True)
    answers = models.JSONField(default=dict)
    form_snapshot = models.JSONField(default=dict)
    organisation_snapshot = models.JSONField(default=dict)
    attachments = models.JSONField(default=list)
    submitted_at = models.DateTimeField(default=timezone.now)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["application", "number"]
        constraints = [models.UniqueConstraint(fields=["application", "number"], name="unique_submission_number")]
        verbose_name = _("submission")


def private_storage():
    return storages["private"]


def attachment_path(instance, filename):
    # The stored name is random: the uploader's file name is kept only as data, never as a path.
    return f"applications/{secrets.token_hex(2)}/{secrets.token_urlsafe(24)}"


class Attachment(models.Model):
    class Scan(models.TextChoices):
        NOT_SCANNED = "not_scanned", _("Not scanned")
        CLEAN = "clean", _("Clean")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="attachments")
    question_key = models.SlugField(max_length=40)
    original_name = models.CharField(_("file name"), max_length=200)
    file = models.FileField(storage=private_storage, upload_to=attachment_path, max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    scan = models.CharField(max_length=16, choices=Scan.choices, default=Scan.NOT_SCANNED)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("attachment")

    def __str__(self):
        return self.original_name


class ApplicationMessage(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    from_staff = models.BooleanField(default=False)
    internal = models.BooleanField(_("internal note (staff only)"), default=False)
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("message")


class DeadlineExtension(models.Model):
    """An individual extension of the round's deadline for one application, granted by program staff."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="extensions")
    new_deadline = models.DateTimeField(_("new deadline"))
    reason = models.TextField(_("reason"))
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("deadline extension")


class ReferenceCounter(models.Model):
    """The last reference number issued per prefix and year; incremented under a row lock."""

    prefix = models.CharField(max_length=10)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="unique_reference_counter")]
