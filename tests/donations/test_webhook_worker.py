"""The webhook answers once the event is stored; the events consumer records it and retries what failed, with backoff."""

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from fund.donations.models import StripeEvent
from fund.donations.webhooks import RETRY_LIMIT, stripe_event_store
from fund.models import LedgerTransaction
from tests.factories.fund import FundFactory

pytestmark = pytest.mark.django_db


def consumer_pass(at, capture):
    """One pass of `stripe_process_events` at a given time, running what it commits (receipt emails)."""
    out = StringIO()
    with time_machine.travel(at, tick=False), capture(execute=True):
        call_command("stripe_process_events", stdout=out)
    return out.getvalue()


def statements(captured):
    """The SQL a block ran, without the savepoints the test's own transaction adds around the insert."""
    return [
        q["sql"].split()[0].upper()
        for q in captured.captured_queries
        if not q["sql"].upper().startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT"))
    ]


def test_webhook_only_stores_and_answers_and_the_consumer_records_the_gift(
    fake_stripe, start_gift, post_event, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    donation, session = start_gift(FundFactory(), gift="40.00")
    requests_before = len(fake_stripe.requests)
    event = fake_stripe.event("checkout.session.completed", fake_stripe.complete_session(session["id"]))
    with CaptureQueriesContext(connection) as captured:
        response = post_event(event, process=False)
    assert statements(captured) == ["INSERT"]  # one insert, committed before the answer
    assert response.status_code == 200 and response.content == b"received"
    assert StripeEvent.objects.get().state == "received"
    donation.refresh_from_db()
    assert donation.status == "pending"  # nothing recorded inside the request ...
    assert len(fake_stripe.requests) == requests_before  # ... and Stripe not called from it
    with CaptureQueriesContext(connection) as captured:
        assert post_event(event, process=False).content == b"received"
    assert statements(captured) == ["INSERT"]  # a redelivery: the unique id refuses it, nothing more
    assert StripeEvent.objects.count() == 1

    assert "1 processed" in consumer_pass(timezone.now(), django_capture_on_commit_callbacks)
    donation.refresh_from_db()
    assert donation.status == "succeeded" and donation.amount == 40
    assert StripeEvent.objects.get().state == "processed"
    assert LedgerTransaction.objects.filter(kind="donation").count() == 1
    assert len([m for m in mail.outbox if "receipt" in m.subject.lower()]) == 1
    assert "No Stripe events due" in consumer_pass(timezone.now(), django_capture_on_commit_callbacks)


def test_consumer_handles_events_in_the_order_they_arrived(
    fake_stripe, start_gift, post_event, django_capture_on_commit_callbacks
):
    donation, session = start_gift(FundFactory(), gift="30.00")
    completed = fake_stripe.complete_session(session["id"])
    refund = {
        "id": "ch_1",
        "object": "charge",
        "payment_intent": completed["payment_intent"],
        "amount": 3000,
        "amount_refunded": 1000,
        "currency": "usd",
    }
    post_event(fake_stripe.event("checkout.session.completed", completed), process=False)
    post_event(fake_stripe.event("charge.refunded", refund), process=False)
    assert "2 processed" in consumer_pass(timezone.now(), django_capture_on_commit_callbacks)
    donation.refresh_from_db()
    assert donation.status == "partially_refunded" and donation.refunded_amount == 10


def test_failed_event_is_retried_with_backoff_from_its_last_attempt(
    fake_stripe, start_gift, post_event, django_capture_on_commit_callbacks
):
    donation, session = start_gift(FundFactory())
    post_event(
        fake_stripe.event("checkout.session.completed", fake_stripe.complete_session(session["id"])), process=False
    )
    stored = StripeEvent.objects.get()
    t0 = stored.received_at + timedelta(hours=1)  # the consumer was down for an hour: backoff counts from each attempt
    fake_stripe.fail_next = 6  # the outage outlasts two attempts (each is three calls: the client retries twice)

    assert "1 failed" in consumer_pass(t0, django_capture_on_commit_callbacks)
    assert "No Stripe events due" in consumer_pass(t0 + timedelta(minutes=1), django_capture_on_commit_callbacks)
    assert "1 failed" in consumer_pass(t0 + timedelta(minutes=2, seconds=1), django_capture_on_commit_callbacks)
    assert "No Stripe events due" in consumer_pass(t0 + timedelta(minutes=5), django_capture_on_commit_callbacks)
    assert "1 processed" in consumer_pass(t0 + timedelta(minutes=6, seconds=2), django_capture_on_commit_callbacks)
    stored.refresh_from_db()
    donation.refresh_from_db()
    assert stored.state == "processed" and stored.attempts == 3 and stored.next_attempt_at is None
    assert donation.status == "succeeded"
    assert len([m for m in mail.outbox if "receipt" in m.subject.lower()]) == 1
    assert "No Stripe events due" in consumer_pass(t0 + timedelta(hours=5), django_capture_on_commit_callbacks)


def test_event_that_keeps_failing_stops_at_the_limit_and_staff_are_told_once(
    fake_stripe, start_gift, post_event, settings, django_capture_on_commit_callbacks
):
    donation, session = start_gift(FundFactory())
    real_key = settings.STRIPE_SECRET_KEY
    settings.STRIPE_SECRET_KEY = "sk_test_rotated_without_telling_us"  # every re-read answers 401
    post_event(
        fake_stripe.event("checkout.session.completed", fake_stripe.complete_session(session["id"])), process=False
    )
    stored = StripeEvent.objects.get()
    for minutes in range(0, 12 * 60, 5):  # the consumer polling, sampled every five minutes for twelve hours
        consumer_pass(stored.received_at + timedelta(minutes=minutes), django_capture_on_commit_callbacks)
    stored.refresh_from_db()
    assert stored.attempts == RETRY_LIMIT and stored.state == "failed" and "Invalid API Key" in stored.error
    alerts = [m for m in mail.outbox if "needs attention" in m.subject]
    assert len(alerts) == 1 and alerts[0].to == [settings.STAFF_NOTIFICATION_EMAIL]
    assert stored.event_id in alerts[0].body and "replay" in alerts[0].body.lower()

    settings.STRIPE_SECRET_KEY = real_key  # fixed: staff replay it from the admin
    from fund.donations.webhooks import stripe_event_replay

    with django_capture_on_commit_callbacks(execute=True):
        assert stripe_event_replay(event=stored, by=None) == "processed"
    donation.refresh_from_db()
    assert donation.status == "succeeded"


def test_parked_event_is_left_alone_until_its_gift_arrives(
    fake_stripe, start_gift, post_event, django_capture_on_commit_callbacks
):
    donation, session = start_gift(FundFactory(), gift="30.00")
    completed = fake_stripe.complete_session(session["id"])
    refund = {
        "id": "ch_early",
        "object": "charge",
        "payment_intent": completed["payment_intent"],
        "amount": 3000,
        "amount_refunded": 3000,
        "currency": "usd",
    }
    post_event(fake_stripe.event("charge.refunded", refund))
    parked = StripeEvent.objects.get()
    assert parked.state == "deferred" and parked.attempts == 1
    assert "No Stripe events due" in consumer_pass(
        parked.received_at + timedelta(hours=1), django_capture_on_commit_callbacks
    )
    with django_capture_on_commit_callbacks(execute=True):
        post_event(fake_stripe.event("checkout.session.completed", completed))
    donation.refresh_from_db()
    parked.refresh_from_db()
    assert parked.state == "processed" and donation.status == "refunded"


def test_reconciliation_stores_and_handles_a_missed_event_once(
    fake_stripe, start_gift, django_capture_on_commit_callbacks
):
    donation, session = start_gift(FundFactory())
    event = fake_stripe.event("checkout.session.completed", fake_stripe.complete_session(session["id"]))
    stored, created = stripe_event_store(event=event)
    again, created_again = stripe_event_store(event=event)
    assert created and not created_again and again.pk == stored.pk
    assert StripeEvent.objects.count() == 1


def test_events_screen_shows_queued_failed_and_stopped_events_to_finance(
    fake_stripe, start_gift, post_event, settings, login, mfa_user_factory, django_assert_max_num_queries
):
    from portal import roles

    donation, session = start_gift(FundFactory())
    settings.STRIPE_SECRET_KEY = "sk_test_rotated_without_telling_us"
    post_event(fake_stripe.event("checkout.session.completed", fake_stripe.complete_session(session["id"])))
    StripeEvent.objects.update(attempts=RETRY_LIMIT)
    for i in range(30):
        stripe_event_store(event={"id": f"evt_q{i}", "type": "invoice.paid", "data": {"object": {}}})
    client = login(mfa_user_factory(roles.FINANCE))
    with django_assert_max_num_queries(20):
        page = client.get("/admin/donations/events/?state=failed")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Stopped: replay by hand" in html and "Invalid API Key" in html and "evt_q" not in html
    queued = client.get("/admin/donations/events/?state=queued").content.decode()
    assert "Queued" in queued and "evt_q29" in queued and "Invalid API Key" not in queued
