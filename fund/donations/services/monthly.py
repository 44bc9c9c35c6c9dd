"""Monthly gifts: each paid invoice is one donation; the subscription's status and amount follow Stripe."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from portal.audit import audit
from portal.money import from_minor_units

from .. import accounting, fees
from ..models import Donation, Method, RecurringDonation
from ..stripe_client import as_dict
from .common import S, WaitForRecording, _after_recorded, _flag_mismatch, _invoice_intent


def subscription_id_of(invoice: dict) -> str | None:
    """The subscription an invoice belongs to (basil moved it under parent.subscription_details)."""
    if invoice.get("subscription"):
        sub = invoice["subscription"]
        return sub if isinstance(sub, str) else sub.get("id")
    details = (invoice.get("parent") or {}).get("subscription_details") or {}
    return details.get("subscription")


def donation_record_invoice(*, invoice, by=None, received_at=None) -> Donation:
    """Each paid invoice of a monthly gift is one donation, unique by invoice id. The first one is the checkout's.

    A renewal records what Stripe actually collected (the donor may have changed the amount in the customer portal),
    keeps the first gift's Gift Aid declaration (HMRC's wording covers future gifts) and anonymity, and is flagged for
    staff, not recorded, if its currency is not the monthly gift's."""
    invoice = as_dict(invoice)
    existing = Donation.objects.filter(stripe_invoice_id=invoice["id"]).first()
    if existing:
        return existing
    sub_id = subscription_id_of(invoice)
    recurring = (
        RecurringDonation.objects.filter(stripe_subscription_id=sub_id).select_related("donor").first()
        if sub_id
        else None
    )
    if recurring is None or invoice.get("billing_reason") == "subscription_create":
        # The first invoice is recorded with its Checkout Session; wait until that has happened.
        raise WaitForRecording(sub_id or invoice["id"])
    first = recurring.donations.order_by("pk").first()
    intent = invoice.get("payment_intent") or _invoice_intent(invoice["id"])
    amount = from_minor_units(invoice["amount_paid"], recurring.currency)
    fee = fees.processing_fee(amount)
    currency_ok = (invoice.get("currency") or "").lower() == recurring.currency.lower()
    with transaction.atomic():
        try:
            with transaction.atomic():
                donation = Donation.objects.create(
                    donor=recurring.donor,
                    fund=recurring.fund,
                    campaign=recurring.campaign,
                    recurring=recurring,
                    method=Method.STRIPE,
                    amount=amount,
                    currency=recurring.currency,
                    fee_covered=recurring.fee_covered,
                    fee_amount=fee,
                    net_amount=amount - fee,
                    status=S.SUCCEEDED if currency_ok else S.PENDING,
                    received_at=(received_at or timezone.now()) if currency_ok else None,
                    stripe_invoice_id=invoice["id"],
                    stripe_payment_intent_id=intent or None,
                    donor_name=recurring.donor.name,
                    donor_address=recurring.donor.address or (first.donor_address if first else ""),
                    anonymous=bool(first and first.anonymous),
                    gift_aid=bool(first and first.gift_aid),
                    gift_aid_declaration=first.gift_aid_declaration if first and first.gift_aid else "",
                    gift_aid_declared_at=first.gift_aid_declared_at if first and first.gift_aid else None,
                )
        except IntegrityError:
            return Donation.objects.get(stripe_invoice_id=invoice["id"])
        if not currency_ok:
            _flag_mismatch(
                donation,
                f"Invoice {invoice['id']} is in {invoice.get('currency')}; the monthly gift is in "
                f"{recurring.currency.lower()}. Not recorded.",
                by,
            )
            return donation
        if amount != recurring.amount:
            audit(
                recurring,
                "donations.recurring.amount",
                user=by,
                data={"was": str(recurring.amount), "paid": str(amount)},
            )
            RecurringDonation.objects.filter(pk=recurring.pk).update(amount=amount)
        accounting.post_online_gift(donation, by=by)
        audit(donation, "donations.donation.record", user=by, data={"invoice": invoice["id"]})
        _after_recorded(donation, [donation.stripe_payment_intent_id, f"invoice:{invoice['id']}"])
    return donation


SUBSCRIPTION_STATUS = {
    "active": RecurringDonation.Status.ACTIVE,
    "trialing": RecurringDonation.Status.ACTIVE,
    "past_due": RecurringDonation.Status.PAST_DUE,
    "unpaid": RecurringDonation.Status.PAST_DUE,
    "canceled": RecurringDonation.Status.CANCELED,
    "incomplete_expired": RecurringDonation.Status.CANCELED,
}


def _subscription_amount(subscription: dict, currency: str):
    """The monthly amount a subscription now charges (its one item's price times quantity), or None if unknown."""
    items = ((subscription.get("items") or {}).get("data")) or []
    if len(items) != 1:
        return None
    price = items[0].get("price") or {}
    if price.get("unit_amount") is None or (price.get("currency") or "").lower() != currency.lower():
        return None
    return from_minor_units(int(price["unit_amount"]) * int(items[0].get("quantity") or 1), currency)


def recurring_update_from_stripe(
    *, subscription_id: str, stripe_status: str, subscription: dict | None = None, by=None
) -> RecurringDonation:
    """Follow a subscription's status (active, past due, cancelled: a cancelled gift stays cancelled) and the amount
    the donor chose in the customer portal."""
    status = SUBSCRIPTION_STATUS.get(stripe_status)
    with transaction.atomic():
        recurring = RecurringDonation.objects.select_for_update().filter(stripe_subscription_id=subscription_id).first()
        if recurring is None:
            raise WaitForRecording(subscription_id)
        fields = []
        if status and recurring.status != status and recurring.status != RecurringDonation.Status.CANCELED:
            recurring.status = status
            recurring.canceled_at = timezone.now() if status == RecurringDonation.Status.CANCELED else None
            fields += ["status", "canceled_at"]
            audit(recurring, "donations.recurring.update", user=by, data={"status": status})
        amount = _subscription_amount(subscription or {}, recurring.currency)
        if amount is not None and amount > 0 and amount != recurring.amount:
            audit(
                recurring,
                "donations.recurring.amount",
                user=by,
                data={"was": str(recurring.amount), "now": str(amount)},
            )
            recurring.amount = amount
            fields.append("amount")
        if fields:
            recurring.save(update_fields=fields)
    return recurring
