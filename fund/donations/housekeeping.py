"""Finance housekeeping on gifts: pledges that will not be paid, offline gifts that never became money, and refunds
started by staff. Nothing is deleted: each is a new ledger posting (a reversal of what was booked) and a status.

- `pledge_cancel`: the unpaid part of a pledge leaves revenue (Dr revenue / Cr pledges receivable).
- `offline_gift_void`: a cheque that bounced or a gift recorded in error: the exact reversal of its posting, its
  receipt cancelled (a pledge instalment is unpaid again).
- `refund_request_create` / `_approve` / `_reject`: a full or partial refund through Stripe; above
  settings.DONATION_REFUND_FOUR_EYES_ABOVE a second finance officer approves it. The request is saved before Stripe
  is called, with its own idempotency key; the refund is posted by the same service as Stripe's charge.refunded event.
"""

import logging
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from fund.services import ledger_record_gift_reversed, ledger_record_pledge_cancelled
from portal import roles
from portal.audit import audit
from portal.money import ZERO, format_money, money, to_minor_units

from . import accounting, services
from .models import Donation, DonationStatus, Method, Pledge, PledgeInstalment, Receipt, RefundRequest
from .signals import send_totals_changed_on_commit
from .stripe_client import as_dict, charge_retrieve, refund_create

logger = logging.getLogger(__name__)


class HousekeepingError(Exception):
    """The change cannot be made. The message is shown to finance."""


def _require_finance(user):
    if not roles.is_finance(user):
        raise PermissionDenied(_("Only finance officers can do this."))


def four_eyes_threshold() -> Decimal:
    """Refunds above this amount need a second finance officer (settings.DONATION_REFUND_FOUR_EYES_ABOVE)."""
    return money(getattr(settings, "DONATION_REFUND_FOUR_EYES_ABOVE", "250.00"))


# --- Pledges -------------------------------------------------------------------------------------------------------


def pledge_unpaid(pledge) -> Decimal:
    paid = PledgeInstalment.objects.filter(pledge=pledge, donation__isnull=False).aggregate(total=Sum("amount"))
    return money(pledge.amount - (paid["total"] or ZERO))


@transaction.atomic
def pledge_cancel(*, pledge, by, reason: str, write_off: bool = False) -> Pledge:
    """An open pledge that will not be paid in full: its unpaid part is reversed out of revenue and receivables
    (`pledge_written_off` when the donor cannot pay, `pledge_cancelled` when it is withdrawn). Paid instalments stay."""
    _require_finance(by)
    if not (reason or "").strip():
        raise HousekeepingError(_("Give a reason."))
    pledge = Pledge.objects.select_for_update(of=("self",)).select_related("fund", "campaign").get(pk=pledge.pk)
    if pledge.status != Pledge.Status.OPEN:
        raise HousekeepingError(_("Only an open pledge can be cancelled or written off."))
    unpaid = pledge_unpaid(pledge)
    if unpaid > ZERO:
        ledger_record_pledge_cancelled(
            fund=pledge.fund,
            campaign=pledge.campaign,
            amount=unpaid,
            source=pledge,
            written_off=write_off,
            created_by=by,
            memo=f"Pledge #{pledge.pk} {'written off' if write_off else 'cancelled'}: {reason}"[:300],
        )
    pledge.status = Pledge.Status.WRITTEN_OFF if write_off else Pledge.Status.CANCELLED
    pledge.save(update_fields=["status"])
    audit(
        pledge,
        "donations.pledge.cancel",
        user=by,
        data={"unpaid": str(unpaid), "written_off": write_off, "reason": reason},
    )
    return pledge


# --- Offline gifts -------------------------------------------------------------------------------------------------


