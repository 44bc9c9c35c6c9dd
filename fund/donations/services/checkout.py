"""Starting a gift (pending donation, then the Checkout Session) and recording the completed session, once."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit import audit
from portal.i18n import supported_language
from portal.money import to_minor_units

from .. import accounting, fees, giftaid
from ..models import RECEIVED_STATUSES, Dedication, Donation, Method, RecurringDonation
from ..stripe_client import as_dict, checkout_session_create
from .common import (
    DonationError,
    S,
    UnknownSession,
    _after_recorded,
    _flag_mismatch,
    _invoice_intent,
    _remember_customer,
    logger,
)
from .donors import ADDRESS_FIELDS, donor_get_or_create


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
    language: str = "",
    by=None,
) -> Donation:
    """The pending donation (and monthly gift) a checkout will complete. Amounts and fee computed here, never by the client.
    `language` is the one the donor gave in (their receipts' language unless their account says otherwise)."""
    amounts = fees.checkout_amounts(gift, cover_fee=cover_fee)
    if campaign is not None and campaign.fund_id != fund.pk:
        raise DonationError(_("That campaign belongs to another fund."))
    user = by if getattr(by, "is_authenticated", False) else None
    with transaction.atomic():
        donor = donor_get_or_create(email=email, name=name, address=address, user=user, language=language)
        recurring = None
        if monthly:
            recurring = RecurringDonation.objects.create(
                donor=donor,
                fund=fund,
                campaign=campaign,
                amount=amounts["amount"],
                currency=fund.currency,
                fee_covered=cover_fee,
            )
        address_text = (
            "\n".join(v for v in [(address or {}).get(k, "") for k in ADDRESS_FIELDS[:5]] if v) or donor.address
        )
        gift_aid = bool(gift_aid and fund.jurisdiction == "UK")
        donation = Donation.objects.create(
            donor=donor,
            fund=fund,
            campaign=campaign,
            recurring=recurring,
            method=Method.STRIPE,
            amount=amounts["amount"],
            currency=fund.currency,
            fee_covered=cover_fee,
            fee_amount=amounts["fee"],
            net_amount=amounts["net"],
            anonymous=anonymous,
            dedication_type=dedication_type if dedication_type in Dedication.values else "",
            dedication_name=dedication_name if dedication_type else "",
            dedication_notify_email=dedication_notify_email if dedication_type else "",
            donor_name=name,
            donor_address=address_text,
            gift_aid=gift_aid,
            gift_aid_declaration=giftaid.declaration_text(charity_name=fund.legal_name or fund.name)
            if gift_aid
            else "",
            gift_aid_declared_at=timezone.now() if gift_aid else None,
            language=supported_language(language),
        )
        audit(
            donation, "donations.donation.start", user=user, data={"amount": str(donation.amount), "monthly": monthly}
        )
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
        Donation.objects.filter(pk=donation.pk, status=S.PENDING).update(
            status=S.CANCELED, mismatch_note=str(exc)[:500]
        )
        raise DonationError(
            _("We could not reach our payment processor. Nothing was charged; please try again.")
        ) from exc
    donation.stripe_checkout_session_id = session["id"]
    donation.save(update_fields=["stripe_checkout_session_id"])
    return donation, session["url"]


def _locked_donation_for_session(session: dict) -> Donation:
    ref = session.get("client_reference_id") or (session.get("metadata") or {}).get("donation_id")
    qs = Donation.objects.select_for_update()
    try:
        if ref and str(ref).isdigit():
            return qs.get(pk=int(ref))
        return qs.get(stripe_checkout_session_id=session["id"])
    except Donation.DoesNotExist:
        raise UnknownSession(
            f"No donation for Checkout Session {session.get('id')} (client_reference_id={ref!r})."
        ) from None


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
            _flag_mismatch(
                donation,
                f"Session {session['id']} claims donation {donation.pk} of session "
                f"{donation.stripe_checkout_session_id}.",
                by,
            )
            return donation
        if (
            session.get("amount_total") != expected
            or (session.get("currency") or "").lower() != donation.currency.lower()
        ):
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
        audit(
            donation,
            "donations.donation.record",
            user=by,
            data={"amount": str(donation.amount), "session": session["id"]},
        )
        _after_recorded(
            donation,
            [
                f"donation:{donation.pk}",
                donation.stripe_payment_intent_id,
                session.get("subscription"),
                f"invoice:{session['invoice']}" if session.get("invoice") else "",
            ],
        )
    return donation


def _pending_donation_ends(session, *, status, action: str, by=None) -> Donation:
    session = as_dict(session)
    with transaction.atomic():
        donation = _locked_donation_for_session(session)
        if donation.status != S.PENDING:
            return donation
        donation.status = status
        donation.save(update_fields=["status"])
        audit(donation, action, user=by)
    return donation


def donation_mark_payment_failed(*, session, by=None) -> Donation:
    """A delayed payment method (e.g. a bank debit) failed: the pending gift ends as failed; nothing was received."""
    return _pending_donation_ends(session, status=S.FAILED, action="donations.donation.fail", by=by)


def donation_mark_expired(*, session, by=None) -> Donation:
    """The donor never paid and Stripe expired the session: the pending gift ends as cancelled."""
    return _pending_donation_ends(session, status=S.CANCELED, action="donations.donation.expire", by=by)
