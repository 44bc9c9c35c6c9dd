"""What Stripe did with the money: its balance transactions (each charge with its actual fee, refunds, dispute
withdrawals and reinstatements) and its payouts to the bank. Imported by `stripe_reconcile`, unique by Stripe id, so an
import run twice changes nothing. Re-exported by fund.donations.models."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.money import MoneyField


class StripePayout(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        IN_TRANSIT = "in_transit", _("In transit")
        PAID = "paid", _("Paid")
        FAILED = "failed", _("Failed")
        CANCELED = "canceled", _("Cancelled")

    stripe_id = models.CharField(max_length=100, unique=True)
    amount = MoneyField(_("amount"))
    currency = models.CharField(max_length=3)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    arrival_date = models.DateField(_("arrives in the bank"))
    created = models.DateTimeField()
    imported_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-arrival_date", "-pk"]
        # The payouts list's order (keyset pages).
        indexes = [models.Index(fields=["-arrival_date", "-id"], name="stripepayout_arrival_desc")]
        verbose_name = _("Stripe payout")
        verbose_name_plural = _("Stripe payouts")

    def __str__(self):
        return f"{self.stripe_id} {self.amount} {self.currency} ({self.get_status_display()})"


class StripePayoutShare(models.Model):
    """The part of a payout that belongs to one fund (its gifts' net); the source of that fund's payout posting."""

    payout = models.ForeignKey(StripePayout, on_delete=models.PROTECT, related_name="shares")
    fund = models.ForeignKey("fund.Fund", on_delete=models.PROTECT, related_name="+")
    amount = MoneyField(_("amount"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["payout", "fund"], name="unique_payout_share_per_fund")]


class StripeBalanceTransaction(models.Model):
    stripe_id = models.CharField(max_length=100, unique=True)
    type = models.CharField(max_length=40)
    reporting_category = models.CharField(max_length=40, blank=True)
    amount = MoneyField(_("gross"))
    fee = MoneyField(_("fee"))
    net = MoneyField(_("net"))
    currency = models.CharField(max_length=3)
    created = models.DateTimeField()
    source_id = models.CharField(max_length=100, blank=True, db_index=True)
    payout = models.ForeignKey(
        StripePayout, null=True, blank=True, on_delete=models.PROTECT, related_name="balance_transactions"
    )
    donation = models.ForeignKey(
        "donations.Donation", null=True, blank=True, on_delete=models.PROTECT, related_name="balance_transactions"
    )
    fund = models.ForeignKey("fund.Fund", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created", "pk"]
        indexes = [
            # The payouts screen's "lines that match no gift" (a payout's own line never has a gift).
            models.Index(
                fields=["-created"],
                condition=models.Q(donation__isnull=True) & ~models.Q(type="payout"),
                name="stripe_bt_unmatched",
            )
        ]
        verbose_name = _("Stripe balance transaction")
        verbose_name_plural = _("Stripe balance transactions")

    def __str__(self):
        return f"{self.stripe_id} {self.type} {self.net} {self.currency}"

    @property
    def matched(self) -> bool:
        return self.type == "payout" or self.donation_id is not None
