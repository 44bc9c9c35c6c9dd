"""Stripe webhooks: verify the signature on the raw body, store the event, answer 2xx; the events consumer records it.

The stored events are an inbox. The view does only what must happen before Stripe hears "received": verify the
signature and insert the event under its unique id (one statement, committed when it returns). Recording the gift,
which re-reads the Checkout Session from Stripe, posts to the ledger and queues the receipt, is done by the events
consumer (`manage.py stripe_process_events --loop`, supervised beside the task worker) within a second, as Stripe
advises ("return 2xx before any complex logic"). Nothing is lost in between: the event is committed before the 2xx, a
failed one is tried again with backoff until RETRY_LIMIT attempts, and then staff are told and can replay it.

Handlers are plain functions in one dict keyed by event type; each ends in an idempotent service function, so the same
event delivered twice (or racing the success redirect, or the reconciliation job) records the gift once.
"""

import json
import logging
import time
from datetime import timedelta

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.db.models.constants import OnConflict
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseNotAllowed
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from portal.audit import audit
from portal.emails import send_email_on_commit

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
    sub = services.subscription_id_of(obj)
    if not sub:
        return None
    return services.recurring_update_from_stripe(subscription_id=sub, stripe_status="past_due", by=by)


def on_subscription_changed(obj, by=None):
    return services.recurring_update_from_stripe(
        subscription_id=obj["id"], stripe_status=obj.get("status", ""), subscription=obj, by=by
    )


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
    "charge.dispute.funds_withdrawn": on_dispute,
    "charge.dispute.funds_reinstated": on_dispute,
    "charge.dispute.updated": on_dispute,
}


def stripe_event_receive(*, event: dict) -> None:
    """Store a verified event under its unique event id, or nothing if it was stored before (a redelivery).

    One INSERT ... ON CONFLICT DO NOTHING (SQLite: INSERT OR IGNORE), committed when it returns in the webhook's
    autocommit: no read before it, no BEGIN/COMMIT around it, and a duplicate raises no error (PostgreSQL would log
    each one). It is the insert bulk_create(ignore_conflicts=True) makes, without the transaction bulk_create opens."""
    new = StripeEvent(
        event_id=event["id"], type=event.get("type", ""), payload=event, livemode=bool(event.get("livemode"))
    )
    fields = [f for f in StripeEvent._meta.local_concrete_fields if not f.primary_key]
    StripeEvent._base_manager._insert([new], fields=fields, on_conflict=OnConflict.IGNORE)


def stripe_event_store(*, event: dict) -> tuple[StripeEvent, bool]:
    """Get or create the stored event (reconciliation wants the row either way). Returns (event, created).
    Inside someone's transaction the insert takes a savepoint, so a duplicate key cannot break that transaction."""
    found = StripeEvent.objects.filter(event_id=event["id"]).first()
    if found is not None:
        return found, False
    new = StripeEvent(
        event_id=event["id"], type=event.get("type", ""), payload=event, livemode=bool(event.get("livemode"))
    )
    try:
        with transaction.atomic():
            new.save(force_insert=True)
    except IntegrityError:  # a concurrent delivery stored it first
        return StripeEvent.objects.get(event_id=event["id"]), False
    return new, True


RETRY_LIMIT = 8  # attempts before an event is left to staff: the last one runs about four hours after it arrived


def retry_delay(attempts: int) -> timedelta:
    """How long after failed attempt number `attempts` the next one waits: 2, 4, 8 ... 128 minutes (about four hours
    from the first failure to the last attempt)."""
    return timedelta(minutes=2**attempts)


def _attempted(event: StripeEvent, **fields) -> int:
    """Count one attempt (F() so that racing attempts are all counted), save what it found and let go of the claim."""
    return StripeEvent.objects.filter(pk=event.pk, processed_at__isnull=True).update(
        attempts=F("attempts") + 1, claimed_until=None, **fields
    )


def stripe_event_process(*, event: StripeEvent, by=None) -> str:
    """Handle a stored event. Returns "processed", "ignored", "deferred", "duplicate" or "failed"."""
    if event.processed_at:
        return "duplicate"
    handler = HANDLERS.get(event.type)
    if handler is None:
        _attempted(event, processed_at=timezone.now())
        return "ignored"
    try:
        handler(event.payload["data"]["object"], by=by)
    except services.UnknownSession as exc:
        # Not ours: acknowledged, with the note kept; stripe_reconcile reports paid ones.
        _attempted(event, processed_at=timezone.now(), error=str(exc)[:2000])
        return "ignored"
    except services.WaitForRecording as wait:
        _attempted(event, deferred_key=wait.key[:120], error=str(wait))
        return "deferred"
    except Exception as exc:  # kept for the consumer's retries and for staff
        logger.exception("Stripe event %s (%s) failed", event.event_id, event.type)
        _attempted(
            event,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            next_attempt_at=timezone.now() + retry_delay(event.attempts + 1),
        )
        if event.attempts + 1 == RETRY_LIMIT:
            send_email_on_commit(
                template="donations/staff_event_failed",
                to=[settings.STAFF_NOTIFICATION_EMAIL],
                context={
                    "event_id": event.event_id,
                    "type": event.type,
                    "attempts": RETRY_LIMIT,
                    "error": str(exc)[:500],
                },
            )
        return "failed"
    _attempted(event, processed_at=timezone.now(), error="", deferred_key="", next_attempt_at=None)
    return "processed"


