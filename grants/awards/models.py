"""Awards, their payment schedule (tranches), grantee bank details, disbursements and payment batches.

Money moves only through `fund.services` postings; the status fields here say where each award and payment stands,
the ledger says what happened to the money. Database constraints back the rules the services enforce.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from portal.money import CURRENCY_CHOICES, MoneyField


class AwardQuerySet(models.QuerySet):
    def sent(self):
        """Offers the grantee has been sent (anything but an offer staff are still preparing)."""
        return self.filter(offered_at__isnull=False)

    def for_member(self, user):
        return self.sent().filter(organisation__memberships__user=user)


class Award(models.Model):
    """Approval prepares the award and commits its money; staff review the offer and send it; the grantee accepts
    (Active); it is Closed once the final report is approved and every tranche is paid or cancelled."""

    class Status(models.TextChoices):
        PREPARED = "prepared", _("Offer being prepared")
        OFFERED = "offered", _("Offered, awaiting acceptance")
        ACCEPTED = "accepted", _("Active")
        CLOSED = "closed", _("Closed")
        TERMINATED = "terminated", _("Terminated")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Offer expired")

    # The application's one live award (partial unique constraint); its money is committed.
    ACTIVE_STATUSES = (Status.PREPARED, Status.OFFERED, Status.ACCEPTED, Status.CLOSED)
    # Not finished: staff may still change or end it.
    OPEN_STATUSES = (Status.PREPARED, Status.OFFERED, Status.ACCEPTED)

    application = models.ForeignKey("grants.Application", on_delete=models.PROTECT, related_name="awards")
    fund = models.ForeignKey("fund.Fund", on_delete=models.PROTECT, related_name="awards")
    round = models.ForeignKey("grants.FundingRound", on_delete=models.PROTECT, related_name="awards")
    organisation = models.ForeignKey("applicants.Organisation", on_delete=models.PROTECT, related_name="awards")
    # What the decision approved and the fund committed; `amount` may be lowered while the offer is open.
    approved_amount = MoneyField(_("approved amount"))
    amount = MoneyField(_("award amount"))
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    period_start = models.DateField(_("grant period starts"), null=True, blank=True)
    period_end = models.DateField(_("grant period ends"), null=True, blank=True)
    conditions = models.TextField(_("conditions"), blank=True)
    reporting_requirements = models.TextField(_("reporting requirements"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PREPARED, db_index=True
    )
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set when the offer is sent to the grantee; empty while staff prepare it.
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    offered_at = models.DateTimeField(_("offered"), null=True, blank=True)
    offer_expires_on = models.DateField(_("offer expires on"), null=True, blank=True)
    # The agreement text as offered, frozen so the PDF the grantee accepted can always be reproduced.
    agreement_text = models.TextField(_("agreement text"), blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_name = models.CharField(_("signed as (typed name)"), max_length=200, blank=True)
    accepted_ip = models.GenericIPAddressField(_("accepted from IP"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    close_reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AwardQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        constraints = [
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(status__in=["prepared", "offered", "accepted", "closed"]),
                name="one_active_award_per_application",
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0) & Q(amount__lte=F("approved_amount")), name="award_amount_within_approved"
            ),
            # Only an offer being prepared (or withdrawn before it was sent) has not been sent; a sent one expires.
            models.CheckConstraint(
                condition=(Q(status__in=["prepared", "terminated"]) | Q(offered_at__isnull=False))
                & (Q(offered_at__isnull=True) | Q(offer_expires_on__isnull=False)),
                name="award_sent_offer_has_dates",
            ),
        ]

    def __str__(self):
        return f"{self.application} – {self.organisation}"

    @property
    def reference(self):
        return str(self.application)

    @property
    def is_open(self):
        return self.status in self.OPEN_STATUSES

    @property
    def is_sent(self):
        return self.offered_at is not None


class Tranche(models.Model):
    class Condition(models.TextChoices):
        ON_ACCEPTANCE = "on_acceptance", _("On acceptance of the award")
        ON_REPORT_APPROVAL = "on_report_approval", _("On approval of a report")
        ON_DATE = "on_date", _("On a date")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        PAID = "paid", _("Paid")
        CANCELLED = "cancelled", _("Cancelled")

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="tranches")
    sequence = models.PositiveSmallIntegerField(_("number"))
    amount = MoneyField(_("amount"))
    due_date = models.DateField(_("due date"))
    condition = models.CharField(
        _("released"), max_length=24, choices=Condition.choices, default=Condition.ON_ACCEPTANCE
    )
    report_number = models.PositiveSmallIntegerField(_("report number"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.SCHEDULED, db_index=True
    )
    # When its condition was met (acceptance, or approval of its report); dated tranches are released on their date.
    released_at = models.DateTimeField(_("released"), null=True, blank=True)

    class Meta:
        ordering = ["award_id", "sequence"]
        verbose_name = _("tranche")
        verbose_name_plural = _("tranches")
        constraints = [
            models.UniqueConstraint(fields=["award", "sequence"], name="unique_tranche_sequence"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="tranche_amount_positive"),
            models.CheckConstraint(
                condition=~Q(condition="on_report_approval") | Q(report_number__isnull=False),
                name="tranche_report_condition_names_report",
            ),
        ]

    def __str__(self):
        return f"{self.award} #{self.sequence}"


class RoundCommitment(models.Model):
    """Per-round counter kept in the same transaction as each award commitment and release: the database refuses
    committing more than the round's budget even if two approvals race."""

    round = models.OneToOneField("grants.FundingRound", on_delete=models.PROTECT, related_name="commitment")
    budget = MoneyField(_("budget"), default=0)
    committed = MoneyField(_("committed"), default=0)

    class Meta:
        verbose_name = _("round commitment")
        verbose_name_plural = _("round commitments")
        constraints = [
            models.CheckConstraint(condition=Q(committed__lte=F("budget")), name="round_never_overcommitted"),
            models.CheckConstraint(condition=Q(committed__gte=0), name="round_commitment_not_negative"),
        ]

    def __str__(self):
        return f"{self.round}: {self.committed} of {self.budget}"

    @property
    def remaining(self):
        return self.budget - self.committed


