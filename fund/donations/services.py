"""Every write about online gifts: starting a checkout and recording what Stripe tells us, exactly once.

The webhook, the success redirect and `stripe_reconcile` all end in the same functions. Each re-reads the donation under
`select_for_update`, returns early when the work is already done, and relies on unique Stripe ids and the ledger's
one-posting-per-source constraint as the backstop. Events that arrive before the gift they refer to raise
`WaitForRecording`; the webhook layer parks them and replays them when the gift is recorded.
"""

import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit import audit
from portal.emails import send_email_on_commit
from portal.money import from_minor_units, to_minor_units

from . import accounting, fees, giftaid
from .conf import stripe_configured
from .models import (
    RECEIVED_STATUSES,
    Dedication,
    Donation,
    DonationAdjustment,
    DonationStatus,
    Donor,
    Method,
    RecurringDonation,
)
from .signals import send_totals_changed_on_commit
from .stripe_client import as_dict, checkout_session_create, invoice_id_for_payment_intent, invoice_payment_intent_id

logger = logging.getLogger(__name__)
S = DonationStatus


class DonationError(Exception):
    pass


class UnknownSession(DonationError):
    """A Checkout Session that is not one of our gifts (e.g. another integration on the same Stripe account)."""


class WaitForRecording(Exception):
    """The event refers to a gift not recorded yet; `key` names what to wait for."""

    def __init__(self, key: str):
        super().__init__(f"waiting for {key}")
        self.key = key


# --- Donors -----------------------------------------------------------------------------------------------------------

ADDRESS_FIELDS = ["address_line1", "address_line2", "city", "region", "postal_code", "country"]


def donor_get_or_create(*, email: str, name: str, address: dict | None = None, user=None) -> Donor:
    """One donor per email. A stranger giving with someone's email never overwrites that donor's saved address."""
    email = email.strip().lower()
    address = {k: v for k, v in (address or {}).items() if k in ADDRESS_FIELDS and v}
    try:
        with transaction.atomic():
            donor, created = Donor.objects.get_or_create(email=email, defaults={"name": name, "user": user, **address})
    except IntegrityError:
        donor, created = Donor.objects.get(email=email), False
    if not created and address and not donor.address_line1:
        for key, value in address.items():
            setattr(donor, key, value)
        donor.save(update_fields=list(address))
    return donor


def donor_update_address(*, donor: Donor, by, name: str, address: dict) -> Donor:
    with transaction.atomic():
        donor = Donor.objects.select_for_update().get(pk=donor.pk)
        donor.name = name
        for key in ADDRESS_FIELDS:
            setattr(donor, key, address.get(key, ""))
        donor.full_clean()
        donor.save(update_fields=["name", *ADDRESS_FIELDS])
        audit(donor, "donations.donor.update", user=by)
    return donor


def donor_link_user(*, donor: Donor, user) -> Donor:
    """Attach a signed-in user (whose verified email is the donor's) to the donor record."""
    with transaction.atomic():
        donor = Donor.objects.select_for_update().get(pk=donor.pk)
        if donor.user_id is None:
            donor.user = user
            donor.save(update_fields=["user"])
    return donor


# --- Starting a gift --------------------------------------------------------------------------------------------------