CLAIM_SECONDS = 120  # longer than any one event takes (one Stripe read with the client's retries, one transaction)
CLAIM_BATCH = 10  # small, so several consumers share a burst


def _due(now):
    return StripeEvent.objects.filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
        processed_at__isnull=True,
        deferred_key="",
        attempts__lt=RETRY_LIMIT,
        received_at__lte=now,
    )


def stripe_events_due(*, now=None, limit: int = 100) -> list[int]:
    """The next due events, oldest first: new ones, and failed ones whose backoff has passed (not the ones parked until
    their gift is recorded). The partial index on unfinished events keeps this cheap however many have been handled."""
    now = now or timezone.now()
    due = _due(now).order_by("received_at", "pk")
    return list(due.values_list("pk", flat=True)[:limit])


def stripe_events_claim(*, now=None, limit: int = CLAIM_BATCH) -> list[int]:
    """Claim the next due events for this consumer, so any number of consumers never handle one event twice.

    PostgreSQL: SELECT ... FOR UPDATE SKIP LOCKED, so consumers claiming at the same moment take different rows
    without waiting; then the claim is written (`claimed_until`) and committed at once, so the lock is short. SQLite:
    the transaction takes the database's write lock when it begins (IMMEDIATE), so claims are serial and the same
    filter is correct. A claim lapses after CLAIM_SECONDS: a consumer killed mid-event lets another take it."""
    now = now or timezone.now()
    with transaction.atomic():
        pks = list(
            _due(now)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
            .order_by("received_at", "pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:limit]
        )
        if pks:
            StripeEvent.objects.filter(pk__in=pks).update(claimed_until=now + timedelta(seconds=CLAIM_SECONDS))
    return pks


def stripe_events_process_due(*, now=None, limit: int = 100) -> dict:
    """One pass of the consumer: claim due events in small batches and handle each once. Returns counts by result
    ({} when nothing was due)."""
    counts = {}
    handled = 0
    while handled < limit:
        pks = stripe_events_claim(now=now, limit=min(CLAIM_BATCH, limit - handled))
        if not pks:
            break
        for pk in pks:
            event = StripeEvent.objects.filter(pk=pk, processed_at__isnull=True).first()
            if event is not None:
                result = stripe_event_process(event=event)
                counts[result] = counts.get(result, 0) + 1
        handled += len(pks)
    return counts


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


WEBHOOK_TOLERANCE = 300  # seconds either side of now


def _signed_at(header: str) -> int:
    """The `t=` timestamp of a Stripe-Signature header (verify_header has already checked it is there)."""
    for item in header.split(","):
        key, _sep, value = item.strip().partition("=")
        if key == "t":
            return int(value)
    raise ValueError("no timestamp in the signature")


@csrf_exempt
def stripe_webhook(request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    secret = settings.STRIPE_WEBHOOK_SECRET
    if not secret:
        return HttpResponse("Stripe webhooks are not configured.", status=503, content_type="text/plain")
    payload = request.body
    try:
        # The check inside stripe.Webhook.construct_event (HMAC-SHA256 of "timestamp.raw body", 300 s tolerance),
        # without building the StripeObject tree construct_event returns: we store the plain JSON.
        header = request.headers.get("Stripe-Signature")
        stripe.WebhookSignature.verify_header(payload.decode("utf-8"), header, secret, tolerance=WEBHOOK_TOLERANCE)
        # Stripe's check applies the tolerance to the past only: a signature dated in the future is refused too.
        if _signed_at(header) > time.time() + WEBHOOK_TOLERANCE:
            raise ValueError("signature timestamp in the future")
        event_data = json.loads(payload)
        if not isinstance(event_data, dict) or not isinstance(event_data.get("id"), str) or "type" not in event_data:
            raise ValueError("not a Stripe event")
    except (ValueError, stripe.SignatureVerificationError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        return HttpResponseBadRequest("Invalid payload or signature.", content_type="text/plain")
    stripe_event_receive(event=event_data)
    # Stored and committed (or stored before: a redelivery needs nothing more). The consumer takes it from here.
    return HttpResponse("received", content_type="text/plain")