@transaction.atomic
def offline_gift_void(*, donation, by, reason: str, bounced: bool = False) -> Donation:
    """A gift received outside Stripe that never became money: a cheque returned unpaid (`bounced`) or a gift recorded
    in error. Its posting is reversed exactly, its live receipt cancelled (no replacement), and a pledge instalment it
    paid is owed again. Gifts of securities already sold cannot be voided (reverse the sale first)."""
    _require_finance(by)
    if not (reason or "").strip():
        raise HousekeepingError(_("Give a reason."))
    donation = Donation.objects.select_for_update(of=("self",)).select_related("fund", "campaign").get(pk=donation.pk)
    if donation.method == Method.STRIPE:
        raise HousekeepingError(_("A card gift is refunded through Stripe, not voided."))
    if bounced and donation.method != Method.CHEQUE:
        raise HousekeepingError(_("Only a cheque can be returned unpaid."))
    if donation.status != DonationStatus.SUCCEEDED:
        raise HousekeepingError(_("Only a received gift can be voided."))
    if accounting.is_noncash(donation) and accounting.noncash_sale(donation) is not None:
        raise HousekeepingError(_("These securities were sold: reverse the sale before voiding the gift."))
    posting = accounting.gift_posting(donation)
    if posting is None:
        raise HousekeepingError(_("This gift has no posting to reverse."))
    ledger_record_gift_reversed(
        gift=posting, bounced=bounced, source=donation, created_by=by, memo=f"{reason} (gift #{donation.pk})"[:300]
    )
    donation.status = DonationStatus.BOUNCED if bounced else DonationStatus.VOIDED
    donation.save(update_fields=["status"])
    instalment = PledgeInstalment.objects.select_for_update().filter(donation=donation).first()
    if instalment is not None:
        instalment.donation = None
        instalment.save(update_fields=["donation"])
        Pledge.objects.filter(pk=instalment.pledge_id, status=Pledge.Status.FULFILLED).update(status=Pledge.Status.OPEN)
    now = timezone.now()
    for receipt in Receipt.objects.select_for_update().filter(donation=donation, status=Receipt.Status.ISSUED):
        receipt.status, receipt.cancelled_at = Receipt.Status.CANCELLED, now
        receipt.cancel_reason = (_("Cheque returned unpaid") if bounced else _("Gift voided")) + f": {reason}"[:250]
        receipt.save(update_fields=["status", "cancelled_at", "cancel_reason"])
        audit(receipt, "donations.receipt.cancel", user=by, data={"serial": receipt.serial, "reason": reason})
    audit(
        donation,
        "donations.donation.bounced" if bounced else "donations.donation.void",
        user=by,
        data={"reason": reason, "reverses": posting.pk},
    )
    send_totals_changed_on_commit(donation)
    return donation


# --- Refunds through Stripe ----------------------------------------------------------------------------------------


def refundable(donation) -> Decimal:
    """What can still be refunded: the gift less what was refunded and less refunds already asked for."""
    asked = RefundRequest.objects.filter(
        donation=donation,
        status__in=[RefundRequest.Status.NEEDS_APPROVAL, RefundRequest.Status.APPROVED],
    ).aggregate(total=Sum("amount"))["total"]
    return money(donation.amount - donation.refunded_amount - (asked or ZERO))


