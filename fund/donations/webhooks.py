"""Stripe webhooks: verify the signature on the raw body, store the event, then handle it (2xx only after commit).

Handlers are plain functions in one dict keyed by event type; each ends in an idempotent service function, so the same
event delivered twice (or racing the success redirect, or the reconciliation job) records the gift once.
"""

import json
import logging

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseNotAllowed
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from portal.audit import audit

from . import services
from .models import StripeEvent
from .stripe_client import checkout_session_retrieve

logger = logging.getLogger(__name__)


def _retrieved_session(obj):
    # Amount, currency and payment status come from Stripe itself, not from the event body.
    return checkout_session_retrieve(obj["id"])


def on_checkout_completed(obj, by=None):
    return services.donation_record_from_checkout(session=_retrieved_session(obj), by=by)


def on_async_payment_failed(obj, by=None):
    return services.donation_mark_payment_failed(session=_retrieved_session(obj), by=by)


def on_checkout_expired(obj, by=None):
    return services.donation_mark_expired(session=obj, by=by)


def on_invoice_paid(obj, by=None):
    return services.donation_record_invoice(invoice=obj, by=by)


def on_invoice_payment_failed(obj, by=None):
    sub = services._subscription_id(obj)
    if not sub:
        return None
    return services.recurring_update_from_stripe(subscription_id=sub, stripe_status="past_due", by=by)


def on_subscription_changed(obj, by=None):
    return services.recurring_update_from_stripe(subscription_id=obj["id"], stripe_status=obj.get("status", ""), by=by)


def on_charge_refunded(obj, by=None):
    return services.donation_record_refund(charge=obj, by=by)


def on_dispute(obj, by=None):
    return services.donation_record_dispute(dispute=obj, by=by)


HANDLERS = {
    "checkout.session.completed": on_checkout_completed,
    "checkout.session.async_payment_succeeded": on_checkout_completed,
    "checkout.session.async_payment_failed": on_async_payment_failed,
    "checkout.session.expired": on_checkout_expired,
    "invoice.paid": on_invoice_paid,
    "invoice.payment_failed": on_invoice_payment_failed,
    "customer.subscription.updated": on_subscription_changed,
    "customer.subscription.deleted": on_subscription_changed,
    "charge.refunded": on_charge_refunded,
    "charge.dispute.created": on_dispute,
    "charge.dispute.closed": on_dispute,
}


def stripe_event_store(*, event: dict) -> tuple[StripeEvent, bool]:
    """Store a verified event once (get-or-create under the unique event id)."""
    defaults = {"type": event.get("type", ""), "payload": event, "livemode": bool(event.get("livemode"))}
    try:
        with transaction.atomic():
            return StripeEvent.objects.get_or_create(event_id=event["id"], defaults=defaults)
    except IntegrityError:
        return StripeEvent.objects.get(event_id=event["id"]), False


def stripe_event_process(*, event: StripeEvent, by=None) -> str:
    """Handle a stored event. Returns "processed", "ignored", "deferred", "duplicate" or "failed"."""
    if event.processed_at:
        return "duplicate"
    handler = HANDLERS.get(event.type)
    now = timezone.now()
    if handler is None:
        StripeEvent.objects.filter(pk=event.pk, processed_at__isnull=True).update(processed_at=now, attempts=event.attempts + 1)
        return "ignored"
    try:
        handler(event.payload["data"]["object"], by=by)
    except services.UnknownSession as exc:
        # Not ours: acknowledge (so Stripe stops retrying) but keep the note; stripe_reconcile reports paid ones.
        StripeEvent.objects.filter(pk=event.pk, processed_at__isnull=True).update(
            processed_at=now, error=str(exc)[:2000], attempts=event.attempts + 1
        )
        return "ignored"
    except services.WaitForRecording as wait:
        StripeEvent.objects.filter(pk=event.pk, processed_at__isnull=True).update(
            deferred_key=wait.key[:120], error=str(wait), attempts=event.attempts + 1
        )
        return "deferred"
    except Exception as exc:  # recorded for staff; Stripe retries on our 5xx
        logger.exception("Stripe event %s (%s) failed", event.event_id, event.type)
        StripeEvent.objects.filter(pk=event.pk).update(error=f"{type(exc).__name__}: {exc}"[:2000], attempts=event.attempts + 1)
        return "failed"
    StripeEvent.objects.filter(pk=event.pk, processed_at__isnull=True).update(
        processed_at=timezone.now(), error="", deferred_key="", attempts=event.attempts + 1
    )
    return "processed"


def stripe_event_replay(*, event: StripeEvent, by) -> str:
    """Staff replay of a failed or parked event (from the admin)."""
    event.refresh_from_db()
    result = stripe_event_process(event=event, by=by)
    audit(event, "donations.stripeevent.replay", user=by, data={"result": result})
    return result


def replay_deferred(*, keys: list[str]):
    """Handle parked events that were waiting for one of `keys` (called after a gift is recorded)."""
    if not keys:
        return
    for event in StripeEvent.objects.filter(deferred_key__in=keys, processed_at__isnull=True).order_by("pk"):
        stripe_event_process(event=event)


@csrf_exempt
def stripe_webhook(request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    secret = settings.STRIPE_WEBHOOK_SECRET
    if not secret:
        return HttpResponse("Stripe webhooks are not configured.", status=503, content_type="text/plain")
    payload = request.body
    try:
        stripe.Webhook.construct_event(payload, request.headers.get("Stripe-Signature"), secret, tolerance=300)
    except (ValueError, stripe.SignatureVerificationError):
        return HttpResponseBadRequest("Invalid payload or signature.", content_type="text/plain")
    event_data = json.loads(payload)
    event, _created = stripe_event_store(event=event_data)
    result = stripe_event_process(event=event)
    status = 500 if result == "failed" else 200
    return HttpResponse(result, status=status, content_type="text/plain")
