"""Donors, donations (online and offline), monthly gifts, pledges, receipts and the raw Stripe events.

Exactly-once is a database property here: a donation is unique by Checkout Session, PaymentIntent, charge and invoice;
a Stripe event is unique by its id; a receipt serial is unique per jurisdiction and year; one live receipt per donation.
Nothing is deleted: refunds and disputes are adjustment rows, a voided receipt stays as "cancelled".
"""

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.money import CURRENCY_CHOICES, ZERO, MoneyField


def private_storage():
    return storages["private"]


class Donor(models.Model):
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"), unique=True)
    address_line1 = models.CharField(_("address line 1"), max_length=200, blank=True)
    address_line2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    city = models.CharField(_("town or city"), max_length=100, blank=True)
    region = models.CharField(_("state / province / county"), max_length=100, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True, default="US")
    anonymous_by_default = models.BooleanField(_("keep my name private by default"), default=False)
    # The donor's language for receipts when they have no account (an account's own language wins); empty: the fund's.
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="donor"
    )
    stripe_customer_id = models.CharField(max_length=100, unique=True, null=True, blank=True)
    is_organisation = models.BooleanField(_("organisation (foundation, company)"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("donor")
        verbose_name_plural = _("donors")

    def __str__(self):
        return self.name or self.email

    @property
    def address(self) -> str:
        parts = [
            self.address_line1,
            self.address_line2,
            " ".join(p for p in [self.city, self.region, self.postal_code] if p),
        ]
        return "\n".join(p for p in parts if p)


class DonationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    REFUNDED = "refunded", _("Refunded")
    PARTIALLY_REFUNDED = "partially_refunded", _("Partially refunded")
    DISPUTED = "disputed", _("Disputed")
    CANCELED = "canceled", _("Canceled")
    VOIDED = "voided", _("Voided (recorded in error)")
    BOUNCED = "bounced", _("Cheque returned unpaid")


# Gifts that count as received money (net of refunds) in totals, statements and receipts.
RECEIVED_STATUSES = [
    DonationStatus.SUCCEEDED,
    DonationStatus.PARTIALLY_REFUNDED,
    DonationStatus.DISPUTED,
    DonationStatus.REFUNDED,
]


class Method(models.TextChoices):
    STRIPE = "stripe", _("Card (Stripe)")
    CHEQUE = "cheque", _("Cheque")
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    STOCK = "stock", _("Stock / securities")
    OTHER = "other", _("Other")


class Dedication(models.TextChoices):
    NONE = "", _("No dedication")
    HONOUR = "honour", _("In honour of")
    MEMORY = "memory", _("In memory of")


class RecurringDonation(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for first payment")
        ACTIVE = "active", _("Active")
        PAST_DUE = "past_due", _("Payment failed, retrying")
        CANCELED = "canceled", _("Cancelled")

    donor = models.ForeignKey(Donor, on_delete=models.PROTECT, related_name="recurring_donations")
    fund = models.ForeignKey("fund.Fund", on_delete=models.PROTECT, related_name="recurring_donations")
    campaign = models.ForeignKey("fund.Campaign", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    amount = MoneyField(_("monthly amount charged"))
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default="USD")
    fee_covered = models.BooleanField(default=False)
    stripe_subscription_id = models.CharField(max_length=100, unique=True, null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    canceled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("monthly gift")
        verbose_name_plural = _("monthly gifts")

    def __str__(self):
        return f"{self.donor} {self.amount} {self.currency}/month"


class Donation(models.Model):
    donor = models.ForeignKey(Donor, on_delete=models.PROTECT, related_name="donations")
    fund = models.ForeignKey("fund.Fund", on_delete=models.PROTECT, related_name="donations")
    campaign = models.ForeignKey(
        "fund.Campaign", null=True, blank=True, on_delete=models.PROTECT, related_name="donations"
    )
    recurring = models.ForeignKey(
        RecurringDonation, null=True, blank=True, on_delete=models.PROTECT, related_name="donations"
    )
    # `amount` is what the donor gave (and was charged, fee included when covered); `fee_amount` the processing fee; net = amount - fee.
    amount = MoneyField(_("amount"))
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES, default="USD")
    # The language of the site the gift was made on: its receipt and emails are written in it.
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, blank=True)
    fee_covered = models.BooleanField(_("donor covered the fee"), default=False)
    fee_amount = MoneyField(_("processing fee"), default=ZERO)
    net_amount = MoneyField(_("net"), default=ZERO)
    refunded_amount = MoneyField(_("refunded"), default=ZERO)
    advantage_amount = MoneyField(_("value of goods or services received"), default=ZERO)
    # What the donor received in return (a gala dinner, a book): US and Canadian receipts must describe it.
    advantage_description = models.CharField(
        _("goods or services received"), max_length=300, blank=True, help_text=_("E.g. a gala dinner for two.")
    )
    method = models.CharField(_("method"), max_length=20, choices=Method.choices, default=Method.STRIPE)
    status = models.CharField(
        _("status"), max_length=20, choices=DonationStatus.choices, default=DonationStatus.PENDING
    )
    description = models.CharField(
        _("description"), max_length=300, blank=True, help_text=_("E.g. the stock and number of shares.")
    )
    reference = models.CharField(
        _("reference"), max_length=100, blank=True, help_text=_("Cheque number or bank reference.")
    )
    # Canada: a non-cash gift valued by an appraisal names the appraiser on its official receipt (CRA). Publicly traded
    # securities need no appraisal: their fair market value is the market price on the day given.
    appraised_value = MoneyField(_("appraised value"), null=True, blank=True)
    appraiser_name = models.CharField(_("appraiser's name"), max_length=200, blank=True)
    appraiser_address = models.TextField(_("appraiser's address"), blank=True)
    stripe_checkout_session_id = models.CharField(max_length=100, unique=True, null=True, blank=True)
    stripe_payment_intent_id = models.CharField(max_length=100, unique=True, null=True, blank=True)
    stripe_charge_id = models.CharField(max_length=100, unique=True, null=True, blank=True)
    stripe_invoice_id = models.CharField(max_length=100, unique=True, null=True, blank=True)
    dedication_type = models.CharField(
        _("dedication"), max_length=10, choices=Dedication.choices, blank=True, default=""
    )
    dedication_name = models.CharField(_("dedicated to"), max_length=200, blank=True)
    dedication_notify_email = models.EmailField(_("notify by email"), blank=True)
    anonymous = models.BooleanField(_("anonymous"), default=False)
    # Snapshot of the donor as given with this gift (receipts use it; the Donor row may change later).
    donor_name = models.CharField(_("donor name"), max_length=200, blank=True)
    donor_address = models.TextField(_("donor address"), blank=True)
    gift_aid = models.BooleanField(_("Gift Aid declared"), default=False)
    gift_aid_declaration = models.TextField(_("Gift Aid declaration wording"), blank=True)
    gift_aid_declared_at = models.DateTimeField(null=True, blank=True)
    amount_mismatch = models.BooleanField(_("amount mismatch"), default=False)
    mismatch_note = models.TextField(_("mismatch note"), blank=True)
    dispute_status = models.CharField(max_length=40, blank=True)  # Stripe: e.g. "warning_needs_response"
    received_at = models.DateTimeField(_("received"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("donation")
        verbose_name_plural = _("donations")
        indexes = [
            models.Index(fields=["status", "campaign"]),
            models.Index(fields=["donor", "received_at"]),
            # The staff list's order (keyset pages) and its count of gifts to check.
            models.Index(fields=["-created_at", "-id"], name="donation_created_desc"),
            models.Index(fields=["created_at"], condition=Q(amount_mismatch=True), name="donation_amount_mismatch"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="donation_amount_positive"),
            models.CheckConstraint(
                condition=Q(refunded_amount__lte=models.F("amount")), name="donation_refund_not_above_amount"
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.amount} {self.currency} ({self.get_status_display()})"

    @property
    def is_received(self) -> bool:
        return self.status in RECEIVED_STATUSES

    @property
    def kept_amount(self):
        return self.amount - self.refunded_amount

    @property
    def shown_without_value(self) -> bool:
        """A US gift of securities is described to the donor, never valued (IRS): receipts, statements, the portal."""
        return self.method == Method.STOCK and self.fund.jurisdiction == "US"

    @property
    def public_name(self):
        return _("Anonymous") if self.anonymous else (self.donor_name or self.donor.name)


class DonationAdjustment(models.Model):
    """A refund or dispute outcome from Stripe: a new row per event, the source of its ledger posting."""

    class Kind(models.TextChoices):
        REFUND = "refund", _("Refund")
        DISPUTE_OPENED = "dispute_opened", _("Dispute opened: funds withdrawn")
        DISPUTE_WON = "dispute_won", _("Dispute won: funds reinstated")
        DISPUTE_LOST = "dispute_lost", _("Dispute lost")

    donation = models.ForeignKey(Donation, on_delete=models.PROTECT, related_name="adjustments")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    amount = MoneyField(_("amount"))
    # Stripe's fee that came with it: a dispute fee (withdrawal) or a returned one (reinstatement, negative).
    fee = MoneyField(_("fee"), default=ZERO)
    # Refunds: "<charge id>:<cumulative refunded minor units>"; disputes lost: the dispute id; dispute withdrawals and
    # reinstatements: the balance transaction id.
    stripe_ref = models.CharField(max_length=120)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "stripe_ref"], name="unique_donation_adjustment")]


class Pledge(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        FULFILLED = "fulfilled", _("Fulfilled")
        CANCELLED = "cancelled", _("Cancelled")
        WRITTEN_OFF = "written_off", _("Written off")

    donor = models.ForeignKey(Donor, on_delete=models.PROTECT, related_name="pledges")
    fund = models.ForeignKey("fund.Fund", on_delete=models.PROTECT, related_name="pledges")
    campaign = models.ForeignKey(
        "fund.Campaign", null=True, blank=True, on_delete=models.PROTECT, related_name="pledges"
    )
    amount = MoneyField(_("pledged amount"))
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default="USD")
    pledged_on = models.DateField(_("pledged on"))
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    note = models.TextField(_("note"), blank=True)
    reference = models.CharField(_("reference"), max_length=100, unique=True, null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-pledged_on", "-pk"]
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="pledge_amount_positive")]

    def __str__(self):
        return f"{self.donor}: {self.amount} {self.currency}"


class PledgeInstalment(models.Model):
    pledge = models.ForeignKey(Pledge, on_delete=models.PROTECT, related_name="instalments")
    sequence = models.PositiveSmallIntegerField()
    due_date = models.DateField(_("due"))
    amount = MoneyField(_("amount"))
    donation = models.OneToOneField(
        Donation, null=True, blank=True, on_delete=models.PROTECT, related_name="pledge_instalment"
    )

    class Meta:
        ordering = ["pledge", "sequence"]
        constraints = [models.UniqueConstraint(fields=["pledge", "sequence"], name="unique_pledge_instalment")]

    @property
    def is_paid(self):
        return self.donation_id is not None


class ReceiptCounter(models.Model):
    """The last serial used per jurisdiction and year; locked while a receipt takes the next one."""

    jurisdiction = models.CharField(max_length=2)
    year = models.PositiveIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["jurisdiction", "year"], name="unique_receipt_counter")]