def donation_create_pending(
    *,
    fund,
    campaign=None,
    gift,
    cover_fee: bool,
    monthly: bool,
    email: str,
    name: str,
    address: dict | None = None,
    anonymous: bool = False,
    dedication_type: str = "",
    dedication_name: str = "",
    dedication_notify_email: str = "",
    gift_aid: bool = False,
    by=None,
) -> Donation:
    """The pending donation (and monthly gift) a checkout will complete. Amounts and fee computed here, never by the client."""
    amounts = fees.checkout_amounts(gift, cover_fee=cover_fee)
    if campaign is not None and campaign.fund_id != fund.pk:
        raise DonationError(_("That campaign belongs to another fund."))
    user = by if getattr(by, "is_authenticated", False) else None
    with transaction.atomic():
        donor = donor_get_or_create(email=email, name=name, address=address, user=user)
        recurring = None
        if monthly:
            recurring = RecurringDonation.objects.create(
                donor=donor, fund=fund, campaign=campaign, amount=amounts["amount"], currency=fund.currency, fee_covered=cover_fee
            )
        address_text = "\n".join(
            v for v in [(address or {}).get(k, "") for k in ADDRESS_FIELDS[:5]] if v
        ) or donor.address
        gift_aid = bool(gift_aid and fund.jurisdiction == "UK")
        donation = Donation.objects.create(
            donor=donor, fund=fund, campaign=campaign, recurring=recurring, method=Method.STRIPE,
            amount=amounts["amount"], currency=fund.currency, fee_covered=cover_fee,
            fee_amount=amounts["fee"], net_amount=amounts["net"], anonymous=anonymous,
            dedication_type=dedication_type if dedication_type in Dedication.values else "",
            dedication_name=dedication_name if dedication_type else "",
            dedication_notify_email=dedication_notify_email if dedication_type else "",
            donor_name=name, donor_address=address_text, gift_aid=gift_aid,
            gift_aid_declaration=giftaid.declaration_text(charity_name=fund.legal_name or fund.name) if gift_aid else "",
            gift_aid_declared_at=timezone.now() if gift_aid else None,
        )
        audit(donation, "donations.donation.start", user=user, data={"amount": str(donation.amount), "monthly": monthly})
    return donation


def donation_start_checkout(*, monthly: bool, by=None, **kwargs) -> tuple[Donation, str]:
    """Save a pending donation, then create its Checkout Session (idempotency key from our id). Returns (donation, url).

    The pending row is committed before Stripe is called (DESIGN: state before external calls); a retry of the same
    donation reuses the same idempotency key and so the same session."""
    donation = donation_create_pending(monthly=monthly, by=by, **kwargs)
    try:
        session = checkout_session_create(donation, monthly=monthly)
    except Exception as exc:
        logger.exception("Checkout Session creation failed for donation %s", donation.pk)
        Donation.objects.filter(pk=donation.pk, status=S.PENDING).update(status=S.CANCELED, mismatch_note=str(exc)[:500])
        raise DonationError(_("We could not reach our payment processor. Nothing was charged; please try again.")) from exc
    donation.stripe_checkout_session_id = session["id"]
    donation.save(update_fields=["stripe_checkout_session_id"])
    return donation, session["url"]


# --- Recording ------------------------------------------------------------------------------------------------------


def _locked_donation_for_session(session: dict) -> Donation:
    ref = session.get("client_reference_id") or (session.get("metadata") or {}).get("donation_id")
    qs = Donation.objects.select_for_update()
    try:
        if ref and str(ref).isdigit():
            return qs.get(pk=int(ref))
        return qs.get(stripe_checkout_session_id=session["id"])
    except Donation.DoesNotExist:
        raise UnknownSession(f"No donation for Checkout Session {session.get('id')} (client_reference_id={ref!r}).") from None


def _flag_mismatch(donation: Donation, note: str, by=None):
    donation.amount_mismatch = True
    donation.mismatch_note = note
    donation.save(update_fields=["amount_mismatch", "mismatch_note"])
    audit(donation, "donations.donation.mismatch", user=by, data={"note": note})
    send_email_on_commit(
        template="donations/staff_mismatch",
        to=[settings.STAFF_NOTIFICATION_EMAIL],
        context={"donation_id": donation.pk, "note": note},
    )