class BankDetails(models.Model):
    """Where an organisation is paid. Numbers are encrypted with settings.BANK_DETAILS_KEYS (grants.awards.crypto);
    only the last four digits are stored in clear, for the masked display."""

    class AccountType(models.TextChoices):
        CHECKING = "checking", _("Checking")
        SAVINGS = "savings", _("Savings")

    class Country(models.TextChoices):
        US = "US", _("United States")
        UK = "UK", _("United Kingdom")
        CA = "CA", _("Canada")

    organisation = models.OneToOneField(
        "applicants.Organisation", on_delete=models.PROTECT, related_name="bank_details"
    )
    # Where the bank is: US (ABA routing number), UK (sort code) or Canada (institution + transit), see bank_accounts.
    country = models.CharField(_("country of the bank"), max_length=2, choices=Country.choices, default=Country.US)
    account_name = models.CharField(_("name on the account"), max_length=120)
    account_type = models.CharField(
        _("account type"), max_length=10, choices=AccountType.choices, default=AccountType.CHECKING
    )
    # The bank code the payment file routes by: ABA number, sort code, or institution + transit ("IIITTTTT").
    routing_number_encrypted = models.TextField()
    account_number_encrypted = models.TextField()
    account_last4 = models.CharField(max_length=4)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    changed_at = models.DateTimeField(_("details last changed"), null=True, blank=True)

    class Meta:
        verbose_name = _("bank details")
        verbose_name_plural = _("bank details")

    def __str__(self):
        return f"{self.organisation}: {self.masked_account}"

    @property
    def masked_account(self):
        return f"••••{self.account_last4}"


