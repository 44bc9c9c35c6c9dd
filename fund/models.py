"""Funds, campaigns and the double-entry ledger. Append-only: corrections are reversing transactions."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.money import CURRENCY_CHOICES, MoneyField


class Jurisdiction(models.TextChoices):
    US = "US", _("United States (IRS)")
    UK = "UK", _("United Kingdom (HMRC, Gift Aid)")
    CA = "CA", _("Canada (CRA)")


class Fund(models.Model):
    """One pool of money in one currency, with the legal identity that signs its receipts and letters."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), unique=True)
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES, default="USD")
    description = models.TextField(_("description"), blank=True)
    is_default = models.BooleanField(_("default fund for general gifts"), default=False)
    # Legal identity used on receipts, letters and agreements (cms site settings show and edit the public parts).
    jurisdiction = models.CharField(
        _("jurisdiction"), max_length=2, choices=Jurisdiction.choices, default=Jurisdiction.US
    )
    # The language of receipts, letters and statements for people who have not chosen one (a Canadian fund may work
    # in French). Must be one of settings.LANGUAGES.
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_("Used for receipts and letters of people who have not chosen a language."),
    )
    legal_name = models.CharField(_("legal name"), max_length=200, blank=True)
    charity_number = models.CharField(
        _("charity / tax registration number"),
        max_length=60,
        blank=True,
        help_text=_("US: EIN. UK: registered charity number. Canada: business number (e.g. 123456789RR0001)."),
    )
    address = models.TextField(_("postal address"), blank=True)
    email = models.EmailField(_("email"), blank=True)
    website = models.URLField(_("website"), blank=True)
    signatory_name = models.CharField(_("signatory name"), max_length=120, blank=True)
    signatory_title = models.CharField(_("signatory title"), max_length=120, blank=True)
    # Bank account that pays grants (originator details for payment files).
    originator_name = models.CharField(_("payment originator name"), max_length=23, blank=True)
    originator_id = models.CharField(_("payment originator id"), max_length=10, blank=True)
    originating_bank_routing = models.CharField(
        _("originating bank routing number"),
        max_length=9,
        blank=True,
        help_text=_("US: the ABA number. UK: the sort code. Canada: 0 + institution + transit (9 digits)."),
    )
    originating_account = models.CharField(
        _("originating account number"),
        max_length=20,
        blank=True,
        help_text=_("The fund's own account that pays grants (Canadian files name it for returned payments)."),
    )
    # Grant agreements: plain text with {placeholders}; see grants.awards.pdf.AGREEMENT_PLACEHOLDERS.
    agreement_template = models.TextField(
        _("grant agreement template"),
        blank=True,
        help_text=_(
            "Plain text. Placeholders: {fund_name}, {fund_legal_name}, {grantee_name}, {grantee_legal_name}, "
            "{reference}, {project_title}, {amount}, {period_start}, {period_end}, {offer_expires_on}, "
            "{reporting_requirements}. Leave empty for the standard agreement."
        ),
    )
    award_offer_days = models.PositiveSmallIntegerField(_("days a grantee has to accept an award offer"), default=30)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("fund")
        verbose_name_plural = _("funds")

    def __str__(self):
        return self.name