def _after_recorded(donation: Donation, keys: list[str]):
    from .tasks import receipt_issue_task
    from .webhooks import replay_deferred

    donation_id = donation.pk
    keys = [k for k in keys if k]
    # Parked events first (e.g. a refund that arrived early), so the receipt reflects them.
    transaction.on_commit(lambda: replay_deferred(keys=keys))
    transaction.on_commit(lambda: receipt_issue_task.enqueue(donation_id))
    send_totals_changed_on_commit(donation)
    if donation.dedication_type and donation.dedication_notify_email:
        # The person told about a dedication learns who gave (unless anonymous) and in whose name, never the amount.
        send_email_on_commit(
            template="donations/dedication",
            to=[donation.dedication_notify_email],
            context={
                "giver": _("Someone who wishes to stay anonymous") if donation.anonymous else (donation.donor_name or donation.donor.name),
                "dedication": str(donation.get_dedication_type_display()).lower(),
                "dedicated_to": donation.dedication_name,
                "campaign": donation.campaign.title if donation.campaign_id else "",
            },
        )


def donation_record_from_checkout(*, session, by=None, received_at=None) -> Donation:
    """Record a completed Checkout Session as a received gift, once.

    Amount and currency must match what we asked for; a mismatch is flagged for staff and nothing is recorded.
    A session still waiting for an asynchronous payment keeps the donation pending.
    """
    session = as_dict(session)
    intent = session.get("payment_intent") or _invoice_intent(session.get("invoice"))
    with transaction.atomic():
        donation = _locked_donation_for_session(session)
        if donation.status in RECEIVED_STATUSES or donation.amount_mismatch:
            return donation
        if donation.status in (S.FAILED,):
            return donation
        expected = to_minor_units(donation.amount, donation.currency)
        if donation.stripe_checkout_session_id and donation.stripe_checkout_session_id != session["id"]:
            _flag_mismatch(donation, f"Session {session['id']} claims donation {donation.pk} of session "
                           f"{donation.stripe_checkout_session_id}.", by)
            return donation
        if session.get("amount_total") != expected or (session.get("currency") or "").lower() != donation.currency.lower():
            _flag_mismatch(
                donation,
                f"Stripe session {session['id']} is {session.get('amount_total')} {session.get('currency')}; "
                f"we expected {expected} {donation.currency.lower()}.",
                by,
            )
            return donation
        fields = ["stripe_checkout_session_id", "stripe_payment_intent_id", "stripe_invoice_id"]
        donation.stripe_checkout_session_id = session["id"]
        donation.stripe_payment_intent_id = intent or donation.stripe_payment_intent_id
        donation.stripe_invoice_id = session.get("invoice") or donation.stripe_invoice_id
        _remember_customer(donation.donor_id, session.get("customer"))
        if session.get("payment_status") not in ("paid", "no_payment_required"):
            donation.save(update_fields=fields)
            return donation
        donation.status = S.SUCCEEDED
        donation.received_at = received_at or timezone.now()
        donation.save(update_fields=[*fields, "status", "received_at"])
        if donation.recurring_id and session.get("subscription"):
            RecurringDonation.objects.filter(pk=donation.recurring_id).update(
                stripe_subscription_id=session["subscription"], status=RecurringDonation.Status.ACTIVE
            )
        accounting.post_online_gift(donation, by=by)
        audit(donation, "donations.donation.record", user=by, data={"amount": str(donation.amount), "session": session["id"]})
        _after_recorded(donation, [f"donation:{donation.pk}", donation.stripe_payment_intent_id, session.get("subscription"),
                                   f"invoice:{session['invoice']}" if session.get("invoice") else ""])
    return donation


def _invoice_intent(invoice_id) -> str | None:
    """The PaymentIntent of a monthly gift's invoice, asked of Stripe (the invoice no longer names it). A lookup that
    fails never stops a gift being recorded: a later refund finds the gift through Stripe instead."""
    if not invoice_id or not stripe_configured():
        return None
    try:
        return invoice_payment_intent_id(invoice_id)
    except Exception:
        logger.warning("Could not look up the PaymentIntent of invoice %s", invoice_id, exc_info=True)
        return None


def _remember_customer(donor_id, customer_id):
    if customer_id and not Donor.objects.filter(stripe_customer_id=customer_id).exists():
        Donor.objects.filter(pk=donor_id, stripe_customer_id__isnull=True).update(stripe_customer_id=customer_id)


