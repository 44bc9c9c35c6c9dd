"""Refunds that staff start from the product (not from Stripe's Dashboard). Re-exported by fund.donations.models."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from portal.money import MoneyField


class RefundRequest(models.Model):
    class Status(models.TextChoices):
        NEEDS_APPROVAL = "needs_approval", _("Waiting for a second finance officer")
        APPROVED = "approved", _("Approved, sending to Stripe")
        SENT = "sent", _("Refunded through Stripe")
        REJECTED = "rejected", _("Rejected")
        FAILED = "failed", _("Stripe refused it")

    donation = models.ForeignKey("donations.Donation", on_delete=models.PROTECT, related_name="refund_requests")
    amount = MoneyField(_("amount to refund"))
    reason = models.CharField(_("reason"), max_length=300)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Saved before Stripe is called and reused on every retry, so a refund is never sent twice.
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    stripe_refund_id = models.CharField(max_length=100, unique=True, null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("refund request")
        verbose_name_plural = _("refund requests")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_request_amount_positive"),
            # Four eyes where required: whoever asked for a refund never approves it (small ones need no approver).
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("requested_by")),
                name="refund_request_four_eyes",
            ),
        ]

    def __str__(self):
        return f"Refund {self.amount} of donation #{self.donation_id} ({self.get_status_display()})"