class Receipt(models.Model):
    class Status(models.TextChoices):
        ISSUED = "issued", _("Issued")
        CANCELLED = "cancelled", _("Cancelled")

    donation = models.ForeignKey(Donation, on_delete=models.PROTECT, related_name="receipts")
    jurisdiction = models.CharField(max_length=2)
    year = models.PositiveIntegerField()
    number = models.PositiveIntegerField()
    serial = models.CharField(_("serial number"), max_length=30, unique=True)
    amount = MoneyField(_("total amount"))
    advantage_amount = MoneyField(_("advantage"), default=ZERO)
    eligible_amount = MoneyField(_("eligible amount"))
    currency = models.CharField(max_length=3, default="USD")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ISSUED)
    replaces = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by")
    pdf = models.FileField(storage=private_storage, upload_to="receipts/%Y/", blank=True)
    issued_at = models.DateTimeField()
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=300, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    # The language the receipt was printed in (fund.donations.receipts.receipt_language).
    language = models.CharField(_("language"), max_length=10, blank=True, default="en")

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "year", "number"], name="unique_receipt_serial"),
            models.UniqueConstraint(
                fields=["donation"], condition=Q(status="issued"), name="one_live_receipt_per_donation"
            ),
        ]

    def __str__(self):
        return self.serial