def donation_mark_payment_failed(*, session, by=None) -> Donation:
    session = as_dict(session)
    with transaction.atomic():
        donation = _locked_donation_for_session(session)
        if donation.status != S.PENDING:
            return donation
        donation.status = S.FAILED
        donation.save(update_fields=["status"])
        audit(donation, "donations.donation.fail", user=by)
    return donation


def donation_mark_expired(*, session, by=None) -> Donation:
    session = as_dict(session)
    with transaction.atomic():
        donation = _locked_donation_for_session(session)
        if donation.status != S.PENDING:
            return donation
        donation.status = S.CANCELED
        donation.save(update_fields=["status"])
        audit(donation, "donations.donation.expire", user=by)
    return donation


# --- Monthly gifts --------------------------------------------------------------------------------------------------


def _subscription_id(invoice: dict) -> str | None:
    if invoice.get("subscription"):
        sub = invoice["subscription"]
        return sub if isinstance(sub, str) else sub.get("id")
    details = ((invoice.get("parent") or {}).get("subscription_details") or {})
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
    sub_id = _subscription_id(invoice)
    recurring = RecurringDonation.objects.filter(stripe_subscription_id=sub_id).select_related("donor").first() if sub_id else None
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
                    donor=recurring.donor, fund=recurring.fund, campaign=recurring.campaign, recurring=recurring,
                    method=Method.STRIPE, amount=amount, currency=recurring.currency, fee_covered=recurring.fee_covered,
                    fee_amount=fee, net_amount=amount - fee, status=S.SUCCEEDED if currency_ok else S.PENDING,
                    received_at=(received_at or timezone.now()) if currency_ok else None,
                    stripe_invoice_id=invoice["id"], stripe_payment_intent_id=intent or None,
                    donor_name=recurring.donor.name, donor_address=recurring.donor.address or (first.donor_address if first else ""),
                    anonymous=bool(first and first.anonymous),
                    gift_aid=bool(first and first.gift_aid),
                    gift_aid_declaration=first.gift_aid_declaration if first and first.gift_aid else "",
                    gift_aid_declared_at=first.gift_aid_declared_at if first and first.gift_aid else None,
                )
        except IntegrityError:
            return Donation.objects.get(stripe_invoice_id=invoice["id"])
        if not currency_ok:
            _flag_mismatch(donation, f"Invoice {invoice['id']} is in {invoice.get('currency')}; the monthly gift is in "
                                     f"{recurring.currency.lower()}. Not recorded.", by)
            return donation
        if amount != recurring.amount:
            audit(recurring, "donations.recurring.amount", user=by, data={"was": str(recurring.amount), "paid": str(amount)})
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


def recurring_update_from_stripe(*, subscription_id: str, stripe_status: str, subscription: dict | None = None,
                                 by=None) -> RecurringDonation:
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
            audit(recurring, "donations.recurring.amount", user=by, data={"was": str(recurring.amount), "now": str(amount)})
            recurring.amount = amount
            fields.append("amount")
        if fields:
            recurring.save(update_fields=fields)
    return recurring


# --- Refunds and disputes -------------------------------------------------------------------------------------------


def _donation_for_charge(charge: dict) -> Donation:
    qs = Donation.objects.all()
    for field, value in (
        ("stripe_charge_id", charge.get("id") if str(charge.get("id", "")).startswith(("ch_", "py_")) else None),
        ("stripe_charge_id", charge.get("charge")),
        ("stripe_payment_intent_id", charge.get("payment_intent")),
        ("stripe_invoice_id", charge.get("invoice")),
    ):
        if value:
            found = qs.filter(**{field: value}).first()
            if found:
                return found
    ref = (charge.get("metadata") or {}).get("donation_id")
    if ref and str(ref).isdigit():
        found = qs.filter(pk=int(ref)).first()
        if found:
            return found
    intent = charge.get("payment_intent")
    if intent:
        # A monthly gift recorded before its PaymentIntent was known: Stripe knows which invoice it paid.
        invoice_id = invoice_id_for_payment_intent(intent)
        found = qs.filter(stripe_invoice_id=invoice_id).first() if invoice_id else None
        if found:
            if not found.stripe_payment_intent_id:
                Donation.objects.filter(pk=found.pk, stripe_payment_intent_id__isnull=True).update(stripe_payment_intent_id=intent)
            return found
        if invoice_id:
            raise WaitForRecording(f"invoice:{invoice_id}")
    raise WaitForRecording(intent or charge.get("charge") or charge["id"])