class Campaign(models.Model):
    """A fundraising appeal. Gifts to a campaign are restricted to it."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="campaigns")
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), unique=True)
    goal = MoneyField(_("goal"))
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    suggested_amounts = models.JSONField(_("suggested amounts"), default=list, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self):
        return self.title

    @property
    def currency(self):
        return self.fund.currency


class AppendOnlyQuerySet(models.QuerySet):
    """Ledger rows are never edited or deleted in bulk either: corrections are reversing transactions."""

    def update(self, **kwargs):
        raise LedgerImmutableError(_("Ledger rows are append-only; post a reversing transaction instead."))

    def delete(self):
        raise LedgerImmutableError(_("Ledger rows are append-only; post a reversing transaction instead."))


class LedgerImmutableError(Exception):
    pass


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise LedgerImmutableError(_("Ledger rows are append-only; post a reversing transaction instead."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise LedgerImmutableError(_("Ledger rows are append-only; post a reversing transaction instead."))


class Account(models.Model):
    """A ledger account of a fund. Debits are positive amounts, credits negative."""

    class Kind(models.TextChoices):
        CASH = "cash", _("Cash at bank")
        STRIPE_CLEARING = "stripe_clearing", _("Stripe clearing")
        PLEDGES_RECEIVABLE = "pledges_receivable", _("Pledges receivable")
        DONATIONS_REVENUE = "donations_revenue", _("Donations revenue")
        PROCESSING_FEES = "processing_fees", _("Processing fees")
        REFUNDS = "refunds", _("Refunds")
        DISPUTE_LOSSES = "dispute_losses", _("Dispute losses")
        GRANTS_EXPENSE = "grants_expense", _("Grants committed (expense)")
        GRANTS_PAYABLE = "grants_payable", _("Grants payable")
        # Gifts of securities, at their value on the day given, until sold. Not cash: never available to award.
        NONCASH_ASSETS = "noncash_assets", _("Gifts of securities held")
        NONCASH_GAINS = "noncash_gains", _("Gain or loss on sale of gifted securities")
        # Money Stripe withdrew when a card dispute opened, until the dispute is won (back to clearing) or lost.
        DISPUTED_FUNDS = "disputed_funds", _("Disputed funds withdrawn by Stripe")

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="accounts")
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.PROTECT, related_name="accounts")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["fund", "kind", "campaign"], name="unique_account_per_campaign"),
            models.UniqueConstraint(
                fields=["fund", "kind"], condition=models.Q(campaign__isnull=True), name="unique_account_unrestricted"
            ),
        ]
        verbose_name = _("ledger account")
        verbose_name_plural = _("ledger accounts")

    def __str__(self):
        suffix = f" ({self.campaign})" if self.campaign_id else ""
        return f"{self.fund}: {self.get_kind_display()}{suffix}"


class LedgerTransaction(AppendOnlyModel):
    """One business event's balanced set of entries."""

    class Kind(models.TextChoices):
        DONATION = "donation", _("Donation received")
        PROCESSING_FEE = "processing_fee", _("Processing fee")
        REFUND = "refund", _("Refund")
        DISPUTE = "dispute", _("Dispute lost")
        DISPUTE_OPENED = "dispute_opened", _("Dispute opened (funds withdrawn)")
        DISPUTE_WON = "dispute_won", _("Dispute won")
        FEE_ADJUSTMENT = "fee_adjustment", _("Processing fee adjusted to Stripe's actual fee")
        OFFLINE_GIFT = "offline_gift", _("Offline gift")
        NONCASH_SALE = "noncash_sale", _("Sale of gifted securities")
        PLEDGE = "pledge", _("Pledge")
        PLEDGE_PAYMENT = "pledge_payment", _("Pledge payment")
        PLEDGE_CANCELLED = "pledge_cancelled", _("Pledge cancelled")
        PLEDGE_WRITTEN_OFF = "pledge_written_off", _("Pledge written off")
        GIFT_VOIDED = "gift_voided", _("Offline gift voided")
        CHEQUE_RETURNED = "cheque_returned", _("Cheque returned unpaid")
        PAYOUT = "payout", _("Stripe payout")
        AWARD_COMMITTED = "award_committed", _("Award committed")
        AWARD_RELEASED = "award_released", _("Award released")
        AWARD_FUNDED = "award_funded", _("Award funding sources allocated")
        DISBURSEMENT_PAID = "disbursement_paid", _("Disbursement paid")
        DISBURSEMENT_RETURNED = "disbursement_returned", _("Disbursement returned")
        REVERSAL = "reversal", _("Reversal")

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="transactions")
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    group = models.UUIDField(_("business event"), default=uuid.uuid4, db_index=True)
    memo = models.CharField(_("memo"), max_length=300, blank=True)
    # What caused it, e.g. "donations.donation:42"; used for drill-down and for "one transaction per source" checks.
    source_type = models.CharField(max_length=60, blank=True)
    source_id = models.CharField(max_length=60, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    effective_date = models.DateField(_("effective date"))
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by")

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["source_type", "source_id"]),
            # The ledger listing's order within a fund (keyset pages).
            models.Index(fields=["fund", "-created_at", "-id"], name="ledgertxn_fund_created_desc"),
            models.Index(fields=["fund", "kind", "-created_at", "-id"], name="ledgertxn_fund_kind_created"),
        ]
        constraints = [
            # One posting of each kind per source object (e.g. one "donation" transaction per donation).
            # Releases are the exception: an award may release part of its commitment when staff lower the offer,
            # and the rest on decline, expiry or termination.
            models.UniqueConstraint(
                fields=["kind", "source_type", "source_id"],
                condition=~models.Q(source_type="")
                & models.Q(reverses__isnull=True)
                & ~models.Q(kind="award_released"),
                name="unique_ledger_posting_per_source",
            ),
        ]
        verbose_name = _("ledger transaction")
        verbose_name_plural = _("ledger transactions")

    def __str__(self):
        return f"#{self.pk} {self.get_kind_display()} {self.memo}".strip()


