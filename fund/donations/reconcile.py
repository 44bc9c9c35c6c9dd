"""Reconciliation with Stripe: record what the webhook missed (exactly once, through the same services) and report
what does not match. Run by `manage.py stripe_reconcile` on a timer."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from . import services
from .models import RECEIVED_STATUSES, Donation
from .payouts import PayoutImportReport, stripe_payouts_import
from .stripe_client import as_dict, checkout_sessions_list, events_list
from .webhooks import stripe_event_process, stripe_event_store


@dataclass
class ReconcileReport:
    sessions_seen: int = 0
    recorded: list = field(default_factory=list)
    events_seen: int = 0
    events_processed: int = 0
    payouts: PayoutImportReport | None = None
    discrepancies: list = field(default_factory=list)


def stripe_reconcile(*, days: int = 3, by=None) -> ReconcileReport:
    report = ReconcileReport()
    since = int((timezone.now() - timedelta(days=days)).timestamp())
    for obj in checkout_sessions_list(created_gte=since):
        session = as_dict(obj)
        report.sessions_seen += 1
        ref = session.get("client_reference_id")
        donation = Donation.objects.filter(stripe_checkout_session_id=session["id"]).first() or (
            Donation.objects.filter(pk=int(ref)).first() if ref and str(ref).isdigit() else None
        )
        paid = session.get("status") == "complete" and session.get("payment_status") in ("paid", "no_payment_required")
        if donation is None:
            if paid:
                report.discrepancies.append(f"Session {session['id']} was paid but matches no donation.")
            continue
        if paid and donation.status == "pending" and not donation.amount_mismatch:
            donation = services.donation_record_from_checkout(session=session, by=by)
            if donation.status == "succeeded":
                report.recorded.append(donation.pk)
        if donation.amount_mismatch:
            report.discrepancies.append(f"Donation #{donation.pk}: {donation.mismatch_note}")
        elif donation.status in RECEIVED_STATUSES and not paid:
            report.discrepancies.append(
                f"Donation #{donation.pk} is {donation.status} but session {session['id']} is not paid."
            )
    for obj in events_list(created_gte=since):
        event = as_dict(obj)
        report.events_seen += 1
        stored, _created = stripe_event_store(event=event)
        if stored.processed_at is None:
            result = stripe_event_process(event=stored, by=by)
            if result in ("processed", "ignored"):
                report.events_processed += 1
            elif result == "failed":
                report.discrepancies.append(f"Event {stored.event_id} ({stored.type}) failed: {stored.error[:200]}")
    # Stripe to bank: actual fees, dispute movements and payouts (after the events, so their gifts are recorded).
    report.payouts = stripe_payouts_import(since=since, by=by)
    report.discrepancies += [f"Balance transaction {line}" for line in report.payouts.unmatched]
    return report