class PaymentBatch(models.Model):
    class Status(models.TextChoices):
        EXPORTED = "exported", _("Exported")
        PAID = "paid", _("Paid")

    fund = models.ForeignKey("fund.Fund", on_delete=models.PROTECT, related_name="payment_batches")
    reference = models.CharField(_("reference"), max_length=20, unique=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.EXPORTED)
    effective_date = models.DateField(_("settlement date"))
    total = MoneyField(_("total"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    paid_at = models.DateTimeField(null=True, blank=True)
    # Fixed when the batch is made, so the file rebuilt on every download is the same file: NACHA's File ID Modifier
    # (A-Z then 0-9 within a day) and CPA-005's file creation number (one more than the fund's last file).
    file_id_modifier = models.CharField(max_length=1, blank=True)
    file_creation_number = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("payment batch")
        verbose_name_plural = _("payment batches")
        constraints = [
            # Four eyes on money leaving: whoever exported the file never confirms it was paid.
            models.CheckConstraint(
                condition=Q(paid_by__isnull=True) | ~Q(paid_by=F("created_by")), name="payment_batch_paid_by_another"
            ),
        ]

    def __str__(self):
        return self.reference


class PaymentFileCounter(models.Model):
    """Per fund and day: payment files made (File ID Modifier) and trace numbers used, taken under a row lock."""

    fund = models.ForeignKey("fund.Fund", on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    files = models.PositiveIntegerField(default=0)
    traces = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["fund", "day"], name="unique_payment_file_counter")]


class Disbursement(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Prepared, awaiting approval")
        APPROVED = "approved", _("Approved")
        EXPORTED = "exported", _("In a payment file")
        PAID = "paid", _("Paid")
        RETURNED = "returned", _("Returned by the bank")
        CANCELLED = "cancelled", _("Cancelled")

    LIVE_STATUSES = ("pending", "approved", "exported", "paid")

    tranche = models.ForeignKey(Tranche, on_delete=models.PROTECT, related_name="disbursements")
    amount = MoneyField(_("amount"))
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    # One key per payment attempt of a tranche ("tranche-<id>-<attempt>"): a double click or a retry finds the same row.
    idempotency_key = models.CharField(max_length=64, unique=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    prepared_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    batch = models.ForeignKey(
        PaymentBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="disbursements"
    )
    trace_number = models.CharField(max_length=15, blank=True)
    # The payee's bank details as approved (encrypted JSON): the payment file pays these, never details changed later.
    payee_snapshot_encrypted = models.TextField(blank=True)
    payee_details_changed_at = models.DateTimeField(
        _("payee's details last changed, as approved"), null=True, blank=True
    )
    paid_at = models.DateTimeField(null=True, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.CharField(_("return reason"), max_length=200, blank=True)
    uuid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)

    class Meta:
        ordering = ["-prepared_at", "-pk"]
        verbose_name = _("disbursement")
        verbose_name_plural = _("disbursements")
        constraints = [
            # Four eyes, backed by the database: whoever prepared a payment never approves it.
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("prepared_by")), name="disbursement_four_eyes"
            ),
            # A tranche has at most one payment in flight or paid; a returned or cancelled one frees it.
            models.UniqueConstraint(
                fields=["tranche"],
                condition=Q(status__in=["pending", "approved", "exported", "paid"]),
                name="one_live_disbursement_per_tranche",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="disbursement_amount_positive"),
        ]
        indexes = [
            # The payments list: a status filter, newest first, keyset pages (portal/keyset.py).
            models.Index(fields=["status", "-prepared_at", "-id"], name="disbursement_status_prepared"),
        ]

    def __str__(self):
        return f"{self.tranche}: {self.amount} ({self.get_status_display()})"


from .funding_models import AwardFundingChange, AwardFundingSource, RoundCampaign  # noqa: E402, F401