class Entry(AppendOnlyModel):
    transaction = models.ForeignKey(LedgerTransaction, on_delete=models.PROTECT, related_name="entries")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries")
    amount = MoneyField(_("amount (debit +, credit -)"))

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        # An account's postings, newest transaction first (the account page's keyset order).
        indexes = [models.Index(fields=["account", "-transaction", "-id"], name="entry_account_txn_desc")]
        constraints = [models.CheckConstraint(condition=~models.Q(amount=0), name="entry_amount_not_zero")]

    def __str__(self):
        return f"{self.account}: {self.amount}"


class FundPosition(models.Model):
    """Counters kept by `fund.ledger.ledger_post` in the same transaction as every posting, under a row lock.

    liquid  = cash + Stripe clearing (money actually held), payable = grants committed and not yet paid.
    ceiling = max(liquid, payable) after every posting except an award commitment, so the check constraint
    `payable <= ceiling` lets refunds, fees and disputes through even when they leave the fund short, but makes the
    database refuse any commitment that would promise more than the fund holds. `ledger_check` recomputes all three.
    """

    fund = models.OneToOneField(Fund, on_delete=models.PROTECT, related_name="position")
    liquid = MoneyField(_("cash and clearing"), default=0)
    payable = MoneyField(_("grants payable"), default=0)
    ceiling = MoneyField(_("commitment ceiling"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("fund position")
        verbose_name_plural = _("fund positions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(payable__lte=models.F("ceiling")), name="fund_never_overcommitted"
            ),
        ]

    def __str__(self):
        return f"{self.fund}: {self.liquid} held, {self.payable} payable"

    @property
    def available_to_award(self):
        return self.liquid - self.payable


class CampaignPosition(models.Model):
    """A campaign's restricted money, kept by `fund.ledger.ledger_post` under a row lock like `FundPosition`.

    restricted = money given to the campaign and actually held (gifts less fees, refunds and disputes, paid pledge
    instalments, sold securities); allocated = what awards have been funded with from it (net of releases).
    ceiling = max(restricted, allocated) after every posting except an award's funding allocation, so the check
    constraint `allocated <= ceiling` lets refunds and disputes through but makes the database refuse any allocation
    that would spend more than the campaign holds: its restricted balance never goes below zero by an award.
    """

    campaign = models.OneToOneField(Campaign, on_delete=models.PROTECT, related_name="position")
    restricted = MoneyField(_("restricted money held"), default=0)
    allocated = MoneyField(_("allocated to awards"), default=0)
    ceiling = MoneyField(_("allocation ceiling"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("campaign position")
        verbose_name_plural = _("campaign positions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(allocated__lte=models.F("ceiling")), name="campaign_never_overspent"
            ),
        ]

    def __str__(self):
        return f"{self.campaign}: {self.restricted} held, {self.allocated} allocated"

    @property
    def balance(self):
        return self.restricted - self.allocated


from .bank_models import BankLineMatch, BankStatement, BankStatementLine, ReconciliationPeriod  # noqa: E402, F401