def refund_request_create(*, donation, amount, reason: str, by) -> RefundRequest:
    """Finance asks for a full or partial refund of a card gift. Up to the four-eyes threshold it goes to Stripe at
    once; above it, it waits for another finance officer."""
    _require_finance(by)
    try:
        amount = money(amount)
    except ValueError:
        raise HousekeepingError(_("Enter the amount as a number.")) from None
    if not (reason or "").strip():
        raise HousekeepingError(_("Give a reason."))
    with transaction.atomic():
        donation = Donation.objects.select_for_update(of=("self",)).get(pk=donation.pk)
        if donation.method != Method.STRIPE or not donation.stripe_payment_intent_id:
            raise HousekeepingError(_("Only a card gift with a Stripe payment can be refunded here."))
        if donation.status not in (DonationStatus.SUCCEEDED, DonationStatus.PARTIALLY_REFUNDED):
            raise HousekeepingError(_("This gift cannot be refunded now."))
        if amount <= ZERO or amount > refundable(donation):
            raise HousekeepingError(
                _("The refund must be more than zero and at most %(left)s.")
                % {"left": format_money(refundable(donation), donation.currency)}
            )
        needs_approval = amount > four_eyes_threshold()
        request = RefundRequest.objects.create(
            donation=donation,
            amount=amount,
            reason=reason.strip()[:300],
            requested_by=by,
            status=RefundRequest.Status.NEEDS_APPROVAL if needs_approval else RefundRequest.Status.APPROVED,
        )
        audit(request, "donations.refundrequest.create", user=by, data={"amount": str(amount), "reason": reason})
    if not needs_approval:
        return refund_request_send(request=request, by=by)
    return request


def refund_request_approve(*, request, by) -> RefundRequest:
    """A second finance officer approves a large refund; it then goes to Stripe."""
    _require_finance(by)
    with transaction.atomic():
        request = RefundRequest.objects.select_for_update().get(pk=request.pk)
        if request.requested_by_id == by.pk:
            raise HousekeepingError(_("You asked for this refund, so another finance officer must approve it."))
        if request.status != RefundRequest.Status.NEEDS_APPROVAL:
            raise HousekeepingError(_("This refund is not waiting for approval."))
        request.status, request.approved_by, request.decided_at = RefundRequest.Status.APPROVED, by, timezone.now()
        request.save(update_fields=["status", "approved_by", "decided_at"])
        audit(request, "donations.refundrequest.approve", user=by, data={"amount": str(request.amount)})
    return refund_request_send(request=request, by=by)


@transaction.atomic
def refund_request_reject(*, request, by, reason: str = "") -> RefundRequest:
    _require_finance(by)
    request = RefundRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != RefundRequest.Status.NEEDS_APPROVAL:
        raise HousekeepingError(_("This refund is not waiting for approval."))
    request.status, request.decided_at = RefundRequest.Status.REJECTED, timezone.now()
    request.error = reason[:1000]
    request.save(update_fields=["status", "decided_at", "error"])
    audit(request, "donations.refundrequest.reject", user=by, data={"reason": reason})
    return request


def refund_request_send(*, request, by=None) -> RefundRequest:
    """Call Stripe for an approved request (saved first; the same idempotency key on every retry), then post the
    refund through `donation_record_refund` with the charge Stripe returns (the webhook's later copy changes nothing)."""
    request = RefundRequest.objects.select_related("donation").get(pk=request.pk)
    if request.status != RefundRequest.Status.APPROVED:
        return request
    donation = request.donation
    try:
        refund = as_dict(
            refund_create(
                payment_intent=donation.stripe_payment_intent_id,
                amount=to_minor_units(request.amount, donation.currency),
                idempotency_key=f"refund-request-{request.idempotency_key}",
                metadata={"donation_id": str(donation.pk), "refund_request": str(request.pk)},
            )
        )
    except Exception as exc:  # noqa: BLE001 - Stripe's refusal (or an outage) is shown to finance, never a 500
        logger.warning("Refund request %s failed", request.pk, exc_info=True)
        RefundRequest.objects.filter(pk=request.pk).update(status=RefundRequest.Status.FAILED, error=str(exc)[:1000])
        request.refresh_from_db()
        return request
    with transaction.atomic():
        RefundRequest.objects.filter(pk=request.pk).update(
            status=RefundRequest.Status.SENT, stripe_refund_id=refund["id"], sent_at=timezone.now()
        )
        audit(request, "donations.refundrequest.sent", user=by, data={"refund": refund["id"]})
    charge = as_dict(charge_retrieve(refund["charge"]))
    services.donation_record_refund(charge=charge, by=by)
    request.refresh_from_db()
    return request