def _sync_receipt_on_commit(donation):
    from .tasks import receipt_sync_task

    donation_id = donation.pk
    transaction.on_commit(lambda: receipt_sync_task.enqueue(donation_id))


def donation_record_refund(*, charge, by=None) -> Donation:
    """Refunds arrive as the charge's cumulative refunded amount; post only the part not yet posted."""
    charge = as_dict(charge)
    found = _donation_for_charge(charge)
    with transaction.atomic():
        donation = Donation.objects.select_for_update().get(pk=found.pk)
        if donation.status not in RECEIVED_STATUSES:
            raise WaitForRecording(f"donation:{donation.pk}")
        cumulative = min(from_minor_units(charge["amount_refunded"], donation.currency), donation.amount)
        if cumulative <= donation.refunded_amount:
            return donation
        adjustment = DonationAdjustment.objects.create(
            donation=donation, kind=DonationAdjustment.Kind.REFUND, amount=cumulative - donation.refunded_amount,
            stripe_ref=f"{charge['id']}:{charge['amount_refunded']}",
        )
        accounting.post_adjustment(adjustment, by=by)
        donation.refunded_amount = cumulative
        donation.stripe_charge_id = donation.stripe_charge_id or charge["id"]
        if donation.status != S.DISPUTED:
            donation.status = S.REFUNDED if cumulative >= donation.amount else S.PARTIALLY_REFUNDED
        donation.save(update_fields=["refunded_amount", "stripe_charge_id", "status"])
        audit(donation, "donations.donation.refund", user=by, data={"refunded": str(cumulative)})
        send_totals_changed_on_commit(donation)
        _sync_receipt_on_commit(donation)
    return donation


def donation_record_dispute(*, dispute, by=None) -> Donation:
    """A dispute opens (status disputed) and closes: won restores the gift, lost posts the loss once."""
    dispute = as_dict(dispute)
    found = _donation_for_charge(dispute)
    with transaction.atomic():
        donation = Donation.objects.select_for_update().get(pk=found.pk)
        if donation.status not in RECEIVED_STATUSES:
            raise WaitForRecording(f"donation:{donation.pk}")
        outcome = dispute.get("status", "")
        fields = ["dispute_status", "status"]
        donation.dispute_status = outcome
        if dispute.get("charge") and not donation.stripe_charge_id:
            donation.stripe_charge_id = dispute["charge"]
            fields.append("stripe_charge_id")
        if outcome == "lost":
            amount = min(from_minor_units(dispute["amount"], donation.currency), donation.amount - donation.refunded_amount)
            if amount > 0 and not DonationAdjustment.objects.filter(kind="dispute_lost", stripe_ref=dispute["id"]).exists():
                adjustment = DonationAdjustment.objects.create(
                    donation=donation, kind=DonationAdjustment.Kind.DISPUTE_LOST, amount=amount, stripe_ref=dispute["id"]
                )
                accounting.post_adjustment(adjustment, by=by)
                donation.refunded_amount += amount
                fields.append("refunded_amount")
                _sync_receipt_on_commit(donation)
            donation.status = S.REFUNDED if donation.refunded_amount >= donation.amount else S.DISPUTED
        elif outcome in ("won", "warning_closed"):  # won, or an inquiry closed without becoming a chargeback
            donation.status = S.PARTIALLY_REFUNDED if donation.refunded_amount > 0 else S.SUCCEEDED
        else:
            donation.status = S.DISPUTED
        donation.save(update_fields=fields)
        audit(donation, "donations.donation.dispute", user=by, data={"dispute": dispute["id"], "status": outcome})
        send_totals_changed_on_commit(donation)
    return donation


