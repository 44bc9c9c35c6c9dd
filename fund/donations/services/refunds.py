"""Refunds and disputes: posted once, in the part not yet posted, to the gift they belong to."""

from django.db import transaction

from portal.audit import audit
from portal.money import ZERO, from_minor_units, to_minor_units

from .. import accounting
from ..models import RECEIVED_STATUSES, Donation, DonationAdjustment
from ..signals import send_totals_changed_on_commit
from ..stripe_client import as_dict, invoice_id_for_payment_intent
from .common import S, WaitForRecording, _sync_receipt_on_commit


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
                Donation.objects.filter(pk=found.pk, stripe_payment_intent_id__isnull=True).update(
                    stripe_payment_intent_id=intent
                )
            return found
        if invoice_id:
            raise WaitForRecording(f"invoice:{invoice_id}")
    raise WaitForRecording(intent or charge.get("charge") or charge["id"])


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
            donation=donation,
            kind=DonationAdjustment.Kind.REFUND,
            amount=cumulative - donation.refunded_amount,
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


def _dispute_movements(dispute) -> list[dict]:
    """The dispute's balance transactions (withdrawal, reinstatement) as Stripe lists them on the dispute."""
    movements = []
    for bt in dispute.get("balance_transactions") or []:
        bt = as_dict(bt) if not isinstance(bt, dict) else bt
        if bt.get("id") and bt.get("amount"):
            movements.append(bt)
    return movements


def _record_movement(donation, bt, *, by):
    """Post one withdrawal (the amount and the dispute fee, as the dispute opens) or reinstatement (won), once."""
    kind = DonationAdjustment.Kind.DISPUTE_OPENED if bt["amount"] < 0 else DonationAdjustment.Kind.DISPUTE_WON
    if DonationAdjustment.objects.filter(kind=kind, stripe_ref=bt["id"]).exists():
        return None
    adjustment = DonationAdjustment.objects.create(
        donation=donation,
        kind=kind,
        amount=from_minor_units(abs(bt["amount"]), donation.currency),
        fee=from_minor_units(bt.get("fee") or 0, donation.currency),
        stripe_ref=bt["id"],
    )
    accounting.post_adjustment(adjustment, by=by)
    return adjustment


def _withdrawn(donation):
    """What Stripe still holds back for this gift's disputes: withdrawn less reinstated (and less posted losses)."""
    total = ZERO
    for kind, amount in donation.adjustments.values_list("kind", "amount"):
        if kind == DonationAdjustment.Kind.DISPUTE_OPENED:
            total += amount
        elif kind in (DonationAdjustment.Kind.DISPUTE_WON, DonationAdjustment.Kind.DISPUTE_LOST):
            total -= amount
    return total


def donation_record_dispute(*, dispute, by=None) -> Donation:
    """A dispute opens, has its funds withdrawn or reinstated, and closes. Stripe withdraws the disputed amount and its
    dispute fee when the dispute opens (an inquiry withdraws nothing): posted then, from the dispute's balance
    transactions (Dr disputed funds / Cr clearing; fee Dr fees / Cr clearing). Won: the reinstatement goes back to
    clearing. Lost: what is still withdrawn becomes a dispute loss (Dr dispute losses / Cr disputed funds). Every
    movement is posted once whichever event (or the payout import) brings it."""
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
        for bt in _dispute_movements(dispute):
            _record_movement(donation, bt, by=by)
        if outcome == "won" and _withdrawn(donation) > ZERO and not _dispute_movements(dispute):
            # Won without the reinstatement listed (an older payload): reinstate what was withdrawn.
            _record_movement(
                donation,
                {"id": f"{dispute['id']}:won", "amount": to_minor_units(_withdrawn(donation), donation.currency)},
                by=by,
            )
        if outcome == "lost":
            held = _withdrawn(donation)
            legacy = not donation.adjustments.filter(kind=DonationAdjustment.Kind.DISPUTE_OPENED).exists()
            amount = min(
                from_minor_units(dispute["amount"], donation.currency) if legacy else held,
                donation.amount - donation.refunded_amount,
            )
            if (
                amount > 0
                and not DonationAdjustment.objects.filter(kind="dispute_lost", stripe_ref=dispute["id"]).exists()
            ):
                adjustment = DonationAdjustment.objects.create(
                    donation=donation,
                    kind=DonationAdjustment.Kind.DISPUTE_LOST,
                    amount=amount,
                    stripe_ref=dispute["id"],
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