class StripeEvent(models.Model):
    """A verified Stripe event, stored before it is handled. `deferred_key` names what it waits for (out-of-order)."""

    event_id = models.CharField(max_length=100, unique=True)
    type = models.CharField(max_length=100, db_index=True)
    payload = models.JSONField()
    livemode = models.BooleanField(default=False)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(
        null=True, blank=True, help_text=_("After a failure: when it is tried again.")
    )
    deferred_key = models.CharField(max_length=120, blank=True, db_index=True)
    # Held by one consumer until then (a consumer that dies lets go when it passes): see webhooks.stripe_events_claim.
    claimed_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        indexes = [
            # The events consumer polls for unfinished events; handled ones (nearly all) stay out of this index.
            models.Index(
                fields=["received_at"], condition=models.Q(processed_at__isnull=True), name="stripeevent_unfinished"
            ),
        ]
        verbose_name = _("Stripe event")
        verbose_name_plural = _("Stripe events")

    def __str__(self):
        return f"{self.type} {self.event_id}"

    @property
    def state(self):
        if self.processed_at:
            return "processed"
        if self.deferred_key:
            return "deferred"
        if self.error:
            return "failed"
        return "received"

    STATE_LABELS = {
        "processed": _("Processed"),
        "deferred": _("Waiting for its gift"),
        "failed": _("Failed"),
        "received": _("Queued"),
    }

    @property
    def state_label(self):
        return self.STATE_LABELS[self.state]


class StatementRun(models.Model):
    """One year-end batch of annual statements, with progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    year = models.PositiveIntegerField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    send_email = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    @property
    def percent(self):
        return int(self.done * 100 / self.total) if self.total else (100 if self.status == self.Status.DONE else 0)

    @property
    def can_resume(self):
        return self.status == self.Status.FAILED


class StatementDelivery(models.Model):
    """A donor's statement for a year was handed to the email backend: a re-run or a resumed run skips them."""

    year = models.PositiveIntegerField()
    donor = models.ForeignKey(Donor, on_delete=models.PROTECT, related_name="statement_deliveries")
    run = models.ForeignKey(StatementRun, on_delete=models.PROTECT, related_name="deliveries")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["year", "donor"], name="one_statement_email_per_donor_year")]


from .payout_models import StripeBalanceTransaction, StripePayout, StripePayoutShare  # noqa: E402, F401
from .refund_models import RefundRequest  # noqa: E402, F401
